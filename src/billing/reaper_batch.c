/*
 * The reaper's events from the batch to the store.  Records are written
 * REAP_BATCH at a time, each linked to the one before; the store records
 * an event (a session's marks, a balance, an applied credit) only once
 * the log holding it is synced, through the one applier (apply.c).  The
 * store can then never be ahead of the log on disk: a power cut may take
 * the log's unsynced tail, and the store's pages may all have reached
 * the disk, yet the store says nothing the log lost -- and playwavectl,
 * which confirms a credit only once the store shows it applied, never
 * confirms one the log could lose.  Until then the events stay here,
 * applied by the next commit: at the end of every pass (billing-fsync
 * interval), or after every write (always).  A wallet's balance after
 * the events not yet applied is its shadow.
 */
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_session.h"
#include "reap.h"

int
reap_batch_init(struct pw_reap *r)
{
	r->ap = calloc(REAP_COMMIT_MAX, sizeof(*r->ap));
	r->sh = calloc(REAP_SHADOW_MAX, sizeof(*r->sh));
	if (r->ap == NULL || r->sh == NULL) {
		reap_batch_free(r);
		return (-1);
	}
	return (0);
}

void
reap_batch_free(struct pw_reap *r)
{
	free(r->ap);
	free(r->sh);
	r->ap = NULL;
	r->sh = NULL;
}

int64_t *
reap_shadow(struct pw_reap *r, struct pw_slot *w)
{
	size_t i;

	for (i = 0; i < r->nsh; i++)
		if (r->sh[i].wallet == w)
			return (&r->sh[i].balance);
	PW_ASSERT(r->nsh < REAP_SHADOW_MAX);
	r->sh[r->nsh].wallet = w;
	r->sh[r->nsh].balance = pw_wallet_logged(w);
	return (&r->sh[r->nsh++].balance);
}

/*
 * The records in buf not written: forget them, and their debits give
 * their holds back, to be reserved again when they are, since their
 * records are still queued.  The shadows counted them: no event is made
 * again before the commit that clears them (reap_room refuses).
 */
static void
drop(struct pw_reap *r)
{
	size_t i;

	for (i = r->nap - (size_t)r->nbuf; i < r->nap; i++)
		if (r->ap[i].held != 0)
			pw_wallet_release(r->ap[i].h.wallet, r->ap[i].held);
	r->pending += (uint64_t)r->nbuf;
	r->seq = r->blog.last_seq;
	memcpy(r->bhead, r->blog.head, PW_LINK_LEN);
	r->nap -= (size_t)r->nbuf;
	r->nbuf = 0;
}

static void
write_error(struct pw_reap *r, int e)
{
	pw_count(r->st, PW_C_BILL_ERRORS, 1);
	atomic_store(&r->st->hdr->ledger.write_errno, (uint32_t)e);
	atomic_store(&r->st->hdr->ledger.write_error_ms, pw_now_ms());
	if (!r->failing || pw_mono_us() - r->last_err_us > 10000000) {
		log_warnx("billing log write: %s (%d events stay pending in the "
		    "store, written once it can be)", strerror(e), r->nbuf);
		r->last_err_us = pw_mono_us();
	}
	r->failing = 1;
}

static int
write_buf(struct pw_reap *r)
{
	size_t len = (size_t)r->nbuf * PW_EV_SIZE, first;

	if (r->nbuf == 0)
		return (0);
	/* The batch's bounds, and its seqs right after the file's. */
	PW_ASSERT(r->nbuf <= REAP_BATCH && (size_t)r->nbuf <= r->nap);
	first = r->nap - (size_t)r->nbuf;
	PW_ASSERT(r->ap[first].ev.seq == r->blog.last_seq + 1 &&
	    r->ap[r->nap - 1].ev.seq == r->blog.last_seq + (uint64_t)r->nbuf);
	if (pw_blog_append(&r->blog, r->buf, len) == -1) {
		write_error(r, errno);
		drop(r);
		return (-1);
	}
	if (r->failing) {
		log_info("billing log writable again");
		atomic_store(&r->st->hdr->ledger.write_errno, 0);
	}
	r->failing = 0;
	r->blog.last_seq += (uint64_t)r->nbuf;
	memcpy(r->blog.head, r->bhead, PW_LINK_LEN);
	pw_count(r->st, PW_C_BILL_EVENTS, (uint64_t)r->nbuf);
	pw_count(r->st, PW_C_BILL_BYTES, len);
	r->nbuf = 0;
	return (0);
}

/*
 * A failed fsync leaves it unknown what of the log is on disk (the
 * kernel may have dropped the pages it could not write): applying the
 * events could put the store ahead of the log, not applying them would
 * log them twice.  Nor may they stay in the file: Linux reports a
 * write-back error once per open file, and the next reaper, on the same
 * descriptor, would read them back from the page cache and count them.
 * So they are cut back to the last synced record -- the store counts
 * none of them, and they are derived again -- and the reaper exits; the
 * master starts another, which reconciles the store with the log.  A
 * disk that is full fails here or in the write: either way nothing the
 * store counts is lost, and the events are written once there is room.
 */
static void
sync_log(struct pw_reap *r)
{
	uint64_t durable, off;

	if (pw_fault_fsync(r->blog.fd) == 0) {
		atomic_store(&r->st->hdr->durable_seq, r->blog.last_seq);
		return;
	}
	write_error(r, errno);
	durable = atomic_load(&r->st->hdr->durable_seq);
	PW_ASSERT(durable + 1 >= r->blog.first_seq);
	off = r->blog.data_off + (durable + 1 - r->blog.first_seq) *
	    PW_EV_SIZE;
	if (ftruncate(r->blog.fd, (off_t)off) == -1 || fsync(r->blog.fd) == -1)
		fatal("billing log fsync failed, and so did cutting it back "
		    "to seq %" PRIu64, durable);
	fatal("billing log fsync failed: cut back to seq %" PRIu64 ", the "
	    "reaper restarts", durable);
}

/* A credit or debit is confirmed: who asked for it, in the daemon's log. */
static void
applied(const struct pending *p)
{
	const struct pw_credit *cr = &p->h.slot->u.cr;
	char id[64];

	(void)pw_id_format(PW_T_CREDIT, p->ev.id, id, sizeof(id));
	log_info("wallet %s: %s %s of %lld applied at seq %" PRIu64 ", "
	    "balance %lld, asked by %s%s%s%s", p->ev.wallet,
	    pw_ev_type_name(p->ev.type), id, (long long)p->ev.amount,
	    p->ev.seq, (long long)p->ev.balance, cr->operator[0] != '\0' ?
	    cr->operator : "(unknown)", p->ev.memo[0] != '\0' ? ", memo \"" :
	    "", p->ev.memo, p->ev.memo[0] != '\0' ? "\"" : "");
}

/* The chain's head, for playwavectl: the link first, then its seq. */
static void
publish_head(struct pw_reap *r)
{
	struct pw_ledger_state *l = &r->st->hdr->ledger;

	atomic_store(&l->head_seq, 0);
	memcpy(l->head_link, r->blog.head, PW_LINK_LEN);
	atomic_store(&l->head_seq, r->blog.last_seq);
	atomic_store(&r->st->hdr->logged_seq, r->blog.last_seq);
}

int
reap_commit(struct pw_reap *r)
{
	size_t i;
	int rc;

	rc = write_buf(r);
	if (r->nap > 0) {
		sync_log(r);
		for (i = 0; i < r->nap; i++) {
			/* Seqs run on without a gap, all of them synced. */
			PW_ASSERT(r->ap[i].ev.seq == r->blog.last_seq -
			    (r->nap - 1 - i));
			pw_apply_event(r->st, &r->ap[i].ev, &r->ap[i].h, NULL,
			    PW_APPLY_RELEASE | PW_APPLY_BALANCE);
			if (pw_ev_of_credit(r->ap[i].ev.type))
				applied(&r->ap[i]);
		}
		publish_head(r);
		r->nap = 0;
	}
	r->nsh = 0;
	if (r->blog.size >= r->cfg->billing_segment_size)
		reap_rotate(r);
	return (rc);
}

/*
 * Once a write failed in this pass nothing more is made (the shadows
 * still count what was dropped); the next pass tries again.
 */
int
reap_room(struct pw_reap *r, int n)
{
	if (r->failing && r->nbuf == 0 && r->pending > 0)
		return (-1);
	if (r->nbuf + n > REAP_BATCH) {
		if (write_buf(r) == -1)
			return (-1);
		if (r->cfg->billing_fsync == PW_FSYNC_ALWAYS)
			(void)reap_commit(r);
	}
	if ((r->nap + (size_t)n > REAP_COMMIT_MAX ||
	    r->nsh >= REAP_SHADOW_MAX) && reap_commit(r) == -1)
		return (-1);
	return (0);
}

struct pw_event *
reap_event(struct pw_reap *r, struct pw_event *ev, unsigned type,
    const uint8_t id[16], uint32_t game)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = ++r->seq;
	ev->ts_ms = r->wall_ms;
	ev->type = type;
	memcpy(ev->id, id, 16);
	if (game != 0)
		reap_game_name(r->cfg, game, ev->game);
	return (ev);
}

void
reap_emit(struct pw_reap *r, const struct pw_event *ev, struct pw_slot *slot,
    struct pw_slot *wallet, int64_t held)
{
	uint8_t *rec;

	PW_ASSERT(r->nbuf < REAP_BATCH && r->nap < REAP_COMMIT_MAX);
	rec = r->buf + (size_t)r->nbuf * PW_EV_SIZE;
	pw_event_encode(ev, r->bhead, rec);
	memcpy(r->bhead, pw_event_link(rec), PW_LINK_LEN);
	r->nbuf++;
	r->ap[r->nap].ev = *ev;
	r->ap[r->nap].h.slot = slot;
	r->ap[r->nap].h.wallet = wallet;
	r->ap[r->nap++].held = held;
}
