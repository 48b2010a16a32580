/*
 * One writer: only one daemon may own a store and a billing log.  The
 * master takes an exclusive flock(2) on <billing-log>.lock (its pid
 * written inside, for the next one to name) and on the store file,
 * before it reads either, in every mode, and keeps both descriptors for
 * its life.  Its children inherit them, so the lock outlives a master
 * killed while they drain: a start that finds it held by the children
 * of a dead master waits for them (they exit on their own once
 * orphaned), at most LOCK_WAIT_MS, then refuses.  A live holder is
 * refused at once.
 *
 * flock(2), not fcntl(2) locks: an fcntl lock belongs to the process and
 * is lost at the first close(2) of any descriptor of the file (a store
 * opened twice, playwavectl's own open), and is not inherited across
 * fork(2).  flock(2) is on Linux, FreeBSD and OpenBSD alike.  It is
 * advisory and local: it fences daemons on one host, not a standby on
 * shared storage (playwaved(8), ONE WRITER).
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_file.h"

#define LOCK_WAIT_MS	10000
#define LOCK_STEP_MS	100

/* Whether a pid names a process that exists (EPERM: someone else's). */
static int
pid_alive(pid_t pid)
{
	return (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM));
}

/* The pid <billing-log>.lock names; 0 when it names none. */
static pid_t
lock_file_pid(int fd)
{
	char buf[32];
	const char *errstr;
	ssize_t n;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return (0);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return ((pid_t)strtonum(buf, 1, INT32_MAX, &errstr));
}

/* The master pid a store's header names (read only to name it). */
static pid_t
store_pid(int fd)
{
	uint32_t pid;

	if (pread(fd, &pid, sizeof(pid), (off_t)offsetof(struct pw_store_hdr,
	    master_pid)) != sizeof(pid))
		return (0);
	return ((pid_t)pid);
}

/*
 * flock fd, waiting while only the children of a dead master hold it.
 * 0, or -1 with err naming the holder.
 */
static int
take(int fd, const char *path, pid_t (*holder)(int), char *err,
    size_t errlen)
{
	struct timespec ts = { 0, LOCK_STEP_MS * 1000000L };
	pid_t pid;
	int waited;

	for (waited = 0;; waited += LOCK_STEP_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (waited > 0)
				log_info("%s: the children of a dead master "
				    "let go after %d ms", path, waited);
			return (0);
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errlen, "%s: flock: %s", path,
			    strerror(errno));
			return (-1);
		}
		pid = holder(fd);
		if (pid_alive(pid)) {
			snprintf(err, errlen, "%s is held by playwaved pid %d: "
			    "another daemon owns this store and billing log",
			    path, (int)pid);
			return (-1);
		}
		if (waited >= LOCK_WAIT_MS) {
			snprintf(err, errlen, "%s is still held after %d s by "
			    "the children of a dead master (pid %d); stop them "
			    "first", path, LOCK_WAIT_MS / 1000, (int)pid);
			return (-1);
		}
		if (waited == 0)
			log_warnx("%s is held by the children of a dead master "
			    "(pid %d): waiting up to %d s for them to exit",
			    path, (int)pid, LOCK_WAIT_MS / 1000);
		nanosleep(&ts, NULL);
	}
}

/* Record this process as the holder: after daemon(3) it changed. */
int
lock_note_pid(const struct pw_ctx *ctx)
{
	char buf[32];
	int n;

	if (ctx->lock_fd == -1)
		return (0);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(ctx->lock_fd, 0) == -1 ||
	    pwrite(ctx->lock_fd, buf, (size_t)n, 0) != n)
		return (-1);
	return (0);
}

static int
lock_log(struct pw_ctx *ctx, char *err, size_t errlen)
{
	char path[PW_PATH_MAX + 8];

	if ((size_t)snprintf(path, sizeof(path), "%s.lock",
	    ctx->cfg->billing_log) >= sizeof(path)) {
		snprintf(err, errlen, "%s.lock: path too long",
		    ctx->cfg->billing_log);
		return (-1);
	}
	/* Never through a link: root writes into it. */
	if ((ctx->lock_fd = pw_file_open(path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0644, PW_OWNER_KEEP, err, errlen)) == -1)
		return (-1);
	if (take(ctx->lock_fd, path, lock_file_pid, err, errlen) == -1)
		return (-1);
	if (lock_note_pid(ctx) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * The store, when it exists; a store made later (pw_store_open) is
 * locked by lock_store_made.  The descriptor must stay the file at the
 * path: one replaced meanwhile is refused rather than locked blind.
 */
static int
lock_store_at(struct pw_ctx *ctx, char *err, size_t errlen)
{
	struct stat a, b;

	if ((ctx->store_lock_fd = pw_file_open(ctx->cfg->store,
	    O_RDWR | O_CLOEXEC, 0, PW_OWNER_KEEP, err, errlen)) == -1)
		return (-1);
	if (take(ctx->store_lock_fd, ctx->cfg->store, store_pid, err,
	    errlen) == -1)
		return (-1);
	if (fstat(ctx->store_lock_fd, &a) == -1 ||
	    stat(ctx->cfg->store, &b) == -1 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		snprintf(err, errlen, "%s was replaced while it was being "
		    "locked", ctx->cfg->store);
		return (-1);
	}
	return (0);
}

int
lock_take(struct pw_ctx *ctx, char *err, size_t errlen)
{
	struct stat sb;

	ctx->lock_fd = ctx->store_lock_fd = -1;
	if (lock_log(ctx, err, errlen) == -1)
		return (-1);
	if (stat(ctx->cfg->store, &sb) == -1) {
		if (errno == ENOENT)
			return (0);	/* made under the log's lock */
		snprintf(err, errlen, "%s: %s", ctx->cfg->store,
		    strerror(errno));
		return (-1);
	}
	return (lock_store_at(ctx, err, errlen));
}

int
lock_store_made(struct pw_ctx *ctx, char *err, size_t errlen)
{
	if (ctx->store_lock_fd != -1)
		return (0);
	return (lock_store_at(ctx, err, errlen));
}
