/*
 * The switch to the next segment (pw_segment.h).  The reaper makes it
 * right after a commit, when every event written is synced and applied,
 * so the store says exactly what the log says and its snapshot is the
 * ledger at the last seq.  The master makes one at its start for a log
 * that has none yet (a new log, or a file of format 1 being closed).
 *
 * The steps, each a point a crash may stop at:
 *
 *  1. <name>.next is written (header and snapshot) and synced;
 *  2. the active file gets a second name, its closed segment's
 *     (link(2): it fails, rather than replace, if that name is taken);
 *  3. <name>.next is renamed over <name>: the active file is the new
 *     segment, the old one lives on under its closed name;
 *  4. the directory is synced.
 *
 * pw_blog_switch_finish, at the next open, completes a switch stopped
 * after 2 (<name> and the closed name are one file: do 3) and removes a
 * <name>.next stopped before it.  At no point is there no active file,
 * nor an event anywhere but in one segment.
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
#include "pw_segment.h"
#include "pw_session.h"
#include "reap.h"

#define ROTATE_RETRY_US	10000000	/* a failed switch is retried after */

static int
fail(char *err, size_t errlen, const char *what, const char *name)
{
	snprintf(err, errlen, "%s %s: %s", what, name, strerror(errno));
	return (-1);
}

/* Step 1: the next segment's file, synced; its descriptor. */
static int
write_next(struct pw_blog *b, const char *next, const struct pw_snap *snap,
    struct pw_owner owner, uint8_t h[PW_LINK_LEN], uint64_t *len)
{
	int fd, e;

	if (unlinkat(b->dfd, next, 0) == -1 && errno != ENOENT)
		return (-1);
	if ((fd = openat(b->dfd, next, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0640)) == -1)
		return (-1);
	if ((owner.uid != (uid_t)-1 && fchown(fd, owner.uid, owner.gid) ==
	    -1) || pw_seg_write(fd, b->last_seq + 1, b->head, snap, h,
	    len) == -1 || pw_fault_fsync(fd) == -1) {
		e = errno;
		close(fd);
		(void)unlinkat(b->dfd, next, 0);
		errno = e;
		return (-1);
	}
	return (fd);
}

int
pw_blog_switch(struct pw_blog *b, const struct pw_snap *snap,
    struct pw_owner owner, char *err, size_t errlen)
{
	char next[300], closed[300];
	uint8_t h[PW_LINK_LEN];
	uint64_t len;
	int fd, linked = 0;

	snprintf(next, sizeof(next), "%s.next", b->name);
	if (pw_seg_name(closed, sizeof(closed), b->name, b->first_seq) == -1)
		return (fail(err, errlen, "name of", b->name));
	if ((fd = write_next(b, next, snap, owner, h, &len)) == -1)
		return (fail(err, errlen, "cannot write", next));
	/* An empty file (a log begun now) is not kept as a segment. */
	if (b->format != 0) {
		if (linkat(b->dfd, b->name, b->dfd, closed, 0) == -1)
			goto bad;
		linked = 1;
	}
	if (renameat(b->dfd, next, b->dfd, b->name) == -1)
		goto bad;
	if (fsync(b->dfd) == -1)
		log_warn("billing log: syncing the directory of %s", b->path);
	if (b->fd != -1)
		close(b->fd);
	b->fd = fd;
	b->format = 2;
	b->first_seq = b->last_seq + 1;
	b->data_off = b->size = len;
	b->nevents = 0;
	memcpy(b->head, h, PW_LINK_LEN);
	return (0);
bad:
	fail(err, errlen, "cannot close the segment", closed);
	close(fd);
	if (linked)
		(void)unlinkat(b->dfd, closed, 0);
	(void)unlinkat(b->dfd, next, 0);
	return (-1);
}

static int
same_file(int dfd, const char *a, const char *b)
{
	struct stat sa, sb;

	return (fstatat(dfd, a, &sa, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(dfd, b, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev);
}

int
pw_blog_switch_finish(int dfd, const char *name, char *err, size_t errlen)
{
	char next[300], closed[300], e[256];
	struct pw_seg g, a;
	int fd, afd, done = 0;

	snprintf(next, sizeof(next), "%s.next", name);
	if ((fd = openat(dfd, next, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (errno == ENOENT ? 0 : fail(err, errlen, "open", next));
	if ((afd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) !=
	    -1 && pw_seg_open(&g, fd, NULL, e, sizeof(e)) == 0 &&
	    g.format == 2 && pw_seg_open(&a, afd, NULL, e, sizeof(e)) == 0 &&
	    a.format != 0 && pw_seg_name(closed, sizeof(closed), name,
	    a.first_seq) == 0 && same_file(dfd, name, closed))
		done = 1;
	if (afd != -1)
		close(afd);
	close(fd);
	if (done) {
		if (renameat(dfd, next, dfd, name) == -1)
			return (fail(err, errlen, "cannot finish the switch to",
			    next));
		log_warnx("billing log %s: finished the switch to the next "
		    "segment that a crash interrupted", name);
	} else if (unlinkat(dfd, next, 0) == -1)
		return (fail(err, errlen, "cannot remove", next));
	return (fsync(dfd) == -1 ? fail(err, errlen, "sync the directory of",
	    name) : 0);
}

/*
 * Past billing-segment-size: the snapshot, then the switch.  A switch
 * that fails (no room, a directory the reaper may not write) leaves the
 * active file as it was, growing; it is tried again later.
 */
void
reap_rotate(struct pw_reap *r)
{
	struct pw_snap snap;
	char err[600];
	uint64_t t0;

	if (r->nap != 0 || r->nbuf != 0 || (r->rotate_err_us != 0 &&
	    pw_mono_us() - r->rotate_err_us < ROTATE_RETRY_US))
		return;
	t0 = pw_mono_us();
	pw_snap_init(&snap);
	if (pw_snap_store(&snap, r->st, r->cfg) == -1 ||
	    pw_blog_switch(&r->blog, &snap, PW_OWNER_KEEP, err,
	    sizeof(err)) == -1) {
		if (errno == ENOMEM)
			snprintf(err, sizeof(err), "snapshot: %s",
			    strerror(errno));
		log_warnx("billing log %s: no new segment past %" PRIu64
		    " bytes (%s); the active file grows meanwhile",
		    r->blog.path, r->blog.size, err);
		r->rotate_err_us = pw_mono_us();
		pw_snap_free(&snap);
		return;
	}
	r->rotate_err_us = 0;
	memcpy(r->bhead, r->blog.head, PW_LINK_LEN);
	atomic_store(&r->st->hdr->ledger.segment_first_seq,
	    r->blog.first_seq);
	atomic_fetch_add(&r->st->hdr->ledger.segments, 1);
	log_info("billing log %s: segment %" PRIu64 " begun (%" PRIu64
	    " wallets, %" PRIu64 " open sessions, %" PRIu64 " ms)",
	    r->blog.path, r->blog.first_seq, (uint64_t)snap.nwallet,
	    snap.nsess, (pw_mono_us() - t0) / 1000);
	pw_snap_free(&snap);
}
