/*
 * The billing log at the master's start, under the one-writer lock and
 * before any other process runs: a switch a crash interrupted finished,
 * the active file opened (made, for a new log) and its tail read, the
 * store reconciled with the log, and a log with no segment of format 2
 * yet given its first.
 *
 * A log of format 1 is never appended to in format 2: its file is closed
 * as the log's first segment, <billing-log>.00000000000000000001, and
 * format 2 continues in a new active file from c_0 = SHA-256 of the
 * whole closed file, so the old records are covered by the chain as they
 * are.  The reconciliation runs before, on the file of format 1: the
 * ENDs (LOST) it may add are the old file's, in its own format, and the
 * first snapshot is taken from a store that agrees with all of it.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_file.h"
#include "pw_segment.h"
#include "reap.h"

/* A log with no file yet: an empty one to begin from, none if it had. */
static int
make_active(int dfd, const char *path, const char *name,
    struct pw_owner owner, char *err, size_t errlen)
{
	struct pw_logset ls;
	struct stat sb;
	size_t nseg;
	int fd;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT)
		return (0);
	if (pw_logset_open(&ls, path, NULL, err, errlen) == -1)
		return (-1);
	nseg = ls.nseg;
	pw_logset_close(&ls);
	if (nseg > 0) {
		snprintf(err, errlen, "%s is missing, but %zu closed segments "
		    "of it are there: restore the active file (nothing is made "
		    "in its place)", path, nseg);
		return (-1);
	}
	if ((fd = pw_file_openat(dfd, name, O_RDWR | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0640, owner, err, errlen)) == -1)
		return (-1);
	close(fd);
	return (0);
}

/* The first segment of format 2, from what the store says now. */
static int
first_segment(struct pw_store *st, const struct pw_config *cfg,
    struct pw_owner owner, struct pw_blog *b, char *err, size_t errlen)
{
	struct pw_snap snap;
	unsigned format = b->format;
	int rc;

	if (format == 1) {
		if (fsync(b->fd) == -1 || pw_seg_digest(b->fd, b->head) == -1) {
			snprintf(err, errlen, "%s: %s", b->path,
			    strerror(errno));
			return (-1);
		}
	} else
		pw_link_genesis(b->head);
	pw_snap_init(&snap);
	rc = pw_snap_store(&snap, st, cfg);
	if (rc == -1)
		snprintf(err, errlen, "snapshot: %s", strerror(errno));
	else
		rc = pw_blog_switch(b, &snap, owner, err, errlen);
	pw_snap_free(&snap);
	if (rc == 0 && format == 1)
		log_warnx("billing log %s: its file of format 1 (seq 1-%" PRIu64
		    ") is closed as the first segment; format 2 goes on from "
		    "seq %" PRIu64 ", chained to SHA-256 of that file",
		    b->path, b->last_seq, b->first_seq);
	return (rc);
}

static void
publish(struct pw_store *st, const struct pw_blog *b)
{
	struct pw_ledger_state *l = &st->hdr->ledger;

	atomic_store(&l->segment_first_seq, b->first_seq);
	atomic_store(&l->head_seq, 0);
	memcpy(l->head_link, b->head, PW_LINK_LEN);
	atomic_store(&l->head_seq, b->last_seq);
}

int
pw_blog_start(struct pw_store *st, const struct pw_config *cfg,
    struct pw_owner owner, int dfd, struct pw_blog *b, char *err,
    size_t errlen)
{
	struct pw_blog_open o;
	char dir[1024];
	const char *name;

	name = pw_file_split(cfg->billing_log, dir, sizeof(dir));
	if (pw_blog_switch_finish(dfd, name, err, errlen) == -1 ||
	    make_active(dfd, cfg->billing_log, name, owner, err, errlen) == -1)
		return (-1);
	memset(&o, 0, sizeof(o));
	o.from_seq = atomic_load(&st->hdr->ckpt_seq);
	o.durable_seq = atomic_load(&st->hdr->durable_seq);
	if (o.durable_seq < o.from_seq)
		o.durable_seq = o.from_seq;
	if (pw_blog_open(b, dfd, cfg->billing_log, &o, err, errlen) == -1)
		return (-1);
	if (pw_recover(st, cfg, b, 1) == -1) {
		snprintf(err, errlen, "cannot reconcile the store with the "
		    "billing log %s (see playwavectl log verify)",
		    cfg->billing_log);
		return (-1);
	}
	if (b->format != 2 && first_segment(st, cfg, owner, b, err,
	    errlen) == -1)
		return (-1);
	publish(st, b);
	return (0);
}
