/*
 * The store clock: milliseconds that only move forward, at the pace of
 * the monotonic clock, and that carry on across restarts and reboots.
 * Every duration the store keeps (OTT and nonce lifetimes, last-seen,
 * billed minutes, grace, retention, quotas) is measured on it, so a step
 * of the wall clock, by NTP or by hand, bills no minute, skips none and
 * expires nothing.
 *
 * store time = clock.store_ms + (monotonic now - clock.mono_ms), within
 * the boot named by clock.boot_id.  The master re-anchors at every start:
 * in the same boot the store clock simply continues; in another boot the
 * monotonic clock started again from zero, so the downtime is bridged
 * once with the wall clock (clamped at zero: a wall clock set back costs
 * nothing) and the gap assumed is logged.
 *
 * The monotonic clock is one that stops while the machine is suspended
 * (CLOCK_UPTIME on the BSDs, CLOCK_MONOTONIC on Linux): a suspended host
 * serves no heartbeat, and a resumed one must not bill the pause.
 */
#include <sys/types.h>
#if defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <sys/sysctl.h>
#include <sys/time.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_store.h"

#if defined(CLOCK_UPTIME)
#define STORE_CLOCK_ID	CLOCK_UPTIME
#else
#define STORE_CLOCK_ID	CLOCK_MONOTONIC
#endif

/* Where no kernel names its boot, a token that a reboot clears. */
#define BOOT_TOKEN	"/var/run/playwaved.boot"

uint64_t
pw_mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(STORE_CLOCK_ID, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

uint64_t
pw_store_now(const struct pw_store *st)
{
	const struct pw_clock *c = &st->hdr->clock;
	uint64_t mono, base;

	mono = pw_mono_ms();
	base = atomic_load_explicit(&c->mono_ms, memory_order_relaxed);
	return (atomic_load_explicit(&c->store_ms, memory_order_relaxed) +
	    (mono > base ? mono - base : 0));
}

uint64_t
pw_store_wall(const struct pw_store *st, uint64_t store_ms)
{
	uint64_t now_store, now_wall;

	/* The instant's distance from now, taken off the wall clock now. */
	now_store = pw_store_now(st);
	now_wall = pw_now_ms();
	if (store_ms >= now_store)
		return (now_wall + (store_ms - now_store));
	return (now_wall > now_store - store_ms ?
	    now_wall - (now_store - store_ms) : 0);
}

uint64_t
pw_store_from_wall(const struct pw_store *st, uint64_t wall_ms)
{
	uint64_t now_store, now_wall;

	now_store = pw_store_now(st);
	now_wall = pw_now_ms();
	if (wall_ms >= now_wall)
		return (now_store + (wall_ms - now_wall));
	return (now_store > now_wall - wall_ms ?
	    now_store - (now_wall - wall_ms) : 0);
}

#if defined(__linux__)
static int
boot_id(uint8_t id[16])
{
	char buf[64];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY)) == -1)
		return (-1);
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n < 36)
		return (-1);
	buf[n] = '\0';
	return (pw_uuid_parse(buf, 36, id));
}
#elif defined(KERN_BOOTTIME)
static int
boot_id(uint8_t id[16])
{
	struct timeval tv;
	size_t len = sizeof(tv);
	int mib[2] = { CTL_KERN, KERN_BOOTTIME };

	if (sysctl(mib, 2, &tv, &len, NULL, 0) == -1)
		return (-1);
	memset(id, 0, 16);
	memcpy(id, &tv.tv_sec, sizeof(tv.tv_sec) < 8 ? sizeof(tv.tv_sec) : 8);
	memcpy(id + 8, &tv.tv_usec, sizeof(tv.tv_usec) < 8 ?
	    sizeof(tv.tv_usec) : 8);
	return (0);
}
#else
/* A random token under /var/run, which every boot empties. */
static int
boot_id(uint8_t id[16])
{
	ssize_t n;
	int fd;

	if ((fd = open(BOOT_TOKEN, O_RDONLY | O_NOFOLLOW)) != -1) {
		n = read(fd, id, 16);
		(void)close(fd);
		if (n == 16)
			return (0);
	}
	arc4random_buf(id, 16);
	if ((fd = open(BOOT_TOKEN, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
	    0644)) == -1)
		return (-1);
	n = write(fd, id, 16);
	(void)close(fd);
	return (n == 16 ? 0 : -1);
}
#endif

/* A new store's clock: it starts at the wall clock's reading. */
void
pw_store_clock_init(struct pw_clock *c)
{
	uint8_t id[16];
	uint64_t wall, mono;

	wall = pw_now_ms();
	mono = pw_mono_ms();
	if (boot_id(id) == 0)
		memcpy(c->boot_id, id, sizeof(c->boot_id));
	atomic_store(&c->store_ms, wall);
	atomic_store(&c->wall_ms, wall);
	atomic_store(&c->last_ms, wall);
	atomic_store(&c->bridged_ms, 0);
	atomic_store(&c->mono_ms, mono != 0 ? mono : 1);
}

/*
 * Anchor the store clock for this boot; only the master, before any
 * other process uses the store.  msg gets what was done, for the log.
 */
void
pw_store_clock_start(struct pw_store *st, char *msg, size_t msglen)
{
	struct pw_clock *c = &st->hdr->clock;
	uint8_t id[16];
	uint64_t mono, wall, last, base, was_wall, gap;
	int known;

	mono = pw_mono_ms();
	wall = pw_now_ms();
	known = boot_id(id) == 0;
	base = atomic_load(&c->store_ms);
	last = atomic_load(&c->last_ms);
	if (last < base)
		last = base;
	msg[0] = '\0';
	if (atomic_load(&c->mono_ms) == 0) {
		pw_store_clock_init(c);	/* never anchored: start it now */
		return;
	} else if (known && memcmp(id, c->boot_id, sizeof(id)) == 0 &&
	    mono >= atomic_load(&c->mono_ms) + (last - base)) {
		return;		/* the same boot: the clock runs on */
	} else {
		/* Another boot: the monotonic clock began again at zero. */
		was_wall = atomic_load(&c->wall_ms) + (last - base);
		gap = wall > was_wall ? wall - was_wall : 0;
		snprintf(msg, msglen, "store clock: a new boot%s; bridged "
		    "%llu ms of downtime with the wall clock", known ? "" :
		    " (no boot id: every start counts as one)",
		    (unsigned long long)gap);
	}
	if (known)
		memcpy(c->boot_id, id, sizeof(c->boot_id));
	else
		memset(c->boot_id, 0, sizeof(c->boot_id));
	atomic_store(&c->bridged_ms, gap);
	atomic_store(&c->store_ms, last + gap);
	atomic_store(&c->wall_ms, wall);
	/* 0 means "never anchored": a boot's first millisecond is 1. */
	atomic_store(&c->mono_ms, mono != 0 ? mono : 1);
	atomic_store(&c->last_ms, last + gap);
}

/* The reaper's note of the clock at each pass: a reboot resumes here. */
void
pw_store_clock_mark(struct pw_store *st)
{
	atomic_store_explicit(&st->hdr->clock.last_ms, pw_store_now(st),
	    memory_order_relaxed);
}
