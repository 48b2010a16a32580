/*
 * The ledger (the log read back) and the start-up reconciliation from a
 * checkpoint: rules, adoption of what precedes a checkpoint, a stale
 * store made to agree with the log, probe runs mended, checked money,
 * millisecond minutes, debits read back and reconciled, and checkpoints
 * written in steps.
 */
#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_ledger.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_conf.h"
#include "check_billing.h"

static const char conf[] = "billing-unit 60\n" CONF_SECRETS
    CONF_GAME("alpha", 10) CONF_CAFE("cafe-a", "10.1.0.0/16");

struct fix {
	char		 dir[256], log[300], store[300];
	struct pw_store	 st;
	struct pw_config *cfg;
	struct pw_blog	 b;
	int64_t		 bal;
};

static void
ev(struct fix *f, unsigned type, uint8_t id, uint32_t minute,
    int64_t amount)
{
	struct pw_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ms = pw_now_ms();
	e.type = type;
	memset(e.id, id, 16);
	strlcpy(e.game, "alpha", sizeof(e.game));
	strlcpy(e.wallet, "cafe-a", sizeof(e.wallet));
	e.minute = minute;
	e.amount = amount;
	if (type == PW_EV_CREDIT)
		f->bal += amount;
	else if (type == PW_EV_CHARGE || type == PW_EV_DEBIT)
		f->bal -= amount;
	e.balance = f->bal;
	if (type == PW_EV_END)
		e.reason = PW_R_ENDED;
	ck_assert_int_eq(pw_blog_put(&f->b, &e), 0);
}

/* Read the fixture's log with a ledger; as pw_ledger_read. */
static int
lread(struct fix *f, struct pw_ledger *l, int strict)
{
	struct pw_logset ls;
	struct pw_scan sc;
	char err[512], where[1200];
	int rc;

	if (pw_logset_open(&ls, f->log, NULL, err, sizeof(err)) == -1)
		ck_abort_msg("%s", err);
	rc = pw_ledger_read(l, &ls, strict, &sc, where, sizeof(where));
	pw_logset_close(&ls);
	return (rc);
}

static void
fix_open(struct fix *f)
{
	uint8_t hdr[HDR], link[PW_LINK_LEN];
	char err[512];

	memset(f, 0, sizeof(*f));
	tmp_dir(f->dir, sizeof(f->dir), "pwledger");
	snprintf(f->log, sizeof(f->log), "%s/billing.log", f->dir);
	snprintf(f->store, sizeof(f->store), "%s/store", f->dir);
	f->cfg = calloc(1, sizeof(*f->cfg));
	ck_assert_ptr_nonnull(f->cfg);
	if (pw_config_parse(f->cfg, conf, strlen(conf), "t.conf", err,
	    sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
	seg_header(hdr, link);
	write_file(f->log, hdr, sizeof(hdr));
	if (pw_store_open(&f->st, f->store, 4096, 1, 0, err, sizeof(err)) ==
	    -1 || blog_open(&f->b, f->log, err, sizeof(err)) == -1)
		ck_abort_msg("%s", err);
}

static void
fix_close(struct fix *f)
{
	struct tdir t;

	pw_store_close(&f->st);
	blog_close(&f->b);
	free(f->cfg);
	strlcpy(t.dir, f->dir, sizeof(t.dir));
	tdir_remove(&t);
}

static struct pw_slot *
gs_new(struct fix *f, uint8_t id, uint32_t billed, uint32_t logged)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	memset(key, id, sizeof(key));
	s = pw_store_claim(&f->st, key, PW_T_GS);
	ck_assert_ptr_nonnull(s);
	s->u.gs.game = pw_config_idhash("alpha");
	s->u.gs.cafe = pw_config_idhash("cafe-a");
	s->u.gs.price = 10;
	s->u.gs.start_ms = pw_store_now(&f->st) - 100000;
	s->u.gs.start_wall_ms = pw_now_ms() - 100000;
	atomic_store(&s->u.gs.last_seen_ms, pw_store_now(&f->st));
	atomic_store(&s->u.gs.logged, logged);
	pw_store_publish(s, PW_GS_LIVE, billed);
	return (s);
}

static int
reconcile(struct fix *f)
{
	return (pw_recover(&f->st, f->cfg, &f->b, 1));
}

/* A wallet record with that balance and hold. */
static struct pw_slot *
wallet_new(struct fix *f, const char *name, int64_t bal, int64_t hold)
{
	struct pw_slot *w;

	w = pw_wallet_open(&f->st, name);
	ck_assert_ptr_nonnull(w);
	atomic_store(&w->u.w.balance, bal);
	atomic_store(&w->u.w.hold, hold);
	return (w);
}

/* A credit record (amount < 0: a debit) keyed by id, in that state. */
static struct pw_slot *
cr_new(struct fix *f, uint8_t id, int64_t amount, unsigned state)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	memset(key, id, sizeof(key));
	s = pw_store_claim(&f->st, key, PW_T_CREDIT);
	ck_assert_ptr_nonnull(s);
	s->u.cr.amount = amount;
	strlcpy(s->u.cr.name, "cafe-a", sizeof(s->u.cr.name));
	pw_store_publish(s, state, 0);
	return (s);
}

START_TEST(test_rules)
{
	struct fix f;
	struct pw_ledger l;

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 100);
	ev(&f, PW_EV_START, 0xa1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xa1, 1, 10);
	ev(&f, PW_EV_END, 0xa1, 1, 10);
	pw_ledger_init(&l, 0);
	ck_assert_int_eq(lread(&f, &l, 1), 0);
	ck_assert_int_eq(l.bad, 0);
	ck_assert_uint_eq(l.events, 4);
	ck_assert_int_eq(pw_ledger_wallet(&l, "cafe-a")->balance, 90);
	pw_ledger_free(&l);
	/* A CHARGE after the END breaks a rule; strict stops there. */
	ev(&f, PW_EV_CHARGE, 0xa1, 2, 10);
	ev(&f, PW_EV_CREDIT, 0xc2, 0, 5);
	pw_ledger_init(&l, 0);
	(void)lread(&f, &l, 1);
	ck_assert_int_eq(l.bad, 1);
	ck_assert_msg(strstr(l.why, "CHARGE after its END") != NULL, "%s",
	    l.why);
	ck_assert_uint_eq(l.bad_off, HDR + 4 * PW_EV_SIZE);
	pw_ledger_free(&l);
	fix_close(&f);
}
END_TEST

/* Read from a checkpoint, earlier minutes and balances are implied. */
START_TEST(test_adopt_after_checkpoint)
{
	struct fix f;
	struct pw_ledger l;
	struct pw_lsess *s;
	uint8_t id[16];

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 1000);
	ev(&f, PW_EV_START, 0xa1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xa1, 1, 10);
	ev(&f, PW_EV_CHARGE, 0xa1, 2, 10);
	ev(&f, PW_EV_CHARGE, 0xa1, 3, 10);
	ev(&f, PW_EV_END, 0xa1, 3, 30);
	pw_ledger_init(&l, 3);
	ck_assert_int_eq(lread(&f, &l, 1), 0);
	ck_assert_msg(!l.bad, "%s", l.why);
	ck_assert_uint_eq(l.events, 3);
	memset(id, 0xa1, sizeof(id));
	s = pw_ledger_session(&l, id);
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->started && s->ended);
	ck_assert_uint_eq(s->charges, 3);
	ck_assert_int_eq(pw_ledger_wallet(&l, "cafe-a")->balance, 970);
	pw_ledger_free(&l);
	/* A checkpoint the log does not reach: all of it is read. */
	pw_ledger_init(&l, 99);
	ck_assert_int_eq(lread(&f, &l, 1), 0);
	ck_assert_uint_eq(l.from_seq, 0);
	ck_assert_uint_eq(l.events, 6);
	pw_ledger_free(&l);
	fix_close(&f);
}
END_TEST

/*
 * The store's pages are older than the log after the checkpoint: the
 * session the log ended is live again, a logged minute unbilled, the
 * wallet's balance and an OTT's consumption lost.
 */
START_TEST(test_stale_store_reconciled)
{
	struct fix f;
	struct pw_slot *a, *b, *o, *w;
	uint8_t ott[PW_KEY_LEN], key[PW_KEY_LEN];
	uint64_t word;

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 1000);
	ev(&f, PW_EV_START, 0xa1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xa1, 1, 10);
	ev(&f, PW_EV_START, 0xb1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xb1, 1, 10);
	/* The checkpoint: the store reflects all of the above. */
	a = gs_new(&f, 0xa1, 1, PW_LOGGED_START | 1);
	b = gs_new(&f, 0xb1, 1, PW_LOGGED_START | 1);
	memset(ott, 0x0e, sizeof(ott));
	o = pw_store_claim(&f.st, ott, PW_T_OTT);
	ck_assert_ptr_nonnull(o);
	o->u.ott.issued_ms = pw_now_ms();
	pw_store_publish(o, PW_OTT_ISSUED, 0);
	pw_wallet_key(key, "cafe-a");
	ck_assert_int_eq(pw_store_claim_unique(&f.st, key, PW_T_WALLET, &w),
	    PW_INS_NEW);
	strlcpy(w->u.w.name, "cafe-a", sizeof(w->u.w.name));
	pw_store_publish(w, 0, 0);
	atomic_store(&w->u.w.balance, 980);
	atomic_store(&f.st.hdr->ckpt_seq, f.b.last_seq);
	/* After it, logged but lost from the store's pages. */
	ev(&f, PW_EV_CHARGE, 0xa1, 2, 10);
	ev(&f, PW_EV_END, 0xa1, 2, 20);
	ev(&f, PW_EV_CHARGE, 0xb1, 2, 10);
	ck_assert_int_eq(reconcile(&f), 0);

	word = pw_slot_word(a);
	ck_assert_uint_eq(PW_W_STATE(word), PW_GS_ENDED);
	ck_assert_uint_eq(PW_W_REASON(word), PW_R_ENDED);
	ck_assert_uint_eq(PW_W_HI(word), 2);
	ck_assert_uint_eq(atomic_load(&a->u.gs.logged), PW_LOGGED_START |
	    PW_LOGGED_END | 2);
	word = pw_slot_word(b);
	ck_assert_uint_eq(PW_W_STATE(word), PW_GS_LIVE);
	ck_assert_uint_eq(PW_W_HI(word), 2);
	ck_assert_uint_eq(atomic_load(&b->u.gs.logged), PW_LOGGED_START | 2);
	ck_assert_int_eq(atomic_load(&w->u.w.balance), 960);
	ck_assert_int_eq(atomic_load(&w->u.w.hold), 0);
	ck_assert_uint_eq(f.st.hdr->recon.ended, 1);
	/* Minute 2 raised for both, one of them then ended. */
	ck_assert_uint_eq(f.st.hdr->recon.minutes, 2);
	ck_assert_uint_eq(f.st.hdr->recon.wallets, 1);
	ck_assert_uint_eq(atomic_load(&f.st.hdr->ckpt_seq), f.b.last_seq);
	/* The OTT's own session was never logged: it stays issued. */
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(o)), PW_OTT_ISSUED);
	fix_close(&f);
}
END_TEST

/* An OTT whose session's START is logged stays consumed. */
START_TEST(test_ott_kept_consumed)
{
	struct fix f;
	struct pw_slot *o;
	uint8_t ott[PW_KEY_LEN], key[PW_KEY_LEN];
	struct pw_event e;

	fix_open(&f);
	memset(ott, 0x0e, sizeof(ott));
	o = pw_store_claim(&f.st, ott, PW_T_OTT);
	ck_assert_ptr_nonnull(o);
	o->u.ott.issued_ms = pw_now_ms();
	pw_store_publish(o, PW_OTT_ISSUED, 0);
	pw_gs_key_of_ott(&f.st, ott, key);
	memset(&e, 0, sizeof(e));
	e.ts_ms = pw_now_ms();
	e.type = PW_EV_START;
	memcpy(e.id, key, 16);
	ck_assert_int_eq(pw_blog_put(&f.b, &e), 0);
	ck_assert_int_eq(reconcile(&f), 0);
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(o)), PW_OTT_CONSUMED);
	ck_assert_uint_eq(f.st.hdr->recon.otts, 1);
	fix_close(&f);
}
END_TEST

/* An empty slot inside a probe run (a stale page) becomes a tombstone. */
START_TEST(test_mend_probe_run)
{
	struct fix f;
	struct pw_slot *s[3];
	uint8_t keys[3][PW_KEY_LEN];
	uint64_t home;
	int i;

	fix_open(&f);
	for (i = 0; i < 3; i++) {
		tmp_key_homed(&f.st, keys[i], 100, (uint32_t)i);
		s[i] = pw_store_claim(&f.st, keys[i], PW_T_OTT);
		ck_assert_ptr_nonnull(s[i]);
		pw_store_publish(s[i], PW_OTT_ISSUED, 0);
	}
	home = pw_store_index(&f.st, s[0]);
	ck_assert_uint_eq(pw_store_index(&f.st, s[2]), home + 2);
	atomic_store(&s[1]->word, 0);		/* the page came back empty */
	ck_assert_ptr_null(pw_store_find(&f.st, keys[2], PW_T_OTT, NULL));
	ck_assert_uint_eq(pw_store_mend(&f.st), 1);
	ck_assert_ptr_eq(pw_store_find(&f.st, keys[2], PW_T_OTT, NULL), s[2]);
	ck_assert_uint_eq(pw_store_mend(&f.st), 0);
	fix_close(&f);
}
END_TEST

/* DEBIT takes money out; a debit below zero or logged twice is wrong. */
START_TEST(test_debit_rules)
{
	struct fix f;
	struct pw_ledger l;
	struct pw_lsess *s;
	uint8_t id[16];

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 100);
	ev(&f, PW_EV_START, 0xa1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xa1, 1, 10);
	ev(&f, PW_EV_DEBIT, 0xd1, 0, 60);
	ev(&f, PW_EV_END, 0xa1, 1, 10);
	pw_ledger_init(&l, 0);
	ck_assert_int_eq(lread(&f, &l, 1), 0);
	ck_assert_msg(!l.bad, "%s", l.why);
	ck_assert_int_eq(pw_ledger_wallet(&l, "cafe-a")->balance, 30);
	memset(id, 0xd1, sizeof(id));
	s = pw_ledger_session(&l, id);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->credit);
	ck_assert_int_eq(s->balance, 30);
	/* A debit is not a session: none is open after the END. */
	ck_assert_uint_eq(l.open, 0);
	pw_ledger_free(&l);
	/* Read from a checkpoint, the balance before the DEBIT is implied. */
	pw_ledger_init(&l, 3);
	ck_assert_int_eq(lread(&f, &l, 1), 0);
	ck_assert_msg(!l.bad, "%s", l.why);
	ck_assert_int_eq(pw_ledger_wallet(&l, "cafe-a")->balance, 30);
	pw_ledger_free(&l);
	/* The same debit again, then one that takes the balance below 0. */
	ev(&f, PW_EV_DEBIT, 0xd1, 0, 5);
	pw_ledger_init(&l, 0);
	(void)lread(&f, &l, 1);
	ck_assert_msg(l.bad && strstr(l.why, "debit logged twice") != NULL,
	    "%s", l.why);
	ck_assert_uint_eq(l.bad_off, HDR + 5 * PW_EV_SIZE);
	pw_ledger_free(&l);
	fix_close(&f);
}
END_TEST

START_TEST(test_debit_below_zero)
{
	struct fix f;
	struct pw_ledger l;

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 100);
	ev(&f, PW_EV_DEBIT, 0xd1, 0, 101);
	pw_ledger_init(&l, 0);
	(void)lread(&f, &l, 1);
	ck_assert_msg(l.bad && strstr(l.why, "DEBIT below zero") != NULL &&
	    strstr(l.why, "DEBIT cr_d1d1d1d1-") != NULL, "%s", l.why);
	ck_assert_uint_eq(l.bad_off, HDR + PW_EV_SIZE);
	pw_ledger_free(&l);
	fix_close(&f);
}
END_TEST

/*
 * A reaper killed after writing a DEBIT and before applying it: the
 * store shows the debit queued and its amount held, the wallet's balance
 * unchanged.  The reaper's own reconciliation (no hold recomputation)
 * applies it once and gives the hold back; a debit queued and never
 * logged stays queued, holding nothing.
 */
START_TEST(test_debit_logged_not_applied)
{
	struct fix f;
	struct pw_slot *w, *d, *q;

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 1000);
	w = wallet_new(&f, "cafe-a", 1000, 0);
	atomic_store(&f.st.hdr->ckpt_seq, f.b.last_seq);
	d = cr_new(&f, 0xd1, -400, PW_CREDIT_READY);
	q = cr_new(&f, 0xd2, -50, PW_CREDIT_READY);
	atomic_store(&w->u.w.hold, 400 + 7);	/* 7: a session's minute */
	ev(&f, PW_EV_DEBIT, 0xd1, 0, 400);
	ck_assert_int_eq(pw_recover(&f.st, f.cfg, &f.b, 0), 0);
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(d)), PW_CREDIT_APPLIED);
	ck_assert_int_eq(atomic_load(&d->u.cr.balance), 600);
	ck_assert_int_eq(atomic_load(&w->u.w.balance), 600);
	ck_assert_int_eq(atomic_load(&w->u.w.hold), 7);
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(q)), PW_CREDIT_READY);
	ck_assert_uint_eq(f.st.hdr->recon.credits, 1);
	ck_assert_uint_eq(f.st.hdr->recon.wallets, 1);
	/* Again, as the next start would: nothing more moves. */
	atomic_store(&f.st.hdr->ckpt_seq, 1);
	ck_assert_int_eq(pw_recover(&f.st, f.cfg, &f.b, 0), 0);
	ck_assert_int_eq(atomic_load(&w->u.w.balance), 600);
	ck_assert_int_eq(atomic_load(&w->u.w.hold), 7);
	ck_assert_uint_eq(f.st.hdr->recon.credits, 0);
	fix_close(&f);
}
END_TEST

/*
 * The whole log read (a new checkpoint): the master's start recomputes
 * holds, which no queued debit has; a debit applied in the store but
 * missing from the log is queued again, to be logged, like a credit; the
 * balance is the log's, credits less charges less debits.
 */
START_TEST(test_debit_whole_log)
{
	struct fix f;
	struct pw_slot *w, *d, *gone;

	fix_open(&f);
	ev(&f, PW_EV_CREDIT, 0xc1, 0, 1000);
	ev(&f, PW_EV_START, 0xa1, 0, 0);
	ev(&f, PW_EV_CHARGE, 0xa1, 1, 10);
	ev(&f, PW_EV_END, 0xa1, 1, 10);
	ev(&f, PW_EV_DEBIT, 0xd1, 0, 300);
	w = wallet_new(&f, "cafe-a", 5, 99);
	d = cr_new(&f, 0xd1, -300, PW_CREDIT_READY);
	gone = cr_new(&f, 0xd3, -20, PW_CREDIT_APPLIED);
	ck_assert_int_eq(reconcile(&f), 0);
	ck_assert_int_eq(atomic_load(&w->u.w.balance), 1000 - 10 - 300);
	ck_assert_int_eq(atomic_load(&w->u.w.hold), 0);
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(d)), PW_CREDIT_APPLIED);
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(gone)), PW_CREDIT_READY);
	ck_assert_int_eq(gone->u.cr.amount, -20);
	fix_close(&f);
}
END_TEST

START_TEST(test_money_bound)
{
	int64_t r = 7;

	ck_assert_int_eq(pw_money_add(PW_MONEY_MAX - 1, 1, &r), 0);
	ck_assert_int_eq(r, PW_MONEY_MAX);
	ck_assert_int_eq(pw_money_add(PW_MONEY_MAX, 1, &r), -1);
	ck_assert_int_eq(r, PW_MONEY_MAX);
	ck_assert_int_eq(pw_money_add(INT64_MAX, 1, &r), -1);
	ck_assert_int_eq(pw_money_add(-PW_MONEY_MAX, -1, &r), -1);
}
END_TEST

START_TEST(test_minutes_in_ms)
{
	struct pw_slot s;

	memset(&s, 0, sizeof(s));
	s.u.gs.start_ms = 1000700;
	ck_assert_uint_eq(pw_gs_start_ms(&s), 1000700);
	ck_assert_uint_eq(pw_gs_due(&s, 1000700, 3), 1);
	ck_assert_uint_eq(pw_gs_due(&s, 1003699, 3), 1);
	ck_assert_uint_eq(pw_gs_due(&s, 1003700, 3), 2);
	ck_assert_uint_eq(pw_gs_due(&s, 999000, 3), 1);
	ck_assert_uint_eq(pw_gs_end_ms(&s), 0);
	pw_gs_set_end(&s, 1005710);
	ck_assert_uint_eq(pw_gs_end_ms(&s), 1005710);
}
END_TEST

/*
 * A checkpoint written in steps names its seq only once the last chunk
 * of the mapping is msynced; until then the old checkpoint stands.
 */
START_TEST(test_checkpoint_in_steps)
{
	struct fix f;
	struct pw_ckpt c;
	size_t chunk, steps, want;
	int rc;

	fix_open(&f);
	memset(&c, 0, sizeof(c));
	chunk = 2 * (size_t)sysconf(_SC_PAGESIZE);
	want = (f.st.maplen + chunk - 1) / chunk;
	ck_assert_uint_gt(want, 2);
	atomic_store(&f.st.hdr->ckpt_seq, 3);
	ck_assert_int_eq(pw_ckpt_step(&f.st, &c, chunk), 0);	/* idle */
	pw_ckpt_begin(&c, 9);
	for (steps = 1; (rc = pw_ckpt_step(&f.st, &c, chunk)) == 0; steps++) {
		ck_assert_uint_eq(atomic_load(&f.st.hdr->ckpt_seq), 3);
		ck_assert_uint_le(steps, want);
	}
	ck_assert_int_eq(rc, 1);
	ck_assert_uint_eq(steps, want);
	ck_assert_uint_eq(atomic_load(&f.st.hdr->ckpt_seq), 9);
	ck_assert_int_eq(c.active, 0);
	ck_assert_int_eq(pw_ckpt_step(&f.st, &c, chunk), 0);
	fix_close(&f);
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ledger");
	tc = tcase_create("ledger");
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_adopt_after_checkpoint);
	tcase_add_test(tc, test_stale_store_reconciled);
	tcase_add_test(tc, test_ott_kept_consumed);
	tcase_add_test(tc, test_mend_probe_run);
	tcase_add_test(tc, test_debit_rules);
	tcase_add_test(tc, test_debit_below_zero);
	tcase_add_test(tc, test_debit_logged_not_applied);
	tcase_add_test(tc, test_debit_whole_log);
	tcase_add_test(tc, test_money_bound);
	tcase_add_test(tc, test_minutes_in_ms);
	tcase_add_test(tc, test_checkpoint_in_steps);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(ledger_suite()));
}
