/*
 * playwavectl log cat|tail|verify [FILE]: the billing log, read only
 * through pw_blog_scan and pw_event_decode (src/billing/billing.c), so that the
 * record format is defined in exactly one place.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "ctl.h"

#define TAIL_N		10
#define FOLLOW_MS	250

struct ring {
	struct ctl	*c;
	struct pw_event	 ev[TAIL_N];
	uint64_t	 n;
};

static void
event_json(const struct pw_event *ev, const char *sid)
{
	struct jw j;

	jw_begin(&j, stdout);
	jw_uint(&j, "seq", ev->seq);
	jw_uint(&j, "ts", ev->ts_ms);
	jw_str(&j, "type", pw_ev_type_name(ev->type));
	jw_str(&j, "session", sid);
	if (ev->game[0] != '\0')
		jw_str(&j, "game", ev->game);
	if (ev->wallet[0] != '\0')
		jw_str(&j, "wallet", ev->wallet);
	if (ev->type != PW_EV_START)
		jw_int(&j, "amount", ev->amount);
	if (ev->wallet[0] != '\0')
		jw_int(&j, "balance", ev->balance);
	if (ev->type == PW_EV_CHARGE || ev->type == PW_EV_END)
		jw_uint(&j, "minute", ev->minute);
	if (ev->type == PW_EV_END) {
		jw_str(&j, "reason", pw_reason_name(ev->reason));
		jw_uint(&j, "duration", ev->duration);
	}
	jw_end(&j);
}

static void
print_header(const struct ctl *c)
{
	if (!c->json)
		printf("%8s %-24s %-6s %-39s %-14s %-14s %8s %10s %6s %s\n",
		    "SEQ", "TIME", "TYPE", "SESSION", "GAME", "WALLET",
		    "AMOUNT", "BALANCE", "MINUTE", "REASON");
}

static void
print_event(const struct ctl *c, const struct pw_event *ev)
{
	char sid[64], ts[32], amount[24], bal[24], minute[16];

	ctl_format_id(pw_ev_of_credit(ev->type) ? PW_T_CREDIT : PW_T_GS,
	    ev->id, sid);
	if (c->json) {
		event_json(ev, sid);
		return;
	}
	pw_iso8601_ms(ev->ts_ms, ts);
	snprintf(amount, sizeof(amount), ev->type != PW_EV_START ? "%lld" :
	    "-", (long long)ev->amount);
	snprintf(bal, sizeof(bal), ev->wallet[0] != '\0' ? "%lld" : "-",
	    (long long)ev->balance);
	snprintf(minute, sizeof(minute), ev->type == PW_EV_CHARGE ||
	    ev->type == PW_EV_END ? "%u" : "-", ev->minute);
	printf("%8llu %-24s %-6s %-39s %-14s %-14s %8s %10s %6s %s\n",
	    (unsigned long long)ev->seq, ts, pw_ev_type_name(ev->type), sid,
	    ev->game[0] != '\0' ? ev->game : "-",
	    ev->wallet[0] != '\0' ? ev->wallet : "-", amount, bal, minute,
	    ev->type == PW_EV_END ? pw_reason_name(ev->reason) : "-");
}

static int
cat_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	print_event(arg, ev);
	return (0);
}

static int
ring_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct ring *r = arg;

	r->ev[r->n++ % TAIL_N] = *ev;
	return (0);
}

static int
open_log(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		ctl_die("billing log %s: %s", path, strerror(errno));
	return (fd);
}

/* What follows the valid records, said on stderr; 1 for real damage. */
static int
scan_end(const char *path, int rc, uint64_t good, uint64_t size)
{
	if (rc == -1 && good == size)
		ctl_die("billing log %s: %s", path, strerror(errno));
	if (good == size)
		return (0);
	fprintf(stderr, "playwavectl: billing log %s: %s at offset %llu "
	    "(%llu bytes); see log verify\n", path, rc == -1 ?
	    "damage followed by valid records" : "torn tail",
	    (unsigned long long)good, (unsigned long long)(size - good));
	return (rc == -1);
}

static int
log_cat(struct ctl *c, const char *path)
{
	uint64_t good, seq, size;
	int fd, rc;

	fd = open_log(path);
	print_header(c);
	rc = pw_blog_scan(fd, cat_one, c, &good, &seq, &size);
	close(fd);
	return (scan_end(path, rc, good, size));
}

/*
 * New whole records from *off on, those after seq from only; stops at
 * one not (yet) valid.
 */
static void
follow_read(struct ctl *c, int fd, uint64_t *off, uint64_t size,
    uint64_t from)
{
	uint8_t buf[PW_EV_SIZE * 64];
	struct pw_event ev;
	ssize_t n, i;

	while (*off + PW_EV_SIZE <= size) {
		n = pread(fd, buf, sizeof(buf), (off_t)*off);
		if (n < PW_EV_SIZE)
			return;
		for (i = 0; i + PW_EV_SIZE <= n; i += PW_EV_SIZE) {
			if (pw_event_decode(buf + i, &ev) == -1)
				return;
			if (ev.seq > from)
				print_event(c, &ev);
			*off += PW_EV_SIZE;
		}
		fflush(stdout);
	}
}

/* Follow the file by name, across truncation and replacement. */
static void
follow(struct ctl *c, const char *path, int fd, uint64_t off, uint64_t from)
{
	struct timespec ts = { 0, FOLLOW_MS * 1000000L };
	struct stat cur, sb;

	if (fstat(fd, &cur) == -1)
		ctl_die("billing log %s: %s", path, strerror(errno));
	for (;;) {
		fflush(stdout);
		nanosleep(&ts, NULL);
		if (stat(path, &sb) == -1)
			continue;	/* being replaced: wait for it */
		if (sb.st_ino != cur.st_ino || sb.st_dev != cur.st_dev) {
			fprintf(stderr, "playwavectl: %s: replaced; following "
			    "the new file\n", path);
			close(fd);
			fd = open_log(path);
			if (fstat(fd, &cur) == -1)
				ctl_die("%s: %s", path, strerror(errno));
			off = 0;
		} else if ((uint64_t)sb.st_size < off) {
			fprintf(stderr, "playwavectl: %s: truncated; following "
			    "from its start\n", path);
			off = 0;
		}
		follow_read(c, fd, &off, (uint64_t)sb.st_size, from);
	}
}

static int
log_tail(struct ctl *c, const char *path, int fol)
{
	struct ring *r;
	uint64_t good, seq, size, i;
	int fd, rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		ctl_die("out of memory");
	r->c = c;
	fd = open_log(path);
	rc = pw_blog_scan(fd, ring_one, r, &good, &seq, &size);
	print_header(c);
	for (i = r->n > TAIL_N ? r->n - TAIL_N : 0; i < r->n; i++)
		print_event(c, &r->ev[i % TAIL_N]);
	free(r);
	rc = scan_end(path, rc, good, size);
	if (fol)
		follow(c, path, fd, good, 0);
	close(fd);
	return (rc);
}

/*
 * Every event after seq from, then (fol) those to come: a shipper that
 * remembers the last seq it delivered resumes exactly after it.  Seqs
 * run 1, 2, 3 from offset 0, so the place is found without a scan.
 */
static int
log_tail_from(struct ctl *c, const char *path, int fol, uint64_t from)
{
	struct stat sb;
	uint64_t off;
	int fd;

	fd = open_log(path);
	if (fstat(fd, &sb) == -1)
		ctl_die("billing log %s: %s", path, strerror(errno));
	/* Not there (yet): from the start, skipping up to from. */
	if (pw_blog_find_seq(fd, from, &off) == -1)
		off = 0;
	print_header(c);
	follow_read(c, fd, &off, (uint64_t)sb.st_size, from);
	fflush(stdout);
	if (fol)
		follow(c, path, fd, off, from);
	close(fd);
	return (0);
}

/* FILE, or the configuration's billing-log; *explicit when given. */
static const char *
log_path(struct ctl *c, int argc, char **argv, int i, int *explicit)
{
	if (i < argc - 1)
		ctl_usage_err("log %s: too many arguments", argv[1]);
	*explicit = i < argc;
	if (i < argc)
		return (argv[i]);
	if (c->cfg == NULL)
		ctl_usage_err("log %s: with -s, name the billing log FILE",
		    argv[1]);
	return (c->cfg->billing_log);
}

static int
tail_cmd(struct ctl *c, int argc, char **argv)
{
	const char *path, *errstr;
	uint64_t from = 0;
	int i, explicit, fol = 0, has_from = 0;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0)
			fol = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			from = (uint64_t)strtonum(argv[++i], 0, LLONG_MAX,
			    &errstr);
			if (errstr != NULL)
				ctl_usage_err("log tail --from: seq %s is %s",
				    argv[i], errstr);
			has_from = 1;
		} else
			break;
	}
	path = log_path(c, argc, argv, i, &explicit);
	return (has_from ? log_tail_from(c, path, fol, from) :
	    log_tail(c, path, fol));
}

int
cmd_log(struct ctl *c, int argc, char **argv)
{
	const char *path;
	int explicit;

	if (argc < 2)
		ctl_usage_err("log cat|tail|verify|report [FILE]");
	if (strcmp(argv[1], "cat") == 0) {
		path = log_path(c, argc, argv, 2, &explicit);
		return (log_cat(c, path));
	}
	if (strcmp(argv[1], "tail") == 0)
		return (tail_cmd(c, argc, argv));
	if (strcmp(argv[1], "report") == 0)
		return (ctl_log_report(c, argc, argv));
	if (strcmp(argv[1], "verify") == 0) {
		path = log_path(c, argc, argv, 2, &explicit);
		return (ctl_log_verify(c, path, explicit));
	}
	ctl_usage_err("log: unknown subcommand %s", argv[1]);
}
