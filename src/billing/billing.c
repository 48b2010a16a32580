/*
 * The billing log's active file: opened for appending after its tail was
 * read (and a torn one set aside, blog_tail.c), appended to with one
 * write(2) per batch, one event at a time by the start-up recovery.
 * Which events are written when is the reaper's business (reaper_pass.c,
 * reconcile.c); where a field goes is record.c's.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_file.h"
#include "pw_segment.h"

static int
open_fail(struct pw_blog *b, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", b->path, what);
	pw_blog_close(b);
	return (-1);
}

int
pw_blog_open(struct pw_blog *b, int dfd, const char *path,
    const struct pw_blog_open *o, char *err, size_t errlen)
{
	char dir[1024], e[512];
	struct pw_scan sc;
	struct pw_seg g;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->dfd = dfd;
	strlcpy(b->path, path, sizeof(b->path));
	strlcpy(b->name, pw_file_split(path, dir, sizeof(dir)), sizeof(b->name));
	/* Never through a link: a torn tail is cut from what is opened. */
	if ((b->fd = pw_file_openat(dfd, b->name, O_RDWR | O_APPEND |
	    O_CLOEXEC, 0, PW_OWNER_KEEP, e, sizeof(e))) == -1) {
		snprintf(err, errlen, "%s", e);
		return (-1);
	}
	if (pw_seg_open(&g, b->fd, NULL, e, sizeof(e)) == -1)
		return (open_fail(b, err, errlen, e));
	if (pw_seg_scan(&g, o->from_seq, NULL, NULL, &sc) == -1)
		return (open_fail(b, err, errlen, strerror(errno)));
	b->format = g.format;
	b->first_seq = g.first_seq;
	b->data_off = g.data_off;
	if (pw_blog_tail(b, &g, &sc, o, err, errlen) == -1) {
		pw_blog_close(b);
		return (-1);
	}
	b->size = sc.good;
	b->last_seq = sc.last_seq;
	memcpy(b->head, sc.head, PW_LINK_LEN);
	b->nevents = g.rec != 0 ? (sc.good - g.data_off) / g.rec : 0;
	return (0);
}

int
pw_blog_append(struct pw_blog *b, const void *buf, size_t n)
{
	ssize_t w;
	int e;

	w = pw_fault_write(b->fd, buf, n);
	if (w == (ssize_t)n) {
		b->size += n;
		b->nevents += n / (b->format == 1 ? PW_EV1_SIZE : PW_EV_SIZE);
		return (0);
	}
	e = w == -1 ? errno : ENOSPC;
	/* A short write would leave half a record: take it back. */
	if (w > 0 && ftruncate(b->fd, (off_t)b->size) == -1)
		log_warn("billing log: cannot cut a short write");
	errno = e;
	return (-1);
}

int
pw_blog_put(struct pw_blog *b, struct pw_event *ev)
{
	uint8_t r[PW_EV_SIZE];
	size_t n;

	ev->seq = b->last_seq + 1;
	/* A file of format 1 is finished in format 1 (bridge.c). */
	if (b->format == 1) {
		pw_event_encode1(ev, r);
		n = PW_EV1_SIZE;
	} else {
		pw_event_encode(ev, b->head, r);
		n = PW_EV_SIZE;
	}
	if (pw_blog_append(b, r, n) == -1)
		return (-1);
	b->last_seq = ev->seq;
	if (b->format == 2)
		memcpy(b->head, pw_event_link(r), PW_LINK_LEN);
	return (0);
}

void
pw_blog_close(struct pw_blog *b)
{
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
}
