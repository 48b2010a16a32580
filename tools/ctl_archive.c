/*
 * playwavectl log archive DIR: move closed segments of the billing log
 * out of the state directory while the daemon runs.
 *
 * Only segments wholly below a checkpoint known to be on disk move (the
 * store header's disk_ckpt_seq, checkpoint.c): every start reads the log
 * from the store's checkpoint on, and a store on disk is never older than
 * that one, so no start ever needs them again; a new store is rebuilt
 * from the newest segment's snapshot, which never moves.  The active file
 * never moves.
 *
 * Each one is copied, never renamed (DIR may be another file system, and
 * a rename that fails half way is worse than a copy): the copy created
 * O_EXCL|O_NOFOLLOW and synced, read back and verified (a whole segment,
 * the expected seqs, the same SHA-256 as the source), DIR synced, only
 * then the source unlinked and the state directory synced.  A run cut
 * short leaves at worst a segment in both places, which readers take once
 * and the next run finishes.  Runs exclude each other with a lock of
 * their own, <billing-log>.archive.lock.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_segment.h"
#include "ctl.h"

struct arch {
	struct ctl_log	 lg;
	int		 afd;
	char		 name[300];
	uint64_t	 first, last;
};

static void
lock_runs(struct arch *a)
{
	char name[300];
	int fd;

	snprintf(name, sizeof(name), "%s.archive.lock", a->lg.ls.base);
	if ((fd = openat(a->lg.ls.dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		ctl_die("log archive: %s/%s: %s", a->lg.ls.dir, name,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1)
		ctl_die("log archive: another one is running (%s/%s is "
		    "locked)", a->lg.ls.dir, name);
	/* Held until the tool exits. */
}

static void
copy(struct arch *a, int from, int to)
{
	uint8_t buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n)
			ctl_die("log archive: writing %s/%s: %s",
			    a->lg.archive, a->name, errno ? strerror(errno) :
			    "short write");
	if (n == -1 || fsync(to) == -1)
		ctl_die("log archive: %s: %s", a->name, strerror(errno));
}

/* The copy in DIR is a whole segment of the expected seqs, the same file. */
static int
copy_good(struct arch *a, int src)
{
	uint8_t d1[PW_LINK_LEN], d2[PW_LINK_LEN];
	struct pw_scan sc;
	struct pw_seg g;
	char err[256];
	int fd, ok;

	if ((fd = openat(a->afd, a->name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return (0);
	ok = pw_seg_open(&g, fd, NULL, err, sizeof(err)) == 0 &&
	    g.first_seq == a->first &&
	    pw_seg_scan(&g, 0, NULL, NULL, &sc) == 0 &&
	    sc.stop == PW_STOP_END && sc.last_seq == a->last &&
	    pw_seg_digest(fd, d1) == 0 && pw_seg_digest(src, d2) == 0 &&
	    memcmp(d1, d2, sizeof(d1)) == 0;
	close(fd);
	return (ok);
}

static void
archive_one(struct arch *a)
{
	int src, dst;

	if ((src = openat(a->lg.ls.dfd, a->name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		ctl_die("log archive: %s/%s: %s", a->lg.ls.dir, a->name,
		    strerror(errno));
	dst = openat(a->afd, a->name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	if (dst == -1 && errno != EEXIST)
		ctl_die("log archive: %s/%s: %s", a->lg.archive, a->name,
		    strerror(errno));
	if (dst != -1) {
		copy(a, src, dst);
		if (close(dst) == -1)
			ctl_die("log archive: %s: %s", a->name,
			    strerror(errno));
	}
	/* Already there from a run cut short: it must be this very file. */
	if (!copy_good(a, src))
		ctl_die("log archive: %s/%s %s; the segment stays where it is",
		    a->lg.archive, a->name, dst == -1 ? "exists and is not "
		    "the same segment" : "does not read back as the segment");
	close(src);
	if (fsync(a->afd) == -1)
		ctl_die("log archive: syncing %s: %s", a->lg.archive,
		    strerror(errno));
	if (unlinkat(a->lg.ls.dfd, a->name, 0) == -1 ||
	    fsync(a->lg.ls.dfd) == -1)
		ctl_die("log archive: removing %s/%s: %s", a->lg.ls.dir,
		    a->name, strerror(errno));
	printf("archived %s (seq %" PRIu64 "-%" PRIu64 ") to %s\n", a->name,
	    a->first, a->last, a->lg.archive);
}

/* The checkpoint the store on disk is known to hold. */
static uint64_t
disk_checkpoint(struct ctl *c)
{
	ctl_open(c, 0);
	return (atomic_load(&c->st.hdr->ledger.disk_ckpt_seq));
}

static void
open_dir(struct arch *a)
{
	struct stat x, y;

	if ((a->afd = open(a->lg.archive, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		ctl_die("log archive: %s: %s", a->lg.archive, strerror(errno));
	if (fstat(a->afd, &x) == -1 || fstat(a->lg.ls.dfd, &y) == -1)
		ctl_die("log archive: %s", strerror(errno));
	if (x.st_dev == y.st_dev && x.st_ino == y.st_ino)
		ctl_usage_err("log archive: DIR is the billing log's own "
		    "directory");
}

int
ctl_log_archive(struct ctl *c, int argc, char **argv)
{
	struct arch a;
	uint64_t bound, next;
	size_t i, n = 0;

	if (argc != 3 || c->cfg == NULL)
		ctl_usage_err("log archive DIR (with the configuration, not -s)");
	memset(&a, 0, sizeof(a));
	ctl_log_open(c, &a.lg);
	a.lg.archive = argv[2];
	open_dir(&a);
	lock_runs(&a);
	bound = disk_checkpoint(c);
	for (i = 0; i < a.lg.ls.nseg && !a.lg.ls.seg[i].archived; i++) {
		next = i + 1 < a.lg.ls.nseg ? a.lg.ls.seg[i + 1].first_seq :
		    a.lg.ls.active_first;
		if (next == 0 || next - 1 > bound)
			break;
		a.first = a.lg.ls.seg[i].first_seq;
		a.last = next - 1;
		if (pw_seg_name(a.name, sizeof(a.name), a.lg.ls.base,
		    a.first) == -1)
			ctl_die("log archive: name too long");
		archive_one(&a);
		n++;
	}
	if (n == 0)
		printf("nothing to archive: no closed segment ends at or below "
		    "seq %" PRIu64 ", the checkpoint known to be on disk\n",
		    bound);
	close(a.afd);
	ctl_log_close(&a.lg);
	return (0);
}
