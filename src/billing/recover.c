/*
 * Start-up reconciliation of the store with the billing log.
 *
 * The hand-off between store and log (the reaper, reaper.c, is the only
 * writer of both the log and the "logged" marks):
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
 * So a SIGKILL anywhere leaves either events in the store not yet in the
 * log (they are derived again: nothing lost), or events in the log whose
 * marks were not yet set (which would be logged twice).  This file closes
 * the second gap: at every reaper start it reads the whole log and
 * rebuilds every mark and every wallet balance from it, because the log,
 * not the store, is the truth.  The marks are thus a cache of the log, and
 * a lost or torn log tail simply makes the reaper log those events again.
 * START events without an END whose session is gone from the store (the
 * store file itself was lost) get an END with reason LOST; with a new
 * store, this is also how wallets are rebuilt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_daemon.h"
#include "pw_session.h"

/* A session seen in the log but absent from the store. */
struct orphan {
	uint8_t		 id[16];
	int		 used;
	int		 open;
	uint32_t	 charges;
	int64_t		 charged;
	int64_t		 balance;
	char		 game[24];
	char		 wallet[24];
};

struct rec {
	struct pw_store	*st;
	uint32_t	*marks;		/* per slot: gs marks from the log */
	int64_t		*bal;		/* per slot: wallet balance */
	uint8_t		*seen;		/* per slot: wallet/credit in log */
	struct orphan	*orph;
	size_t		 norph, cap;
	uint64_t	 last_seq;
};

static struct orphan *
orphan_get(struct rec *r, const uint8_t id[16], int add)
{
	struct orphan *o, *old;
	size_t i, j, oldcap;
	uint64_t h;

	if (add && (r->norph + 1) * 2 > r->cap) {
		old = r->orph;
		oldcap = r->cap;
		r->cap = r->cap ? r->cap * 2 : 1024;
		if ((r->orph = calloc(r->cap, sizeof(*o))) == NULL)
			fatal("recover");
		for (j = 0; j < oldcap; j++)
			if (old[j].used)
				*orphan_get(r, old[j].id, 0) = old[j];
		free(old);
	}
	if (r->cap == 0)
		return (NULL);
	memcpy(&h, id, sizeof(h));
	for (i = h & (r->cap - 1);; i = (i + 1) & (r->cap - 1)) {
		o = &r->orph[i];
		if (!o->used) {
			if (!add)
				return (add ? NULL : o);
			memcpy(o->id, id, 16);
			o->used = 1;
			r->norph++;
			return (o);
		}
		if (memcmp(o->id, id, 16) == 0)
			return (o);
	}
}

/* Backward-shift deletion keeps the table as small as the open set. */
static void
orphan_del(struct rec *r, struct orphan *o)
{
	size_t i, j, k, mask;
	uint64_t h;

	mask = r->cap - 1;
	i = (size_t)(o - r->orph);
	for (j = (i + 1) & mask; r->orph[j].used; j = (j + 1) & mask) {
		memcpy(&h, r->orph[j].id, sizeof(h));
		k = h & mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		r->orph[i] = r->orph[j];
		i = j;
	}
	memset(&r->orph[i], 0, sizeof(r->orph[i]));
	r->norph--;
}

static void
orphan_event(struct rec *r, const struct pw_event *ev)
{
	struct orphan *o;

	if (ev->type == PW_EV_START) {
		o = orphan_get(r, ev->id, 1);
		o->open = 1;
		strlcpy(o->game, ev->game, sizeof(o->game));
		strlcpy(o->wallet, ev->wallet, sizeof(o->wallet));
		o->balance = ev->balance;
		return;
	}
	if ((o = orphan_get(r, ev->id, 0)) == NULL || !o->used)
		return;
	if (ev->type == PW_EV_CHARGE) {
		o->charges = ev->minute;
		o->charged += ev->amount;
		o->balance = ev->balance;
	} else if (ev->type == PW_EV_END)
		orphan_del(r, o);
}

static void
wallet_event(struct rec *r, const struct pw_event *ev)
{
	struct pw_slot *w;
	uint64_t i;

	if (ev->wallet[0] == '\0' ||
	    (w = pw_wallet_open(r->st, ev->wallet)) == NULL)
		return;
	i = pw_store_index(r->st, w);
	r->bal[i] = ev->balance;
	r->seen[i] = 1;
}

static int
scan_event(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct rec *r = arg;
	struct pw_slot *s;
	uint64_t i;

	r->last_seq = ev->seq;
	if (ev->type == PW_EV_CREDIT || ev->type == PW_EV_CHARGE)
		wallet_event(r, ev);
	if (ev->type == PW_EV_CREDIT) {
		if ((s = pw_store_find(r->st, ev->id, PW_T_CREDIT, NULL)) !=
		    NULL) {
			r->seen[pw_store_index(r->st, s)] = 1;
			atomic_store(&s->u.cr.balance, ev->balance);
		}
		return (0);
	}
	if ((s = pw_store_find(r->st, ev->id, PW_T_GS, NULL)) == NULL) {
		orphan_event(r, ev);
		return (0);
	}
	i = pw_store_index(r->st, s);
	if (ev->type == PW_EV_START)
		r->marks[i] |= PW_LOGGED_START;
	else if (ev->type == PW_EV_CHARGE)
		r->marks[i] = (r->marks[i] & ~0x3fffffffu) | ev->minute;
	else
		r->marks[i] |= PW_LOGGED_END;
	return (0);
}

/* The wallet's balance as the log leaves it (END shows it, like the reaper). */
static int64_t
wallet_balance(struct rec *r, const char *name, int64_t dflt)
{
	struct pw_slot *w;
	uint64_t i;

	if (name[0] == '\0' || (w = pw_wallet_find(r->st, name)) == NULL)
		return (dflt);
	i = pw_store_index(r->st, w);
	return (r->seen[i] ? r->bal[i] : dflt);
}

/* Sessions the log shows open but the store has lost: END LOST. */
static int
close_orphans(struct rec *r, struct pw_blog *b)
{
	uint8_t buf[PW_EV_SIZE];
	struct pw_event ev;
	struct orphan *o;
	size_t i;
	int n;

	for (i = 0, n = 0; i < r->cap; i++) {
		o = &r->orph[i];
		if (!o->used || !o->open)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.seq = ++r->last_seq;
		ev.ts_ms = pw_now_ms();
		ev.type = PW_EV_END;
		ev.reason = PW_R_LOST;
		ev.minute = o->charges;
		ev.amount = o->charged;
		ev.balance = wallet_balance(r, o->wallet, o->balance);
		memcpy(ev.id, o->id, 16);
		strlcpy(ev.game, o->game, sizeof(ev.game));
		strlcpy(ev.wallet, o->wallet, sizeof(ev.wallet));
		pw_event_encode(&ev, buf);
		if (pw_blog_append(b, buf, sizeof(buf)) == -1)
			return (-1);
		n++;
	}
	if (n > 0) {
		log_warnx("billing log: %d session(s) open in the log but "
		    "missing from the store ended with reason LOST", n);
		atomic_fetch_add(&r->st->hdr->cells[PW_CELL_REAPER].c[
		    PW_C_GS_ENDED + PW_R_LOST], (uint64_t)n);
	}
	return (fsync(b->fd));
}

static void
apply_slot(struct rec *r, uint64_t i, int holds, int64_t *owed)
{
	struct pw_slot *s;
	uint64_t w;

	s = &r->st->slots[i];
	w = pw_slot_word(s);
	if (PW_W_STATUS(w) != PW_ST_LIVE)
		return;
	switch (PW_W_TYPE(w)) {
	case PW_T_GS:
		atomic_store(&s->u.gs.logged, r->marks[i]);
		if (s->u.gs.cafe != 0 && owed != NULL)
			owed[i] = ((int64_t)PW_W_HI(w) -
			    PW_LOGGED_CHARGES(r->marks[i])) * s->u.gs.price;
		break;
	case PW_T_WALLET:
		atomic_store(&s->u.w.balance, r->seen[i] ? r->bal[i] : 0);
		break;
	case PW_T_CREDIT:
		/* Applied in the store, lost from the log: log it again. */
		if (!r->seen[i] && PW_W_STATE(w) == PW_CREDIT_APPLIED)
			(void)pw_slot_cas(s, &w, PW_W_WITH(w, PW_CREDIT_READY, 0,
			    0));
		else if (r->seen[i] && PW_W_STATE(w) == PW_CREDIT_READY)
			(void)pw_slot_cas(s, &w, PW_W_WITH(w, PW_CREDIT_APPLIED,
			    0, 0));
		break;
	}
	(void)holds;
}

/* Holds are recomputed only when no worker runs (master, at start). */
static void
recompute_holds(struct rec *r, const struct pw_config *cfg, int64_t *owed)
{
	const struct pw_cafe *c;
	struct pw_slot *s, *w;
	uint64_t i;

	for (i = 0; i <= r->st->mask; i++) {
		s = &r->st->slots[i];
		if (PW_W_STATUS(pw_slot_word(s)) == PW_ST_LIVE &&
		    PW_W_TYPE(pw_slot_word(s)) == PW_T_WALLET)
			atomic_store(&s->u.w.hold, 0);
	}
	for (i = 0; i <= r->st->mask; i++) {
		s = &r->st->slots[i];
		if (owed[i] <= 0 || PW_W_TYPE(pw_slot_word(s)) != PW_T_GS)
			continue;
		if ((c = pw_config_cafe_by_hash(cfg, s->u.gs.cafe)) != NULL &&
		    (w = pw_wallet_find(r->st, c->id)) != NULL)
			atomic_fetch_add(&w->u.w.hold, owed[i]);
	}
}

int
pw_recover(struct pw_store *st, const struct pw_config *cfg,
    struct pw_blog *b, int holds)
{
	struct rec r;
	int64_t *owed = NULL;
	uint64_t good, seq, size, i, n;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.st = st;
	n = st->mask + 1;
	r.marks = calloc(n, sizeof(*r.marks));
	r.bal = calloc(n, sizeof(*r.bal));
	r.seen = calloc(n, 1);
	if (holds)
		owed = calloc(n, sizeof(*owed));
	if (r.marks == NULL || r.bal == NULL || r.seen == NULL ||
	    (holds && owed == NULL))
		goto done;
	if (pw_blog_scan(b->fd, scan_event, &r, &good, &seq, &size) == -1)
		goto done;
	if (close_orphans(&r, b) == -1)
		goto done;
	for (i = 0; i < n; i++)
		apply_slot(&r, i, holds, owed);
	if (holds)
		recompute_holds(&r, cfg, owed);
	b->last_seq = r.last_seq;
	atomic_store(&st->hdr->logged_seq, r.last_seq);
	atomic_store(&st->hdr->durable_seq, r.last_seq);
	rc = 0;
done:
	if (rc == -1)
		log_warn("billing log recovery");
	free(r.marks);
	free(r.bal);
	free(r.seen);
	free(r.orph);
	free(owed);
	return (rc);
}
