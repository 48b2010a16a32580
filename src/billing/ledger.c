/*
 * The billing log read back: one table of sessions (and credit ids) and
 * one of wallets, built event by event, and the rules every event must
 * keep.  Whoever needs to know what the log says asks here: playwavectl
 * log verify (the whole log, strict), the reaper's start-up
 * reconciliation (the log since the store's checkpoint, reconcile.c).
 * See pw_ledger.h for reading from a checkpoint or a snapshot.
 */
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_ledger.h"

struct read_arg {
	struct pw_ledger	*l;
	int			 strict;
	const char		*where;
};

int
pw_ledger_init(struct pw_ledger *l, uint64_t from_seq)
{
	memset(l, 0, sizeof(*l));
	l->from_seq = from_seq;
	l->last_seq = from_seq;
	return (0);
}

void
pw_ledger_free(struct pw_ledger *l)
{
	free(l->s);
	free(l->w);
	l->s = NULL;
	l->w = NULL;
}

static struct pw_lsess *
sess_slot(struct pw_lsess *t, size_t cap, const uint8_t id[16])
{
	uint64_t h;
	size_t i;

	memcpy(&h, id, sizeof(h));
	for (i = h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!t[i].used || memcmp(t[i].id, id, 16) == 0)
			return (&t[i]);
}

static int
sess_grow(struct pw_ledger *l)
{
	struct pw_lsess *t;
	size_t i, cap;

	cap = l->scap ? l->scap * 2 : 4096;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return (-1);
	for (i = 0; i < l->scap; i++)
		if (l->s[i].used)
			*sess_slot(t, cap, l->s[i].id) = l->s[i];
	free(l->s);
	l->s = t;
	l->scap = cap;
	return (0);
}

struct pw_lsess *
pw_ledger_session(struct pw_ledger *l, const uint8_t id[16])
{
	struct pw_lsess *s;

	if (l->scap == 0)
		return (NULL);
	s = sess_slot(l->s, l->scap, id);
	return (s->used ? s : NULL);
}

static struct pw_lsess *
sess_add(struct pw_ledger *l, const uint8_t id[16])
{
	struct pw_lsess *s;

	if ((l->ns + 1) * 2 > l->scap && sess_grow(l) == -1)
		fatal("billing log: sessions");
	s = sess_slot(l->s, l->scap, id);
	memcpy(s->id, id, 16);
	s->used = 1;
	l->ns++;
	return (s);
}

/* FNV-1a: wallet names are short and few. */
static size_t
name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name != '\0'; name++)
		h = (h ^ (uint8_t)*name) * 0x100000001b3ull;
	return ((size_t)h);
}

static struct pw_lwallet *
wallet_slot(struct pw_lwallet *t, size_t cap, const char *name)
{
	size_t i;

	for (i = name_hash(name) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!t[i].used || strcmp(t[i].name, name) == 0)
			return (&t[i]);
}

struct pw_lwallet *
pw_ledger_wallet(struct pw_ledger *l, const char *name)
{
	struct pw_lwallet *w;

	if (l->wcap == 0)
		return (NULL);
	w = wallet_slot(l->w, l->wcap, name);
	return (w->used ? w : NULL);
}

static struct pw_lwallet *
wallet_add(struct pw_ledger *l, const char *name)
{
	struct pw_lwallet *t, *w;
	size_t i, cap;

	if ((l->nw + 1) * 2 > l->wcap) {
		cap = l->wcap ? l->wcap * 2 : 256;
		if ((t = calloc(cap, sizeof(*t))) == NULL)
			fatal("billing log: wallets");
		for (i = 0; i < l->wcap; i++)
			if (l->w[i].used)
				*wallet_slot(t, cap, l->w[i].name) = l->w[i];
		free(l->w);
		l->w = t;
		l->wcap = cap;
	}
	w = wallet_slot(l->w, l->wcap, name);
	strlcpy(w->name, name, sizeof(w->name));
	w->used = 1;
	l->nw++;
	return (w);
}

static int
bad(struct pw_ledger *l, uint64_t off, const struct pw_event *ev,
    const char *what)
{
	char sid[40];

	pw_uuid_format(ev->id, sid);
	if (!l->bad) {
		l->bad = 1;
		l->bad_off = off;
		snprintf(l->why, sizeof(l->why), "seq %llu %s %s_%s: %s",
		    (unsigned long long)ev->seq, pw_ev_type_name(ev->type),
		    pw_ev_of_credit(ev->type) ? "cr" : "gs", sid, what);
	}
	return (1);
}

/* A snapshot that disagrees with the log: a broken rule, no event's. */
static int
snap_bad(struct pw_ledger *l, struct read_arg *a, const char *msg)
{
	if (!l->bad) {
		l->bad = 1;
		l->bad_off = 0;
		strlcpy(l->why, msg, sizeof(l->why));
		if (a->where != NULL)
			strlcpy(l->bad_file, a->where, sizeof(l->bad_file));
	}
	return (a->strict);
}

/*
 * Replay a wallet event: its balance must be the running balance.  A
 * wallet first met after a checkpoint starts from what the event implies.
 */
static int
replay(struct pw_ledger *l, uint64_t off, const struct pw_event *ev,
    int64_t delta)
{
	struct pw_lwallet *w;
	char msg[128];
	int64_t b;

	if (ev->amount <= 0)
		return (bad(l, off, ev, "amount is not positive"));
	if (ev->wallet[0] == '\0')
		return (bad(l, off, ev, "no wallet"));
	if ((w = pw_ledger_wallet(l, ev->wallet)) == NULL) {
		w = wallet_add(l, ev->wallet);
		if (l->partial && __builtin_sub_overflow(ev->balance,
		    delta, &w->balance))
			return (bad(l, off, ev, "balance out of range"));
	}
	if (__builtin_add_overflow(w->balance, delta, &b) ||
	    b > PW_MONEY_MAX || b < -PW_MONEY_MAX) {
		w->balance = ev->balance;
		return (bad(l, off, ev, "balance beyond 2^53 - 1"));
	}
	w->balance = b;
	if (ev->balance != b) {
		snprintf(msg, sizeof(msg), "balance %lld, but replaying %s "
		    "gives %lld", (long long)ev->balance, ev->wallet,
		    (long long)b);
		w->balance = ev->balance;	/* the log wins from here */
		return (bad(l, off, ev, msg));
	}
	return (0);
}

/* A session first met after the checkpoint: what came before, implied. */
static struct pw_lsess *
adopt(struct pw_ledger *l, const struct pw_event *ev)
{
	struct pw_lsess *s;

	if (!l->partial)
		return (NULL);
	s = sess_add(l, ev->id);
	s->cafe = ev->wallet[0] != '\0';
	strlcpy(s->wallet, ev->wallet, sizeof(s->wallet));
	strlcpy(s->game, ev->game, sizeof(s->game));
	if (ev->type == PW_EV_CHARGE && ev->minute > 0) {
		s->charges = ev->minute - 1;
		s->charged = (int64_t)s->charges * ev->amount;
	} else if (ev->type == PW_EV_END) {
		s->charges = s->cafe ? ev->minute : 0;
		s->charged = ev->amount;
	}
	l->open++;
	return (s);
}

static int
on_start(struct pw_ledger *l, uint64_t off, const struct pw_event *ev)
{
	struct pw_lsess *s;

	if (pw_ledger_session(l, ev->id) != NULL)
		return (bad(l, off, ev, "second START"));
	s = sess_add(l, ev->id);
	s->started = 1;
	s->start_seq = ev->seq;
	s->cafe = ev->wallet[0] != '\0';
	s->balance = ev->balance;
	strlcpy(s->wallet, ev->wallet, sizeof(s->wallet));
	strlcpy(s->game, ev->game, sizeof(s->game));
	l->open++;
	return (0);
}

static int
on_charge(struct pw_ledger *l, uint64_t off, const struct pw_event *ev)
{
	struct pw_lsess *s;
	char msg[128];

	if ((s = pw_ledger_session(l, ev->id)) == NULL &&
	    (s = adopt(l, ev)) == NULL)
		return (bad(l, off, ev, "CHARGE before its START"));
	if (s->ended)
		return (bad(l, off, ev, "CHARGE after its END"));
	if (ev->minute != s->charges + 1) {
		snprintf(msg, sizeof(msg), "CHARGE of minute %u, expected %u",
		    ev->minute, s->charges + 1);
		if (ev->minute > s->charges)
			s->charges = ev->minute;
		return (bad(l, off, ev, msg));
	}
	if (strcmp(ev->wallet, s->wallet) != 0)
		return (bad(l, off, ev, "CHARGE to another wallet"));
	s->charges++;
	s->charged += ev->amount;
	s->balance = ev->balance;
	return (replay(l, off, ev, -ev->amount));
}

static int
on_end(struct pw_ledger *l, uint64_t off, const struct pw_event *ev)
{
	struct pw_lsess *s;
	char msg[128];

	if ((s = pw_ledger_session(l, ev->id)) == NULL &&
	    (s = adopt(l, ev)) == NULL)
		return (bad(l, off, ev, "END without START"));
	if (s->ended)
		return (bad(l, off, ev, "second END"));
	s->ended = 1;
	s->reason = (uint8_t)ev->reason;
	s->end_minutes = ev->minute;
	s->end_ms = ev->ts_ms;
	l->open--;
	if (s->cafe && ev->minute != s->charges) {
		snprintf(msg, sizeof(msg), "END says %u minutes, %u charged",
		    ev->minute, s->charges);
		return (bad(l, off, ev, msg));
	}
	if (ev->amount != s->charged) {
		snprintf(msg, sizeof(msg), "END amount %lld, charges sum to "
		    "%lld", (long long)ev->amount, (long long)s->charged);
		return (bad(l, off, ev, msg));
	}
	return (0);
}

/*
 * A credit or a debit: money in or out of a wallet, one event per credit
 * record.  A debit never takes a balance below zero (the reaper refuses
 * one that would), so one that does breaks a rule.
 */
static int
on_transfer(struct pw_ledger *l, uint64_t off, const struct pw_event *ev,
    int64_t delta)
{
	struct pw_lsess *s;
	int rc;

	if (pw_ledger_session(l, ev->id) != NULL)
		return (bad(l, off, ev, ev->type == PW_EV_DEBIT ?
		    "debit logged twice" : "credit logged twice"));
	s = sess_add(l, ev->id);
	s->credit = 1;
	s->balance = ev->balance;
	strlcpy(s->wallet, ev->wallet, sizeof(s->wallet));
	if ((rc = replay(l, off, ev, delta)) != 0)
		return (rc);
	if (ev->type == PW_EV_DEBIT && ev->balance < 0)
		return (bad(l, off, ev, "DEBIT below zero"));
	return (0);
}

int
pw_ledger_event(struct pw_ledger *l, const struct pw_event *ev, uint64_t off)
{
	l->events++;
	l->last_seq = ev->seq;
	switch (ev->type) {
	case PW_EV_START:
		return (on_start(l, off, ev));
	case PW_EV_CHARGE:
		return (on_charge(l, off, ev));
	case PW_EV_END:
		return (on_end(l, off, ev));
	case PW_EV_CREDIT:
		return (on_transfer(l, off, ev, ev->amount));
	case PW_EV_DEBIT:
		return (on_transfer(l, off, ev, -ev->amount));
	}
	return (bad(l, off, ev, "unknown event type"));
}

/* A snapshot's wallet: taken as the start, or checked against the log. */
static int
snap_wallet(const char *name, int64_t balance, void *arg)
{
	struct read_arg *a = arg;
	struct pw_ledger *l = a->l;
	struct pw_lwallet *w;
	char msg[200];

	if (!l->started) {
		w = wallet_add(l, name);
		w->balance = balance;
		return (0);
	}
	if ((w = pw_ledger_wallet(l, name)) != NULL)
		l->snap_known++;
	if ((w != NULL ? w->balance : 0) == balance)
		return (0);
	snprintf(msg, sizeof(msg), "segment at seq %" PRIu64 ": its snapshot "
	    "gives wallet %s %lld, the log %lld", l->last_seq + 1, name,
	    (long long)balance, (long long)(w != NULL ? w->balance : 0));
	return (snap_bad(l, a, msg));
}

/* A snapshot's open session: adopted, or checked against the log. */
static int
snap_session(const struct pw_snapsess *ss, void *arg)
{
	struct read_arg *a = arg;
	struct pw_ledger *l = a->l;
	struct pw_lsess *s;
	char msg[200], sid[40];

	if (!l->started) {
		s = sess_add(l, ss->id);
		s->started = 1;
		s->start_seq = ss->start_seq;
		s->charges = ss->charges;
		s->charged = ss->charged;
		s->cafe = ss->wallet[0] != '\0';
		strlcpy(s->wallet, ss->wallet, sizeof(s->wallet));
		strlcpy(s->game, ss->game, sizeof(s->game));
		l->open++;
		return (0);
	}
	l->snap_open++;
	s = pw_ledger_session(l, ss->id);
	if (s != NULL && s->started && !s->ended && !s->credit &&
	    s->charges == ss->charges && s->charged == ss->charged &&
	    (ss->start_seq == 0 || s->start_seq == 0 ||
	    s->start_seq == ss->start_seq))
		return (0);
	pw_uuid_format(ss->id, sid);
	snprintf(msg, sizeof(msg), "segment at seq %" PRIu64 ": its snapshot "
	    "has gs_%s open with %u charges, the log %s", l->last_seq + 1, sid,
	    ss->charges, s == NULL || !s->started ? "never started it" :
	    s->ended ? "ended it" : "charged it otherwise");
	return (snap_bad(l, a, msg));
}

/* A segment entered: a later one's snapshot was checked, whole. */
static int
segment_in(const struct pw_seg *g, const char *name, void *arg)
{
	struct read_arg *a = arg;
	struct pw_ledger *l = a->l;
	char msg[200];

	a->where = name;
	if (!l->started) {
		/* Entered at its head, it began with all that came before
		 * (its snapshot, or nothing before seq 1); else adopt. */
		l->started = 1;
		l->partial = l->from_seq + 1 > g->first_seq;
		return (0);
	}
	if (g->format == 2 && !l->bad && (l->snap_open != l->open ||
	    l->snap_known != l->nw)) {
		snprintf(msg, sizeof(msg), "segment at seq %" PRIu64 ": its "
		    "snapshot has %" PRIu64 " open sessions and %" PRIu64
		    " known wallets, the log %" PRIu64 " and %zu",
		    g->first_seq, l->snap_open, l->snap_known, l->open, l->nw);
		(void)snap_bad(l, a, msg);
	}
	l->snap_open = l->snap_known = 0;
	return (a->strict && l->bad);
}

static int
read_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct read_arg *a = arg;
	int rc;

	rc = pw_ledger_event(a->l, ev, off);
	if (rc && a->l->bad_file[0] == '\0' && a->where != NULL)
		strlcpy(a->l->bad_file, a->where, sizeof(a->l->bad_file));
	if (a->l->hook != NULL)
		(void)a->l->hook(ev, off, a->l->hook_arg);
	return (rc && a->strict);
}

int
pw_ledger_read(struct pw_ledger *l, struct pw_logset *ls, int strict,
    struct pw_scan *sc, char *where, size_t wherelen)
{
	struct read_arg a = { l, strict, NULL };
	struct pw_snap_cb snap = { snap_wallet, snap_session, &a };
	struct pw_read rd = { read_one, segment_in, &snap, &a };
	int rc;

	l->started = 0;
	rc = pw_logset_read(ls, l->from_seq, &rd, sc, where, wherelen);
	/* Adopted from a checkpoint or a snapshot: what came before. */
	l->from_seq = sc->from_seq;
	return (rc);
}
