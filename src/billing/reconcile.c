/*
 * Start-up reconciliation of the store with the billing log, the log
 * winning.  The master runs it before any worker serves, the reaper again
 * whenever it (re)starts.
 *
 * The hand-off between store and log (the reaper is the only writer of
 * both the log and the "logged" marks):
 *
 *  1. State changes happen in the store first, each one CAS on a slot
 *     word: a session starts, a minute is billed (the billed count lives
 *     in the same word as the state), a session ends, a credit is queued.
 *  2. The reaper derives events from the difference between a slot's
 *     state and its marks (START logged, charges logged, END logged),
 *     appends them with one write(2) per batch, and only then sets the
 *     marks and the wallet balances in the store.
 *  3. A slot is freed only after its END is logged and fsync'ed.
 *
 * A SIGKILL anywhere leaves events in the store not yet in the log
 * (derived again: nothing lost) or events in the log whose marks were
 * not set (they would be logged twice).  A power cut does worse: any
 * page of the store may be older than the log (checkpoint.c), so a
 * logged END may read as a live session, a logged CHARGE as an unbilled
 * minute, a consumed OTT as issued, a logged credit as queued.  Both are
 * closed here by reading the log after the store's checkpoint
 * (ledger.c) and making the store say at least what the log says, each
 * event through the one applier the reaper uses too (apply.c):
 *
 *  - a session whose END is logged is ended, with the log's reason and
 *    billed minutes (never revived);
 *  - billed minutes and charge marks are at least the logged CHARGEs;
 *  - every wallet the log touched has the log's balance;
 *  - an OTT whose session's START is logged is consumed (a session id
 *    is keyed to its OTT, gsession.c);
 *  - a logged credit or debit is applied and not applied again (a
 *    debit's hold given back), an applied one the log lacks queued again;
 *  - a session the log shows open but the store has lost ends LOST.
 *
 * With a new store (checkpoint 0) this reads the newest segment, from
 * its snapshot on: that is how wallets are rebuilt.  What it changed goes
 * to the daemon's log, the store header (metrics, playwavectl log
 * verify).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_daemon.h"
#include "pw_ledger.h"
#include "pw_session.h"
#include "reap.h"

struct rec {
	struct pw_store		*st;
	const struct pw_config	*cfg;
	struct pw_ledger	 l;
	struct pw_recon		 n;
	int			 full;	/* the whole log was read */
	int			 holds;	/* the master's: it recomputes holds */
};

/* Each event read, applied as the reaper would have (apply.c). */
static int
apply_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct rec *r = arg;

	pw_apply_event(r->st, ev, NULL, &r->n, r->holds ? 0 :
	    PW_APPLY_RELEASE);
	return (0);
}

/* The session the log shows open is gone from the store: END LOST. */
static int
session_lost(struct rec *r, struct pw_blog *b, const struct pw_lsess *ls)
{
	struct pw_slot *w;
	struct pw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = pw_now_ms();
	ev.type = PW_EV_END;
	ev.reason = PW_R_LOST;
	ev.minute = ls->charges;
	ev.amount = ls->charged;
	/* The wallets are the log's already (apply_wallets). */
	w = ls->wallet[0] != '\0' ? pw_wallet_find(r->st, ls->wallet) : NULL;
	ev.balance = w != NULL ? pw_wallet_logged(w) : ls->balance;
	memcpy(ev.id, ls->id, 16);
	strlcpy(ev.game, ls->game, sizeof(ev.game));
	strlcpy(ev.wallet, ls->wallet, sizeof(ev.wallet));
	if (pw_blog_put(b, &ev) == -1)
		return (-1);
	r->n.lost++;
	atomic_fetch_add(&r->st->hdr->cells[PW_CELL_REAPER].c[
	    PW_C_GS_ENDED + PW_R_LOST], 1);
	return (0);
}

/*
 * A session read from its START on (or from a snapshot holding it) is
 * known whole: its marks are exactly the log's, lower ones included --
 * an event the store counts and the log lacks was never durable, and is
 * logged again.  A session adopted after the checkpoint is known only in
 * part: the applier raised its marks, and that is all.
 */
static void
exact_marks(struct rec *r, struct pw_slot *s, const struct pw_lsess *ls)
{
	uint32_t old, m, charges;

	charges = ls->cafe ? ls->charges : 0;
	m = PW_LOGGED_START | charges | (ls->ended ? PW_LOGGED_END : 0);
	old = atomic_load(&s->u.gs.logged);
	if (old == m)
		return;
	atomic_store(&s->u.gs.logged, m);
	/*
	 * Charges to be logged again hold again when the master recomputes
	 * every hold; a restarted reaper gave their holds back already.
	 */
	if (r->holds && PW_LOGGED_CHARGES(old) > charges)
		atomic_store(&s->u.gs.unheld, charges);
	r->n.marks++;
}

static int
apply_sessions(struct rec *r, struct pw_blog *b)
{
	struct pw_lsess *ls;
	struct pw_slot *s;
	size_t i;

	for (i = 0; i < r->l.scap; i++) {
		ls = &r->l.s[i];
		if (!ls->used || ls->credit)
			continue;
		if ((s = pw_store_find(r->st, ls->id, PW_T_GS, NULL)) != NULL) {
			if (ls->started)
				exact_marks(r, s, ls);
		} else if (!ls->ended && session_lost(r, b, ls) == -1)
			return (-1);
	}
	return (0);
}

static void
apply_wallets(struct rec *r)
{
	struct pw_lwallet *lw;
	struct pw_slot *w;
	size_t i;

	for (i = 0; i < r->l.wcap; i++) {
		lw = &r->l.w[i];
		if (!lw->used || (w = pw_wallet_open(r->st, lw->name)) == NULL)
			continue;
		if (pw_wallet_set_logged(w, lw->balance) != lw->balance)
			r->n.wallets++;
	}
}

/* An OTT whose session exists, in the log or in the store, is spent. */
static void
ott_spent(struct rec *r, struct pw_slot *s, uint64_t w)
{
	uint8_t key[PW_KEY_LEN];

	if (PW_W_STATE(w) != PW_OTT_ISSUED)
		return;
	pw_gs_key_of_ott(r->st, s->key, key);
	if (pw_ledger_session(&r->l, key) == NULL &&
	    pw_store_find(r->st, key, PW_T_GS, NULL) == NULL)
		return;
	if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_CONSUMED, 0, 0)))
		r->n.otts++;
}

/* The whole log was read: what it does not mention was never logged. */
static void
full_slot(struct rec *r, struct pw_slot *s, uint64_t w)
{
	switch (PW_W_TYPE(w)) {
	case PW_T_GS:
		if (pw_ledger_session(&r->l, s->key) == NULL &&
		    atomic_exchange(&s->u.gs.logged, 0) != 0)
			r->n.marks++;
		break;
	case PW_T_WALLET:
		if (pw_ledger_wallet(&r->l, s->u.w.name) == NULL &&
		    pw_wallet_set_logged(s, 0) != 0)
			r->n.wallets++;
		break;
	case PW_T_CREDIT:
		/*
		 * Applied in the store, missing from the log: log it again.
		 * A debit holds nothing while queued; it is reserved anew.
		 */
		if (pw_ledger_session(&r->l, s->key) == NULL &&
		    PW_W_STATE(w) == PW_CREDIT_APPLIED)
			(void)pw_slot_cas(s, &w, PW_W_WITH(w, PW_CREDIT_READY, 0,
			    0));
		break;
	}
}

/*
 * Holds are recomputed only when no worker runs (the master, at start):
 * each live cafe session holds what it has billed and not yet logged.
 */
static void
recompute_holds(struct rec *r)
{
	const struct pw_cafe *c;
	struct pw_slot *s, *w;
	uint64_t i, word;
	int64_t owed;

	for (i = 0; i <= r->st->mask; i++) {
		s = &r->st->slots[i];
		word = pw_slot_word(s);
		if (PW_W_STATUS(word) == PW_ST_LIVE &&
		    PW_W_TYPE(word) == PW_T_WALLET)
			pw_wallet_hold_reset(s);
	}
	for (i = 0; i <= r->st->mask; i++) {
		s = &r->st->slots[i];
		word = pw_slot_word(s);
		if (PW_W_STATUS(word) != PW_ST_LIVE ||
		    PW_W_TYPE(word) != PW_T_GS || s->u.gs.cafe == 0)
			continue;
		owed = ((int64_t)PW_W_HI(word) - (int64_t)PW_LOGGED_CHARGES(
		    atomic_load(&s->u.gs.logged))) * s->u.gs.price;
		if (owed > 0 && (c = pw_config_cafe_by_hash(r->cfg,
		    s->u.gs.cafe)) != NULL &&
		    (w = pw_wallet_find(r->st, c->id)) != NULL)
			pw_wallet_hold_add(w, owed);
	}
}

static void
scan_slots(struct rec *r, int holds)
{
	struct pw_slot *s;
	uint64_t i, w;

	for (i = 0; i <= r->st->mask; i++) {
		s = &r->st->slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) != PW_ST_LIVE)
			continue;
		if (PW_W_TYPE(w) == PW_T_OTT)
			ott_spent(r, s, w);
		else if (r->full)
			full_slot(r, s, w);
	}
	if (holds)
		recompute_holds(r);
}

static void
report(struct rec *r, uint64_t t0)
{
	struct pw_recon *n = &r->n;

	n->ms = pw_now_ms();
	n->us = pw_mono_us() - t0;
	r->st->hdr->recon = *n;
	/* Quiet when the store agreed with the log (every normal start). */
	if (n->ended + n->minutes + n->marks + n->wallets + n->otts +
	    n->credits + n->lost + n->mended == 0) {
		log_debug("store agrees with the billing log (seq %llu-%llu)",
		    (unsigned long long)n->from_seq,
		    (unsigned long long)n->to_seq);
		return;
	}
	log_warnx("reconciled the store with the billing log (seq %llu-%llu, "
	    "%llu events, %llu ms): %llu ended, %llu minutes, %llu marks, "
	    "%llu wallets, %llu OTTs, %llu credits, %llu lost, %llu probe "
	    "holes mended",
	    (unsigned long long)n->from_seq, (unsigned long long)n->to_seq,
	    (unsigned long long)r->l.events, (unsigned long long)n->us / 1000,
	    (unsigned long long)n->ended, (unsigned long long)n->minutes,
	    (unsigned long long)n->marks, (unsigned long long)n->wallets,
	    (unsigned long long)n->otts, (unsigned long long)n->credits,
	    (unsigned long long)n->lost, (unsigned long long)n->mended);
}

/*
 * Where the read begins: after the checkpoint; for a new store (or one
 * whose checkpoint the log does not reach), at the newest segment's
 * snapshot.
 */
static uint64_t
read_from(struct pw_store *st, const struct pw_blog *b)
{
	uint64_t from;

	from = atomic_load(&st->hdr->ckpt_seq);
	if (from > b->last_seq) {
		log_warnx("store checkpoint at seq %" PRIu64 " is past the "
		    "billing log's end (seq %" PRIu64 "): reading the log from "
		    "its newest snapshot", from, b->last_seq);
		from = 0;
	}
	if (from == 0 && b->format == 2)
		from = b->first_seq - 1;
	return (from);
}

static int
read_log(struct rec *r, struct pw_blog *b)
{
	struct pw_logset ls;
	struct pw_scan sc;
	char err[600], where[1100];
	int rc;

	if (pw_logset_open(&ls, b->path, NULL, err, sizeof(err)) == -1) {
		log_warnx("billing log: %s", err);
		return (-1);
	}
	r->l.hook = apply_one;
	r->l.hook_arg = r;
	rc = pw_ledger_read(&r->l, &ls, 0, &sc, where, sizeof(where));
	pw_logset_close(&ls);
	if (rc == -1)
		return (-1);
	/* The active file was opened at its end: anything else is damage. */
	if (sc.last_seq != b->last_seq) {
		log_warnx("billing log: %s: %s (read to seq %" PRIu64 " of %"
		    PRIu64 ")", where, sc.why, sc.last_seq, b->last_seq);
		errno = EINVAL;
		return (-1);
	}
	/* The whole history read: what it does not mention never was. */
	r->full = sc.from_seq == 0;
	return (0);
}

int
pw_recover(struct pw_store *st, const struct pw_config *cfg,
    struct pw_blog *b, int holds)
{
	struct rec r;
	uint64_t t0;
	int rc = -1;

	t0 = pw_mono_us();
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.cfg = cfg;
	r.holds = holds;
	pw_ledger_init(&r.l, read_from(st, b));
	/* What the store is made to count must be on disk first. */
	if (fsync(b->fd) == -1)
		goto done;
	/* Before any lookup: a stale page can hide the keys after it. */
	if (holds)
		r.n.mended = pw_store_mend(st);
	if (read_log(&r, b) == -1)
		goto done;
	if (r.l.bad)
		log_warnx("billing log: %s (the log wins)", r.l.why);
	r.n.from_seq = r.l.from_seq;
	r.n.to_seq = r.l.last_seq;
	apply_wallets(&r);
	if (apply_sessions(&r, b) == -1 || fsync(b->fd) == -1)
		goto done;
	scan_slots(&r, holds);
	atomic_store(&st->hdr->logged_seq, b->last_seq);
	atomic_store(&st->hdr->durable_seq, b->last_seq);
	/*
	 * The master checkpoints before anything is served; a restarted
	 * reaper leaves it to its sweep (the old checkpoint still holds),
	 * so as not to hold up the minutes due meanwhile.
	 */
	if (holds && pw_store_checkpoint(st, b->last_seq) == -1)
		goto done;
	report(&r, t0);
	rc = 0;
done:
	if (rc == -1)
		log_warn("billing log reconciliation");
	pw_ledger_free(&r.l);
	return (rc);
}
