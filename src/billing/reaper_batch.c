/*
 * The reaper's events from the batch to the store.  Records are written
 * REAP_BATCH at a time; the store records an event (a session's marks, a
 * balance, an applied credit) only once the log holding it is synced.
 * The store can then never be ahead of the log on disk: a power cut may
 * take the log's unsynced tail, and the store's pages may all have
 * reached the disk, yet the store says nothing the log lost.  Until
 * then the events stay here, applied by the next commit: at the end of
 * every pass (billing-fsync interval), or after every write (always).
 * A wallet's balance after the events not yet applied is its shadow.
 */
#include <sys/types.h>

#include <errno.h>
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
	r->sh[r->nsh].wallet = w;
	r->sh[r->nsh].balance = atomic_load(&w->u.w.balance);
	return (&r->sh[r->nsh++].balance);
}

static void
apply_one(struct pw_reap *r, const struct apply *a)
{
	struct pw_gs *g = &a->slot->u.gs;
	uint64_t w;

	switch (a->kind) {
	case AP_START:
		atomic_fetch_or(&g->logged, PW_LOGGED_START);
		break;
	case AP_CHARGE:
		atomic_store(&g->logged, (atomic_load(&g->logged) &
		    ~0x3fffffffu) | a->minute);
		if (a->wallet == NULL)		/* price 0: nothing held */
			break;
		atomic_store(&a->wallet->u.w.balance, a->balance);
		atomic_fetch_sub(&a->wallet->u.w.hold, a->amount);
		break;
	case AP_END:
		atomic_fetch_or(&g->logged, PW_LOGGED_END);
		pw_count(r->st, PW_C_GS_ENDED + a->reason, 1);
		break;
	case AP_CREDIT:
		/* Balance first, hold after: the available never looks larger. */
		atomic_store(&a->wallet->u.w.balance, a->balance);
		atomic_store(&a->slot->u.cr.balance, a->balance);
		w = pw_slot_word(a->slot);
		if (pw_slot_cas(a->slot, &w, PW_W_WITH(w, PW_CREDIT_APPLIED, 0,
		    0)) && a->amount != 0)
			atomic_fetch_sub(&a->wallet->u.w.hold, a->amount);
		break;
	}
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
		if (r->ap[i].kind == AP_CREDIT && r->ap[i].amount != 0)
			atomic_fetch_sub(&r->ap[i].wallet->u.w.hold,
			    r->ap[i].amount);
	r->pending += (uint64_t)r->nbuf;
	r->blog.last_seq -= (uint64_t)r->nbuf;
	r->nap -= (size_t)r->nbuf;
	r->nbuf = 0;
}

static int
write_buf(struct pw_reap *r)
{
	size_t len = (size_t)r->nbuf * PW_EV_SIZE;

	if (r->nbuf == 0)
		return (0);
	if (pw_blog_append(&r->blog, r->buf, len) == -1) {
		/* For GET /readyz: the log is not being written. */
		atomic_store(&r->st->hdr->ledger.write_errno,
		    (uint32_t)(errno != 0 ? errno : EIO));
		atomic_store(&r->st->hdr->ledger.write_error_ms, pw_now_ms());
		pw_count(r->st, PW_C_BILL_ERRORS, 1);
		if (!r->failing || pw_mono_us() - r->last_err_us > 10000000) {
			log_warn("billing log write (%d events stay pending "
			    "in the store)", r->nbuf);
			r->last_err_us = pw_mono_us();
		}
		r->failing = 1;
		drop(r);
		return (-1);
	}
	if (r->failing)
		log_info("billing log writable again");
	r->failing = 0;
	atomic_store(&r->st->hdr->ledger.write_errno, 0);
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
 * master starts another, which reconciles the store with the log.
 */
static void
sync_log(struct pw_reap *r)
{
	uint64_t durable;

	if (fsync(r->blog.fd) == 0) {
		atomic_store(&r->st->hdr->durable_seq, r->blog.last_seq);
		return;
	}
	durable = atomic_load(&r->st->hdr->durable_seq);
	if (ftruncate(r->blog.fd, (off_t)(durable * PW_EV_SIZE)) == -1 ||
	    fsync(r->blog.fd) == -1)
		fatal("billing log fsync failed, and so did cutting it back "
		    "to seq %llu", (unsigned long long)durable);
	fatal("billing log fsync failed: cut back to seq %llu, the reaper "
	    "restarts", (unsigned long long)durable);
}

int
reap_commit(struct pw_reap *r)
{
	size_t i;
	int rc;

	rc = write_buf(r);
	if (r->nap > 0) {
		sync_log(r);
		for (i = 0; i < r->nap; i++)
			apply_one(r, &r->ap[i]);
		atomic_store(&r->st->hdr->logged_seq, r->blog.last_seq);
		r->nap = 0;
	}
	r->nsh = 0;
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
	const struct pw_game *g;

	memset(ev, 0, sizeof(*ev));
	ev->seq = ++r->blog.last_seq;
	ev->ts_ms = r->wall_ms;
	ev->type = type;
	memcpy(ev->id, id, 16);
	if (game != 0) {
		if ((g = pw_config_game_by_hash(r->cfg, game)) != NULL)
			strlcpy(ev->game, g->id, sizeof(ev->game));
		else
			snprintf(ev->game, sizeof(ev->game), "#%08x", game);
	}
	return (ev);
}

void
reap_emit(struct pw_reap *r, const struct pw_event *ev, const struct apply *a)
{
	pw_event_encode(ev, r->buf + (size_t)r->nbuf * PW_EV_SIZE);
	r->nbuf++;
	r->ap[r->nap++] = *a;
}
