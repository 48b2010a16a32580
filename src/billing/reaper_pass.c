/*
 * One pass of the reaper: when anything is due, a walk over every slot
 * that expires OTTs, sessions and launchers, bills started minutes,
 * derives the billing events each slot owes (sessions, wallet credits
 * and debits) for reaper_batch.c to write, sync and apply, and frees
 * what is logged.  reaper.c runs a pass four times a second in its own
 * process; storebench times the walk.  The store/log hand-off and its
 * crash argument are in reconcile.c.
 *
 * A walk touches every slot of the store, a million of them by default:
 * milliseconds, four times a second, on a daemon with nothing to do.  So
 * a walk notes the earliest instant any record next needs it (each
 * type's owner says when: pw_session.h; minutes and graces are billing's,
 * here), and the passes in between only stamp the header (readiness
 * counts on a pass at least every second) unless something changed that
 * no deadline foresaw: a record made or a session ended anywhere pokes
 * the reaper (pw_store_poke), a batch failed to be written, a claim was
 * under way.  A walk at least every WALK_MAX_MS bounds whatever a
 * deadline missed (a wall-clock expiry seen through a clock step).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_reap.h"
#include "pw_realplay.h"
#include "pw_session.h"
#include "reap.h"

#define TIDY_MS		2000	/* tombstones marked or compacted, at most */
#define WALK_MAX_MS	5000	/* a walk, at least */
#define CKPT_US		10000000	/* a store checkpoint every 10 s */
#define CKPT_CHUNK	(8u << 20)	/* of it msynced per pass (checkpoint.c) */

/* How many events the session owes the log. */
static int
gs_owed(const struct pw_slot *s, uint64_t w, uint32_t logged, int cafe)
{
	int n;

	n = !(logged & PW_LOGGED_START);
	if (cafe)
		n += (int)(PW_W_HI(w) - PW_LOGGED_CHARGES(logged));
	if (PW_W_STATE(w) == PW_GS_ENDED && !(logged & PW_LOGGED_END))
		n++;
	return (n);
}

/* Derive the session's unlogged events from its state and marks. */
static void
gs_log(struct pw_reap *r, struct pw_slot *s, uint64_t w)
{
	struct pw_event ev;
	struct pw_slot *wal;
	const char *wname;
	uint32_t logged, m, billed;
	uint64_t end;
	int64_t *bal = NULL, zero = 0, nb;
	int owed, cafe;

	logged = atomic_load(&s->u.gs.logged);
	billed = PW_W_HI(w);
	/*
	 * Money moves only at a cafe and a price: else no wallet and no
	 * CHARGE.  Most sessions owe nothing in most passes: find that out
	 * before the wallet lookup, which hashes the cafe id.
	 */
	cafe = s->u.gs.cafe != 0 && s->u.gs.price != 0;
	if ((owed = gs_owed(s, w, logged, cafe)) == 0)
		return;
	wname = reap_gs_wallet(r->cfg, s);
	wal = wname[0] != '\0' ? pw_wallet_find(r->st, wname) : NULL;
	cafe = wname[0] != '\0';
	if (reap_room(r, owed < REAP_BATCH ? owed : REAP_BATCH) == -1)
		return;
	bal = wal != NULL ? reap_shadow(r, wal) : &zero;
	if (!(logged & PW_LOGGED_START)) {
		reap_event(r, &ev, PW_EV_START, s->key, s->u.gs.game);
		strlcpy(ev.wallet, wname, sizeof(ev.wallet));
		ev.balance = *bal;
		reap_emit(r, &ev, s, wal, 0);
	}
	for (m = PW_LOGGED_CHARGES(logged) + 1; cafe && m <= billed &&
	    r->nbuf < REAP_BATCH; m++) {
		/* Holds keep it above 0; never let it wrap regardless. */
		if (pw_money_add(*bal, -(int64_t)s->u.gs.price, &nb) == -1)
			break;
		reap_event(r, &ev, PW_EV_CHARGE, s->key, s->u.gs.game);
		strlcpy(ev.wallet, wname, sizeof(ev.wallet));
		ev.minute = m;
		ev.amount = s->u.gs.price;
		ev.balance = *bal = nb;
		reap_emit(r, &ev, s, wal, 0);
	}
	/* The END waits until every charge before it is in the batch. */
	if (PW_W_STATE(w) != PW_GS_ENDED || (logged & PW_LOGGED_END) ||
	    (cafe && m <= billed) || r->nbuf >= REAP_BATCH)
		return;
	reap_event(r, &ev, PW_EV_END, s->key, s->u.gs.game);
	strlcpy(ev.wallet, wname, sizeof(ev.wallet));
	ev.reason = PW_W_REASON(w);
	ev.minute = billed;
	ev.amount = cafe ? (int64_t)billed * s->u.gs.price : 0;
	ev.balance = *bal;
	end = pw_gs_end_ms(s);
	ev.duration = end > pw_gs_start_ms(s) ? (uint32_t)((end -
	    pw_gs_start_ms(s)) / 1000) : 0;
	reap_emit(r, &ev, s, wal, 0);
}

/*
 * When billing next needs this session: its next minute's start; in a
 * grace, the grace's end and the next minute that starts in it (free,
 * but counted).
 */
static void
bill_due(struct pw_reap *r, const struct pw_slot *s, uint64_t w)
{
	uint64_t unit = (uint64_t)r->cfg->billing_unit * 1000, start;

	start = pw_gs_start_ms(s);
	if (PW_W_STATE(w) == PW_GS_LIVE)
		pw_due(&r->due_ms, start + ((uint64_t)PW_W_HI(w) +
		    atomic_load(&((struct pw_slot *)s)->u.gs.free_minutes)) *
		    unit);
	else if (PW_W_STATE(w) == PW_GS_EXHAUSTED) {
		pw_due(&r->due_ms, pw_gs_exhausted_ms(s) +
		    (uint64_t)r->cfg->charge_grace * 1000);
		pw_due(&r->due_ms, start + (uint64_t)pw_gs_due(s, r->now_ms,
		    r->cfg->billing_unit) * unit);
	}
}

/*
 * Bill each started minute; no money: grace (free play), then
 * NO_BALANCE.  A credit during the grace resumes billing with the minute
 * that could not be paid; those that started in the grace stay free.
 */
static void
gs_bill(struct pw_reap *r, struct pw_slot *s, uint64_t *w)
{
	uint32_t due, billed, price;
	uint64_t nw;

	(void)pw_gs_grace(r->st, s, *w, r->now_ms, r->cfg->billing_unit);
	due = pw_gs_owed(s, r->now_ms, r->cfg->billing_unit);
	price = s->u.gs.price;
	while ((billed = PW_W_HI(*w)) < due && PW_W_STATE(*w) != PW_GS_ENDED) {
		if (s->u.gs.cafe != 0 && pw_wallet_hold(r->st, s->u.gs.cafe,
		    r->cfg, price) == -1) {
			if (PW_W_STATE(*w) == PW_GS_LIVE &&
			    pw_slot_cas(s, w, PW_W_WITH(*w, PW_GS_EXHAUSTED, 0,
			    billed))) {
				pw_gs_set_exhausted(s, r->now_ms);
				*w = pw_slot_word(s);
			}
			break;
		}
		nw = PW_W_WITH(*w, PW_GS_LIVE, 0, billed + 1);
		if (!pw_slot_cas(s, w, nw)) {
			if (s->u.gs.cafe != 0)
				pw_wallet_unhold(r->st, s->u.gs.cafe, r->cfg,
				    price);
			continue;
		}
		*w = nw;
	}
	if (PW_W_STATE(*w) == PW_GS_EXHAUSTED && pw_gs_exhausted_ms(s) +
	    (uint64_t)r->cfg->charge_grace * 1000 <= r->now_ms &&
	    pw_gs_end_slot(r->st, r->cfg, s, PW_R_NO_BALANCE, r->now_ms))
		*w = pw_slot_word(s);
	bill_due(r, s, *w);
}

static void
free_slot(struct pw_slot *s, uint64_t w)
{
	(void)pw_slot_cas(s, &w, PW_W_MAKE(PW_ST_TOMB, 0, 0, 0, PW_W_GEN(w),
	    0));
}

static void
reap_gs(struct pw_reap *r, struct pw_slot *s, uint64_t w)
{
	uint64_t gone;

	if (pw_gs_expire(r->st, r->cfg, s, w, r->now_ms, &r->due_ms))
		w = pw_slot_word(s);
	if (PW_W_STATE(w) != PW_GS_ENDED)
		gs_bill(r, s, &w);
	if (PW_W_STATE(w) == PW_GS_ENDED && pw_gs_end_ms(s) == 0)
		pw_gs_set_end(s, r->now_ms);	/* its ender died */
	gs_log(r, s, w);
	if (PW_W_STATE(w) != PW_GS_ENDED)
		return;
	/*
	 * Its END mark is set only once the END is on disk (reaper_batch.c);
	 * until session-timeout after its end, in ms, it is still answered
	 * for (410), never forgotten (404).
	 */
	gone = pw_gs_end_ms(s) + (uint64_t)r->cfg->session_timeout * 1000;
	if ((atomic_load(&s->u.gs.logged) & PW_LOGGED_END) &&
	    gone <= r->now_ms)
		free_slot(s, w);
	else
		pw_due(&r->due_ms, gone);
}

/* Refuse a queued credit or debit: neither applied nor logged. */
static void
refuse(struct pw_slot *s, uint64_t w, const char *why)
{
	if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_CREDIT_REFUSED, 0, 0)))
		log_warnx("wallet %s: %s %+lld refused: %s", s->u.cr.name,
		    pw_credit_is_debit(s) ? "debit" : "credit",
		    (long long)s->u.cr.amount, why);
}

/*
 * The wallet's balance after a queued credit or debit; -1 when it is
 * refused.  A debit first reserves its amount in the wallet's hold
 * (wallet.c), so that no verify spends that money before the debit is
 * applied; *held is that amount, given back when it is.
 */
static int
credit_balance(struct pw_reap *r, struct pw_slot *s, uint64_t w,
    struct pw_slot *wal, int64_t *held, int64_t *nb)
{
	int64_t *bal, amount = s->u.cr.amount;

	*held = 0;
	bal = reap_shadow(r, wal);
	if (amount < 0) {
		if (amount < -PW_MONEY_MAX) {
			refuse(s, w, "the amount is out of range");
			return (-1);
		}
		if (pw_wallet_reserve(wal, -amount) == -1) {
			/* A credit of this pass, not yet applied, may cover
			 * it: the next pass sees it applied. */
			if (*bal - pw_wallet_held(wal) < -amount)
				refuse(s, w, "the balance less what is held "
				    "is short");
			return (-1);
		}
		*held = -amount;
	}
	if (amount == 0 || pw_money_add(*bal, amount, nb) == -1) {
		/* A credit: two tools raced past the check. */
		if (*held != 0)
			pw_wallet_release(wal, *held);
		refuse(s, w, amount > 0 ? "the balance would pass 2^53 - 1" :
		    "the amount is out of range");
		return (-1);
	}
	*bal = *nb;
	return (0);
}

/*
 * The memo playwavectl checked, as the log keeps it: PW_EV_MEMO bytes at
 * most, and no control byte (it reaches the daemon's log and JSON).
 */
static void
memo_of(const struct pw_slot *s, char out[PW_EV_MEMO + 1])
{
	size_t i;

	for (i = 0; i < PW_EV_MEMO && s->u.cr.memo[i] != '\0'; i++)
		out[i] = (unsigned char)s->u.cr.memo[i] < 0x20 ||
		    s->u.cr.memo[i] == 0x7f ? '?' : s->u.cr.memo[i];
	out[i] = '\0';
}

static void
reap_credit(struct pw_reap *r, struct pw_slot *s, uint64_t w)
{
	struct pw_event ev;
	struct pw_slot *wal;
	int64_t held, nb;

	if (PW_W_STATE(w) != PW_CREDIT_READY) {
		/* Applied or refused: kept a few seconds for playwavectl. */
		if (r->tidy && pw_credit_retire(s, w))
			free_slot(s, w);
		else
			pw_due(&r->due_ms, r->tidy_ms);
		return;
	}
	/* A credit makes its wallet; a debit needs one. */
	wal = pw_credit_is_debit(s) ? pw_wallet_find(r->st, s->u.cr.name) :
	    pw_wallet_open(r->st, s->u.cr.name);
	if (wal == NULL && pw_credit_is_debit(s))
		refuse(s, w, "no such wallet");
	if (wal == NULL || reap_room(r, 1) == -1 ||
	    credit_balance(r, s, w, wal, &held, &nb) == -1)
		return;
	reap_event(r, &ev, pw_credit_is_debit(s) ? PW_EV_DEBIT : PW_EV_CREDIT,
	    s->key, 0);
	strlcpy(ev.wallet, s->u.cr.name, sizeof(ev.wallet));
	memo_of(s, ev.memo);
	ev.amount = pw_credit_is_debit(s) ? held : s->u.cr.amount;
	ev.balance = nb;
	reap_emit(r, &ev, s, wal, held);
}

static void
count(struct pw_reap *r, uint64_t w)
{
	switch (PW_W_STATUS(w)) {
	case PW_ST_BUSY:
		r->g[PW_G_BUSY]++;
		return;
	case PW_ST_TOMB:
		r->g[PW_G_TOMB]++;
		return;
	case PW_ST_LIVE:
		r->g[PW_G_LIVE + PW_W_TYPE(w)]++;
		if (PW_W_TYPE(w) == PW_T_GS && PW_W_STATE(w) != PW_GS_ENDED)
			r->g[PW_G_GS_ALIVE]++;
		if (PW_W_TYPE(w) == PW_T_GS && PW_W_STATE(w) == PW_GS_EXHAUSTED)
			r->g[PW_G_GS_EXHAUSTED]++;
		if (PW_W_TYPE(w) == PW_T_LS && PW_W_STATE(w) == PW_LS_LIVE)
			r->g[PW_G_LS_ALIVE]++;
		return;
	}
}

/* Each type's owner says when its record expires or may go. */
static void
reap_live(struct pw_reap *r, struct pw_slot *s, uint64_t w)
{
	uint64_t *due = &r->due_ms;

	switch (PW_W_TYPE(w)) {
	case PW_T_OTT:
		if (pw_ott_expire(r->st, r->cfg, s, w, r->now_ms, due))
			free_slot(s, pw_slot_word(s));
		break;
	case PW_T_LS:
		if (pw_ls_expire(r->st, r->cfg, s, w, r->now_ms, due))
			free_slot(s, w);
		break;
	case PW_T_GS:
		reap_gs(r, s, w);
		break;
	case PW_T_PC:
		if (pw_pc_expire(r->st, r->cfg, s, r->now_ms, due))
			free_slot(s, w);
		break;
	case PW_T_CREDIT:
		reap_credit(r, s, w);
		break;
	case PW_T_REQID:
	case PW_T_PT:
		if (pw_rp_expire(r->cfg, s, w, r->wall_ms / 1000, r->now_ms,
		    due))
			free_slot(s, w);
		break;
	case PW_T_NONCE:
		if (pw_nonce_expire(s, r->now_ms, due))
			free_slot(s, w);
		break;
	}
}

static void
reap_slot(struct pw_reap *r, uint64_t i)
{
	struct pw_slot *s = &r->st->slots[i];
	uint64_t w;

	w = pw_slot_word(s);
	count(r, w);
	if (PW_W_STATUS(w) == PW_ST_BUSY) {
		/* A claim being filled in, or its owner dead: look again. */
		(void)pw_store_tidy(r->st, i);
		r->busy = 1;
		return;
	}
	if (PW_W_STATUS(w) == PW_ST_TOMB) {
		if (r->tidy)
			(void)pw_store_tidy(r->st, i);
		if (PW_W_STATUS(pw_slot_word(s)) == PW_ST_TOMB)
			pw_due(&r->due_ms, r->tidy_ms);
		return;
	}
	if (PW_W_STATUS(w) == PW_ST_LIVE)
		reap_live(r, s, w);
}

/*
 * Everything logged is durable and applied: sweep it into the store's
 * checkpoint, a chunk a pass.  A failed msync leaves it unknown which
 * pages reached the disk (the kernel may mark the ones it could not
 * write clean), so a later sweep could name a checkpoint they do not
 * reflect: the reaper exits instead, and its successor reads the log
 * from the last good checkpoint.
 */
static void
checkpoint(struct pw_reap *r)
{
	if (!r->ckpt.active && pw_mono_us() - r->last_ckpt_us >= CKPT_US &&
	    !r->failing && atomic_load(&r->st->hdr->durable_seq) ==
	    r->blog.last_seq && r->nap == 0)
		pw_ckpt_begin(&r->ckpt, r->blog.last_seq);
	if (!r->ckpt.active)
		return;
	switch (pw_ckpt_step(r->st, &r->ckpt, CKPT_CHUNK)) {
	case -1:
		fatalx("store checkpoint failed: the reaper restarts");
	case 1:
		r->last_ckpt_us = pw_mono_us();
		break;
	}
}

/* Anything due: a deadline come, a poke, a failure to retry, a claim. */
static int
walk_due(struct pw_reap *r)
{
	return (r->walked_ms == 0 || r->now_ms >= r->due_ms || r->busy ||
	    r->failing || r->pending > 0 || r->now_ms - r->walked_ms >=
	    WALK_MAX_MS || atomic_load_explicit(&r->st->hdr->ledger.poke,
	    memory_order_acquire) != r->poke);
}

static void
walk(struct pw_reap *r)
{
	uint64_t i;

	/* Read before the walk: a poke after it starts means another. */
	r->poke = atomic_load_explicit(&r->st->hdr->ledger.poke,
	    memory_order_acquire);
	r->due_ms = r->now_ms + WALK_MAX_MS;
	r->busy = 0;
	if ((r->tidy = r->now_ms >= r->tidy_ms))
		r->tidy_ms = r->now_ms + TIDY_MS;
	r->pending = 0;
	memset(r->g, 0, sizeof(r->g));
	/* Downwards, so a run of tombstones compacts in a single pass. */
	for (i = r->st->mask + 1; i-- > 0;)
		reap_slot(r, i);
	(void)reap_commit(r);
	atomic_store(&r->st->hdr->log_pending, r->pending);
	for (i = 0; i < PW_G_COUNT; i++)
		atomic_store_explicit(&r->st->hdr->gauge[i], r->g[i],
		    memory_order_relaxed);
	r->walked_ms = r->now_ms;
}

void
pw_reap_walk(struct pw_reap *r)
{
	r->walked_ms = 0;
	pw_reap_pass(r);
}

void
pw_reap_pass(struct pw_reap *r)
{
	uint64_t t0;

	t0 = pw_mono_us();
	r->now_ms = pw_store_now(r->st);
	r->wall_ms = pw_now_ms();
	if (walk_due(r))
		walk(r);
	checkpoint(r);
	atomic_store(&r->st->hdr->reaper_seen_ms, pw_now_ms());
	pw_store_clock_mark(r->st);
	pw_count(r->st, PW_C_REAP_PASSES, 1);
	atomic_store_explicit(&r->st->cell->c[PW_C_REAP_LAST_US],
	    pw_mono_us() - t0, memory_order_relaxed);
	r->pass++;
}

struct pw_reap *
pw_reap_new(struct pw_store *st, const struct pw_config *cfg, int blog_dfd,
    const char *blog_path, char *err, size_t errlen)
{
	struct pw_blog_open o;
	struct pw_reap *r;
	char dir[1024];

	/* Large (a batch of records): never on a stack. */
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "reaper: %s", strerror(errno));
		return (NULL);
	}
	r->st = st;
	r->cfg = cfg;
	if (reap_batch_init(r) == -1) {
		snprintf(err, errlen, "reaper: %s", strerror(errno));
		free(r);
		return (NULL);
	}
	memset(&o, 0, sizeof(o));
	o.from_seq = atomic_load(&st->hdr->ckpt_seq);
	o.durable_seq = atomic_load(&st->hdr->durable_seq);
	if (o.durable_seq < o.from_seq)
		o.durable_seq = o.from_seq;
	/* A switch a reaper died in the middle of is finished first. */
	if (pw_blog_switch_finish(blog_dfd, pw_file_split(blog_path, dir,
	    sizeof(dir)), err, errlen) == -1 || pw_blog_open(&r->blog,
	    blog_dfd, blog_path, &o, err, errlen) == -1) {
		reap_batch_free(r);
		free(r);
		return (NULL);
	}
	r->seq = r->blog.last_seq;
	memcpy(r->bhead, r->blog.head, PW_LINK_LEN);
	r->last_ckpt_us = pw_mono_us();
	return (r);
}

void
pw_reap_free(struct pw_reap *r)
{
	pw_blog_close(&r->blog);
	reap_batch_free(r);
	free(r);
}

int
pw_reap_recover(struct pw_reap *r)
{
	if (pw_recover(r->st, r->cfg, &r->blog, 0) == -1)
		return (-1);
	r->seq = r->blog.last_seq;
	memcpy(r->bhead, r->blog.head, PW_LINK_LEN);
	return (0);
}
