/*
 * Reading one file of the billing log: its records in order, each
 * checked alone (its own check), in sequence (seq n + 1 after n) and,
 * in format 2, in the chain (its link extends the previous one's), and
 * what stopped the reading when the file goes on after the last good
 * record:
 *
 *  - a complete record that is valid but not the expected one (another
 *    seq, or a link that does not extend the chain) is damage: two
 *    writers, a record edited and re-checked, a file spliced.  Never a
 *    torn tail, whatever follows it;
 *  - junk (a short record, zero bytes, a failed check) after which no
 *    valid record starts, at any byte, is a torn tail;
 *  - junk followed by a valid record is damage; the active file's
 *    opener decides whether it is a power cut's hole (blog_tail.c).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sha2.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_segment.h"

#define NREC		256	/* records a read(2) */

static int
decode(const struct pw_seg *g, const uint8_t *r, struct pw_event *ev)
{
	return (g->format == 2 ? pw_event_decode(r, ev) :
	    pw_event_decode1(r, ev));
}

int
pw_seg_find(const struct pw_seg *g, uint64_t seq, uint64_t *off,
    uint8_t link[PW_LINK_LEN])
{
	uint8_t r[PW_EV_SIZE];
	struct pw_event ev;
	uint64_t at;

	if (g->format == 2 && seq == g->first_seq - 1) {
		*off = g->data_off;
		memcpy(link, g->start, PW_LINK_LEN);
		return (0);
	}
	if (g->format == 0 || seq < g->first_seq)
		return (-1);
	at = g->data_off + (seq - g->first_seq) * g->rec;
	if (pread(g->fd, r, g->rec, (off_t)at) != (ssize_t)g->rec ||
	    decode(g, r, &ev) == -1 || ev.seq != seq)
		return (-1);
	*off = at + g->rec;
	if (g->format == 2)
		memcpy(link, ev.link, PW_LINK_LEN);
	return (0);
}

/* After junk at off: where the first valid record after it starts, or 0. */
static uint64_t
valid_after(const struct pw_seg *g, uint64_t off, uint64_t size,
    uint64_t last_seq)
{
	uint8_t buf[65536 + PW_EV_SIZE];
	struct pw_event ev;
	uint64_t pos;
	ssize_t n, i;

	for (pos = off + 1; pos + g->rec <= size; pos += 65536) {
		n = pread(g->fd, buf, sizeof(buf), (off_t)pos);
		if (n < (ssize_t)g->rec)
			return (0);
		/* At every byte: records written after a half one are not
		 * aligned. */
		for (i = 0; i + (ssize_t)g->rec <= n && i < 65536; i++)
			if (buf[i] == 'P' && decode(g, buf + i, &ev) == 0 &&
			    ev.seq > last_seq)
				return (pos + (uint64_t)i);
	}
	return (0);
}

static const char *
junk_kind(const uint8_t *r, unsigned len, const struct pw_seg *g)
{
	unsigned i;

	if (len < g->rec)
		return ("a short record");
	for (i = 0; i < len && r[i] == 0; i++)
		;
	if (i == len)
		return ("zero bytes");
	if (memcmp(r, g->format == 2 ? PW_EV_MAGIC : PW_EV1_MAGIC, 4) != 0)
		return ("no record magic");
	return ("a record whose check fails");
}

/* Why the scan stopped at sc->good, whose expected seq is last + 1. */
static void
classify(const struct pw_seg *g, const uint8_t *r, unsigned len,
    struct pw_scan *sc)
{
	struct pw_event ev;
	uint64_t want = sc->last_seq + 1;

	if (len == 0) {
		sc->stop = PW_STOP_END;
		return;
	}
	if (len >= g->rec && decode(g, r, &ev) == 0) {
		sc->stop = PW_STOP_DAMAGE;
		if (ev.seq != want)
			snprintf(sc->why, sizeof(sc->why), "a valid record with "
			    "seq %" PRIu64 " where seq %" PRIu64 " belongs",
			    ev.seq, want);
		else
			snprintf(sc->why, sizeof(sc->why), "the link of seq %"
			    PRIu64 " does not extend the chain (edited, or not "
			    "written after seq %" PRIu64 ")", want, want - 1);
		return;
	}
	sc->next = valid_after(g, sc->good, sc->size, sc->last_seq);
	sc->stop = sc->next != 0 ? PW_STOP_DAMAGE : PW_STOP_TORN;
	if (sc->next != 0)
		snprintf(sc->why, sizeof(sc->why), "%s at seq %" PRIu64 ", "
		    "then valid records from offset %" PRIu64,
		    junk_kind(r, len, g), want, sc->next);
	else
		snprintf(sc->why, sizeof(sc->why), "%s at seq %" PRIu64
		    " (%" PRIu64 " bytes to the end)", junk_kind(r, len, g),
		    want, sc->size - sc->good);
}

/* The next record of the scan; 0 to go on, 1 to stop there. */
static int
step(const struct pw_seg *g, const uint8_t *r, struct pw_scan *sc,
    struct pw_event *ev)
{
	if (decode(g, r, ev) == -1 || ev->seq != sc->last_seq + 1 ||
	    (g->format == 2 && !pw_event_chains(sc->head, r)))
		return (1);
	sc->last_seq = ev->seq;
	if (g->format == 2)
		memcpy(sc->head, ev->link, PW_LINK_LEN);
	ev->raw = r;
	return (0);
}

static void
scan_begin(const struct pw_seg *g, uint64_t from_seq, struct pw_scan *sc)
{
	struct stat sb;

	memset(sc, 0, sizeof(*sc));
	/* The active file grows while a reader reads it. */
	sc->size = fstat(g->fd, &sb) == 0 ? (uint64_t)sb.st_size : g->size;
	sc->good = g->data_off;
	sc->last_seq = g->first_seq - 1;
	memcpy(sc->head, g->start, PW_LINK_LEN);
	if (from_seq >= g->first_seq && from_seq != sc->last_seq &&
	    pw_seg_find(g, from_seq, &sc->good, sc->head) == 0)
		sc->last_seq = from_seq;
	sc->from_seq = sc->last_seq;
}

int
pw_seg_scan(const struct pw_seg *g, uint64_t from_seq, pw_blog_fn fn,
    void *arg, struct pw_scan *sc)
{
	uint8_t buf[PW_EV_SIZE * NREC];
	struct pw_event ev;
	struct stat sb;
	unsigned len;
	ssize_t n, i;

	scan_begin(g, from_seq, sc);
	if (g->format == 0) {
		sc->stop = PW_STOP_END;
		return (0);
	}
	for (;;) {
		n = pread(g->fd, buf, (size_t)g->rec * NREC, (off_t)sc->good);
		if (n == -1)
			return (-1);
		for (i = 0; i + (ssize_t)g->rec <= n; i += g->rec) {
			if (step(g, buf + i, sc, &ev) != 0)
				goto stop;
			sc->good += g->rec;
			if (fn != NULL && fn(&ev, sc->good - g->rec, arg) != 0) {
				sc->stop = PW_STOP_END;
				return (0);
			}
		}
		if (n < (ssize_t)g->rec * NREC)
			break;
	}
stop:
	len = (unsigned)(n - i > (ssize_t)g->rec ? g->rec : n - i);
	if (fstat(g->fd, &sb) == -1)
		return (-1);
	sc->size = (uint64_t)sb.st_size;
	if (sc->size < sc->good + len)
		sc->size = sc->good + len;	/* read past a cut: as read */
	classify(g, buf + i, len, sc);
	return (0);
}

/* SHA-256 of a whole file: c_0 after a file of format 1. */
int
pw_seg_digest(int fd, uint8_t out[PW_LINK_LEN])
{
	uint8_t buf[65536];
	SHA2_CTX ctx;
	off_t off = 0;
	ssize_t n;

	SHA256Init(&ctx);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		SHA256Update(&ctx, buf, (size_t)n);
		off += n;
	}
	SHA256Final(out, &ctx);
	return (n == -1 ? -1 : 0);
}
