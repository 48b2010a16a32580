/*
 * What follows the last good record of the active file when it is
 * opened, and what is done with it.  No byte of the ledger is thrown
 * away: whatever is cut is first copied beside the log, synced, and
 * named in the daemon's log.
 *
 *  - A torn tail (junk after which no valid record starts) is what a
 *    write cut short leaves: copied aside, then cut, so that the next
 *    append does not bury it in the middle of the file.
 *  - A complete, valid record that is not the expected one (another seq,
 *    a link that does not extend the chain) is damage: refuse to start.
 *  - Junk followed by valid records is damage too, with one exception,
 *    the zero hole of a power cut.  The writer appends whole records and
 *    syncs at least every PW_UNSYNCED_MAX of them, and nothing counts an
 *    event before it is synced: the store marks an event logged only
 *    after its fsync, and playwavectl confirms a credit only once the
 *    store says so.  After a power cut the file system may show the
 *    unsynced tail with holes: pages never written read as zeros (or
 *    as stale blocks) between pages that were.  Such a hole (1) begins
 *    after the last seq known to be synced (the store's checkpoint or
 *    durable seq on disk: damage at or below it can only be rot),
 *    (2) lies within the last PW_UNSYNCED_MAX records of the file,
 *    and (3) leaves every valid record after it exactly where the one
 *    writer put it: at a record boundary, with the seq its offset
 *    implies, linked to its neighbour.  Under those three conditions
 *    nothing after the hole was ever counted or confirmed by anyone:
 *    it is set aside and cut like a torn tail, and the store, which
 *    still holds the state those events came from, has them logged
 *    again.  Anything else -- rot in synced records, a second writer,
 *    a splice -- refuses the start and names playwavectl log verify,
 *    which shows where.
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
#include "pw_billing.h"

#define PAGE	4096

static int
decode(const struct pw_seg *g, const uint8_t *r, struct pw_event *ev)
{
	return (g->format == 2 ? pw_event_decode(r, ev) :
	    pw_event_decode1(r, ev));
}

/* Condition (3): every valid record after the hole where it belongs. */
static int
in_place(const struct pw_seg *g, const struct pw_scan *sc)
{
	uint8_t r[2][PW_EV_SIZE];
	struct pw_event ev;
	uint64_t off, want;
	int cur = 0, prev_ok = 0;

	if (sc->next < sc->good || (sc->next - sc->good) % g->rec != 0)
		return (0);
	for (off = sc->good; off + g->rec <= sc->size; off += g->rec) {
		want = sc->last_seq + 1 + (off - sc->good) / g->rec;
		if (pread(g->fd, r[cur], g->rec, (off_t)off) !=
		    (ssize_t)g->rec)
			return (0);
		if (decode(g, r[cur], &ev) == -1) {
			prev_ok = 0;
			continue;
		}
		if (ev.seq != want || (g->format == 2 && prev_ok &&
		    !pw_event_chains(pw_event_link(r[!cur]), r[cur])))
			return (0);
		prev_ok = 1;
		cur = !cur;
	}
	return (1);
}

static int
power_hole(const struct pw_seg *g, const struct pw_scan *sc,
    const struct pw_blog_open *o)
{
	return (sc->next != 0 && sc->last_seq + 1 > o->durable_seq &&
	    sc->size - sc->good <= (uint64_t)PW_UNSYNCED_MAX * g->rec + PAGE &&
	    in_place(g, sc));
}

static int
copy_out(int from, uint64_t off, uint64_t end, int to)
{
	uint8_t buf[65536];
	ssize_t n;

	for (; off < end; off += (uint64_t)n) {
		n = pread(from, buf, end - off < sizeof(buf) ?
		    (size_t)(end - off) : sizeof(buf), (off_t)off);
		if (n <= 0 || write(to, buf, (size_t)n) != n) {
			if (n == 0)
				errno = EIO;
			return (-1);
		}
	}
	return (fsync(to));
}

/*
 * Copy [good, size) to <name>.torn-<last good seq>-<unix ms> beside the
 * log, created O_EXCL|O_NOFOLLOW and synced with its directory entry.
 */
static int
keep(struct pw_blog *b, const struct pw_scan *sc, char *kept, size_t keptlen)
{
	uint64_t ms = pw_now_ms();
	int fd, rc, n;

	/* A name of its own: never over an earlier copy. */
	for (n = 0, fd = -1; fd == -1 && n < 100; n++) {
		snprintf(kept, keptlen, "%s.torn-%" PRIu64 "-%" PRIu64 "%s%.0d",
		    b->name, sc->last_seq, ms, n > 0 ? "-" : "", n);
		fd = openat(b->dfd, kept, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd == -1 && errno != EEXIST)
			return (-1);
	}
	if (fd == -1)
		return (-1);
	rc = copy_out(b->fd, sc->good, sc->size, fd);
	if (close(fd) == -1 || rc == -1 || fsync(b->dfd) == -1)
		return (-1);
	return (0);
}

int
pw_blog_tail(struct pw_blog *b, const struct pw_seg *g,
    const struct pw_scan *sc, const struct pw_blog_open *o, char *err,
    size_t errlen)
{
	char kept[512];
	int hole;

	if (sc->stop == PW_STOP_END)
		return (0);
	hole = sc->stop == PW_STOP_DAMAGE && power_hole(g, sc, o);
	if (sc->stop == PW_STOP_DAMAGE && !hole) {
		snprintf(err, errlen, "%s: damaged at offset %" PRIu64 ": %s; "
		    "not a torn tail, so nothing is cut and playwaved does not "
		    "start: see playwavectl log verify", b->path, sc->good,
		    sc->why);
		return (-1);
	}
	if (keep(b, sc, kept, sizeof(kept)) == -1) {
		snprintf(err, errlen, "%s: cannot copy the %s at offset %"
		    PRIu64 " aside before cutting it (%s): nothing cut",
		    b->path, hole ? "hole" : "torn tail", sc->good,
		    strerror(errno));
		return (-1);
	}
	/* Cut before the first append, or it would bury the junk. */
	if (ftruncate(b->fd, (off_t)sc->good) == -1 || fsync(b->fd) == -1) {
		snprintf(err, errlen, "%s: cannot cut the torn tail: %s",
		    b->path, strerror(errno));
		return (-1);
	}
	log_warnx("billing log %s: %s of %" PRIu64 " bytes at offset %" PRIu64
	    " (%s; last good seq %" PRIu64 ") copied to %s and cut", b->path,
	    hole ? "the unsynced tail of a power cut, with a hole," :
	    "a torn tail", sc->size - sc->good, sc->good, sc->why,
	    sc->last_seq, kept);
	return (0);
}
