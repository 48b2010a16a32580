/*
 * The one applier: what a logged event does to the store.  The reaper
 * calls it for every event of a commit once the log holding it is
 * synced (reaper_batch.c); the start-up reconciliation for every event
 * it reads after the store's checkpoint (reconcile.c).  So each event
 * type is taught to the store once, and both ask the same thing: make
 * the store say at least what this event says.
 *
 * For the reaper the store is ahead of the log (its state changed first,
 * the event was derived from it), so raising a state is a no-op and
 * only the marks, the balances and the holds move.  After a SIGKILL or a
 * power cut the store may be behind (a stale page: an ended session
 * reads live, a billed minute unbilled, a credit queued): the same rules
 * bring it forward, the log winning.  Every rule is idempotent, so an
 * event applied twice (a reaper killed mid-commit, a reconciliation
 * reading from an older checkpoint) changes nothing the second time.
 *
 * Holds.  A minute's price is held from when it is billed until its
 * CHARGE is applied; a session's `unheld' counts the charges whose hold
 * was given back.  unheld is raised before the hold is lowered: a
 * reaper killed between the two leaves one price held too long (the
 * cafe looks poorer by it until the master's next start recomputes every
 * hold), never a hold given back twice, which would let a verify spend
 * money already charged.  A reconciliation in the master, whose holds
 * are recomputed afterwards, only keeps unheld in step (no
 * PW_APPLY_RELEASE).
 *
 * Balances.  Every rule above only moves the store forward, whatever
 * order the events come in; a balance set from each event in turn would
 * not: a reconciliation reads events the store may already be past, and
 * a worker would see, for a moment, a balance older than the one it
 * reserved against.  So only the reaper's commit, whose events are the
 * newest there are, sets balances here (PW_APPLY_BALANCE); a
 * reconciliation sets each wallet's final balance once, from the ledger.
 */
#include <string.h>

#include "pw.h"
#include "pw_session.h"
#include "reap.h"

static struct pw_slot *
gs_of(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h)
{
	if (h != NULL && h->slot != NULL)
		return (h->slot);
	return (pw_store_find(st, ev->id, PW_T_GS, NULL));
}

static struct pw_slot *
wallet_of(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, int make)
{
	if (h != NULL && h->wallet != NULL)
		return (h->wallet);
	if (ev->wallet[0] == '\0')
		return (NULL);
	return (make ? pw_wallet_open(st, ev->wallet) :
	    pw_wallet_find(st, ev->wallet));
}

static void
set_balance(struct pw_slot *w, int64_t balance, int how)
{
	if (w != NULL && (how & PW_APPLY_BALANCE))
		(void)pw_wallet_set_logged(w, balance);
}

/* Raise the session's marks to at least m (START implied by any event). */
static void
marks(struct pw_slot *s, uint32_t set, uint32_t charges, struct pw_recon *n)
{
	uint32_t old, m;

	old = atomic_load(&s->u.gs.logged);
	m = old | set | PW_LOGGED_START;
	if (PW_LOGGED_CHARGES(old) < charges)
		m = (m & ~0x3fffffffu) | charges;
	if (m != old) {
		atomic_store(&s->u.gs.logged, m);
		if (n != NULL)
			n->marks++;
	}
}

/* A billed count (and state) at least what the log says. */
static void
raise_word(struct pw_slot *s, unsigned state, unsigned reason,
    uint32_t billed, struct pw_recon *n)
{
	uint64_t w, nw;

	w = pw_slot_word(s);
	for (;;) {
		if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != PW_T_GS ||
		    PW_W_STATE(w) == PW_GS_ENDED)
			return;
		if (state == PW_GS_ENDED)
			nw = PW_W_WITH(w, PW_GS_ENDED, reason, billed);
		else if (PW_W_HI(w) < billed)
			nw = PW_W_WITH(w, PW_W_STATE(w), PW_W_REASON(w),
			    billed);
		else
			return;
		if (pw_slot_cas(s, &w, nw))
			break;
	}
	if (n == NULL)
		return;
	if (state == PW_GS_ENDED)
		n->ended++;
	else
		n->minutes += billed - PW_W_HI(w);
}

/* Give back the holds of the charges up to minute m not given back yet. */
static void
unhold(struct pw_slot *s, struct pw_slot *w, uint32_t m, int how)
{
	uint32_t u;

	u = atomic_load(&s->u.gs.unheld);
	if (u >= m)
		return;
	atomic_store(&s->u.gs.unheld, m);
	if ((how & PW_APPLY_RELEASE) && w != NULL && s->u.gs.price != 0) {
		pw_wallet_release(w, (int64_t)(m - u) * s->u.gs.price);
		PW_ASSERT(pw_wallet_held(w) >= 0);
	}
}

static void
on_start(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, struct pw_recon *n)
{
	struct pw_slot *s;

	if ((s = gs_of(st, ev, h)) == NULL)
		return;
	s->u.gs.start_seq = ev->seq;
	marks(s, PW_LOGGED_START, 0, n);
}

static void
on_charge(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, struct pw_recon *n, int how)
{
	struct pw_slot *s, *w;

	w = wallet_of(st, ev, h, 0);
	set_balance(w, ev->balance, how);
	if ((s = gs_of(st, ev, h)) == NULL)
		return;
	raise_word(s, PW_GS_LIVE, 0, ev->minute, n);
	marks(s, 0, ev->minute, n);
	unhold(s, w, ev->minute, how);
}

static void
on_end(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, struct pw_recon *n)
{
	struct pw_slot *s;
	uint64_t w;

	if ((s = gs_of(st, ev, h)) == NULL)
		return;
	w = pw_slot_word(s);
	raise_word(s, PW_GS_ENDED, ev->reason, ev->minute, n);
	if (PW_W_STATE(w) != PW_GS_ENDED || pw_gs_end_ms(s) == 0)
		pw_gs_set_end(s, pw_store_from_wall(st, ev->ts_ms));
	if (!(atomic_load(&s->u.gs.logged) & PW_LOGGED_END))
		pw_count(st, PW_C_GS_ENDED + ev->reason, 1);
	marks(s, PW_LOGGED_END, ev->wallet[0] != '\0' ? ev->minute : 0, n);
}

static void
on_transfer(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, struct pw_recon *n, int how)
{
	struct pw_slot *s, *w;

	/* A credit makes its wallet (a debit needed one). */
	w = wallet_of(st, ev, h, ev->type == PW_EV_CREDIT);
	set_balance(w, ev->balance, how);
	s = h != NULL && h->slot != NULL ? h->slot :
	    pw_store_find(st, ev->id, PW_T_CREDIT, NULL);
	if (s != NULL && pw_credit_apply(s, w, ev->balance,
	    (how & PW_APPLY_RELEASE) != 0) && n != NULL)
		n->credits++;
}

void
pw_apply_event(struct pw_store *st, const struct pw_event *ev,
    const struct pw_apply_hint *h, struct pw_recon *n, int how)
{
	switch (ev->type) {
	case PW_EV_START:
		on_start(st, ev, h, n);
		break;
	case PW_EV_CHARGE:
		on_charge(st, ev, h, n, how);
		break;
	case PW_EV_END:
		on_end(st, ev, h, n);
		break;
	case PW_EV_CREDIT:
	case PW_EV_DEBIT:
		on_transfer(st, ev, h, n, how);
		break;
	}
}
