/*
 * Unit tests: verify and wallets.
 * real store file, as the workers drive them (pw_session.h).
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pw.h"
#include "pw_config.h"
#include "pw_crypto.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_session.h"

START_TEST(test_verify_ok)
{
	struct fix f;
	struct pw_slot *s;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint64_t w;
	uint32_t now;
	int cafe;

	fix_open(&f);
	now = pw_store_now(&f.st);
	ott(&f, f.alpha, 0, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(cafe, 0);
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_CONSUMED);
	s = pw_store_find(&f.st, gs, PW_T_GS, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_GS_LIVE);
	ck_assert_uint_eq(PW_W_HI(w), 1);	/* first minute owed */
	ck_assert_uint_eq(s->u.gs.game, f.alpha->hash);
	ck_assert_uint_eq(s->u.gs.cafe, 0);
	ck_assert_uint_eq(s->u.gs.price, 0);	/* not a cafe: free */
	ck_assert_uint_ge(s->u.gs.start_ms, now);
	ck_assert_uint_le(s->u.gs.start_ms, pw_store_now(&f.st));
	ck_assert_int_eq(memcmp(s->u.gs.uid, f.uid, PW_UID_LEN), 0);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_OTT_CONSUMED), 1);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_GS_STARTED), 1);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_OTT_REJECTED), 0);
	fix_close(&f);
}
END_TEST

START_TEST(test_verify_not_found)
{
	struct fix f;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	int cafe;

	fix_open(&f);
	pw_uuid_new(NULL, o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_NOT_FOUND);
	/* A key that exists, but is no OTT, is not found either. */
	ck_assert_int_eq(tmp_ls_start(&f.st, "pc-1", 0, o), 0);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_NOT_FOUND);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_OTT_REJECTED), 2);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 0);
	fix_close(&f);
}
END_TEST

START_TEST(test_verify_game_mismatch)
{
	struct fix f;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	int cafe;

	fix_open(&f);
	ott(&f, f.alpha, 0, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe),
	    PW_V_GAME_MISMATCH);
	/* Not consumed: the right game still gets it. */
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_ISSUED);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 0);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	/* GAME_MISMATCH comes before OTT_ALREADY_USED. */
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe),
	    PW_V_GAME_MISMATCH);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_USED);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 1);
	fix_close(&f);
}
END_TEST

START_TEST(test_verify_expired)
{
	struct fix f;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint64_t ttl;
	int cafe;

	fix_open(&f);
	ttl = (uint64_t)f.cfg->ott_ttl * 1000;
	ck_assert_uint_eq(ttl, 60000);
	ott(&f, f.alpha, 0, NULL, pw_store_now(&f.st) - ttl - 1, o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_EXPIRED);
	/* Expired is not consumed: it stays expired, never USED. */
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_ISSUED);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_EXPIRED);
	/* At exactly ott-ttl it has expired. */
	ott(&f, f.alpha, 0, NULL, pw_store_now(&f.st) - ttl, o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_EXPIRED);
	/* Ten seconds short of it, it has not. */
	ott(&f, f.alpha, 0, NULL, pw_store_now(&f.st) - ttl + 10000, o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 1);
	fix_close(&f);
}
END_TEST

/* USED before EXPIRED, EXPIRED before NOT_CHARGEABLE. */
START_TEST(test_verify_order)
{
	struct fix f;
	struct pw_slot *s, *wal;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint64_t w, ttl;
	int cafe;

	fix_open(&f);
	ttl = (uint64_t)f.cfg->ott_ttl * 1000;
	/* Consumed while valid, asked again after it expired. */
	ott(&f, f.alpha, 0, NULL, pw_now_ms() - ttl - 5000, o);
	s = pw_store_find(&f.st, o, PW_T_OTT, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_CONSUMED, 0,
	    0)), 1);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_USED);
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe),
	    PW_V_GAME_MISMATCH);

	/* An expired OTT of a cafe that cannot pay: EXPIRED, no hold. */
	wal = wallet_make(&f, "cafe-poor", 3);
	ott(&f, f.alpha, cafe_hash(&f, "cafe-poor"), NULL,
	    pw_now_ms() - ttl - 1, o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_EXPIRED);
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_ISSUED);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 0);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 0);
	fix_close(&f);
}
END_TEST

START_TEST(test_not_chargeable)
{
	struct fix f;
	struct pw_slot *wal;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	int cafe;

	fix_open(&f);
	wal = wallet_make(&f, "cafe-poor", 9);	/* alpha costs 10 */
	ott(&f, f.alpha, cafe_hash(&f, "cafe-poor"), NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe),
	    PW_V_NOT_CHARGEABLE);
	/* Consumed, nothing held, nothing started. */
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_CONSUMED);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_USED);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 0);
	ck_assert_int_eq(atomic_load(&wal->u.w.balance), 9);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 0);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_GS_STARTED), 0);

	/* beta costs 7: the same wallet pays for it. */
	ott(&f, f.beta, cafe_hash(&f, "cafe-poor"), NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(cafe, 1);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 7);

	/* A configured cafe without any wallet cannot pay either. */
	ott(&f, f.alpha, cafe_hash(&f, "cafe-b"), NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe),
	    PW_V_NOT_CHARGEABLE);
	ck_assert_uint_eq(ott_state(&f, o), PW_OTT_CONSUMED);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 1);
	fix_close(&f);
}
END_TEST

START_TEST(test_hold_one_minute)
{
	struct fix f;
	struct pw_slot *wal, *s;
	uint8_t o1[PW_KEY_LEN], o2[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint32_t ca;
	uint64_t w;
	int cafe;

	fix_open(&f);
	ca = cafe_hash(&f, "cafe-a");
	wal = wallet_make(&f, "cafe-a", 10);	/* one minute of alpha */
	ott(&f, f.alpha, ca, NULL, pw_now_ms(), o1);
	ott(&f, f.alpha, ca, NULL, pw_now_ms(), o2);
	ck_assert_int_eq(verify(&f, o1, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(cafe, 1);
	s = pw_store_find(&f.st, gs, PW_T_GS, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->u.gs.cafe, ca);
	ck_assert_uint_eq(s->u.gs.price, 10);
	ck_assert_uint_eq(PW_W_HI(w), 1);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 10);
	/* The balance is the reaper's: a hold does not touch it. */
	ck_assert_int_eq(atomic_load(&wal->u.w.balance), 10);
	ck_assert_int_eq(verify(&f, o2, f.alpha, gs, &cafe),
	    PW_V_NOT_CHARGEABLE);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 10);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), 1);
	fix_close(&f);
}
END_TEST

START_TEST(test_hold_arithmetic)
{
	struct fix f;
	struct pw_slot *wal;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint32_t ca;
	int cafe;

	fix_open(&f);
	ca = cafe_hash(&f, "cafe-a");
	wal = wallet_make(&f, "cafe-a", 25);
	/* An earlier hold counts against the balance too. */
	atomic_store(&wal->u.w.hold, 6);
	ott(&f, f.alpha, ca, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 16);
	ott(&f, f.alpha, ca, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe),
	    PW_V_NOT_CHARGEABLE);		/* 25 - 16 < 10 */
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 16);
	ott(&f, f.beta, ca, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 23);
	ott(&f, f.beta, ca, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.beta, gs, &cafe),
	    PW_V_NOT_CHARGEABLE);		/* 25 - 23 < 7 */
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 23);

	/* hold/unhold directly: an exact fit, then nothing more. */
	ck_assert_int_eq(pw_wallet_hold(&f.st, ca, f.cfg, 2), 0);
	ck_assert_int_eq(pw_wallet_hold(&f.st, ca, f.cfg, 1), -1);
	ck_assert_int_eq(pw_wallet_hold(&f.st, ca, f.cfg, 0), 0);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 25);
	pw_wallet_unhold(&f.st, ca, f.cfg, 2);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 23);
	ck_assert_int_eq(atomic_load(&wal->u.w.balance), 25);
	/* An unknown cafe is never chargeable. */
	ck_assert_int_eq(pw_wallet_hold(&f.st, 12345, f.cfg, 1), -1);

	/* A cafe that left the config bills nobody: a free session. */
	ott(&f, f.alpha, 12345, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(cafe, 0);
	fix_close(&f);
}
END_TEST

/* Many processes verifying at one cafe never spend the same G-coin. */
struct hold_shm {
	_Atomic uint32_t	 ready;
	_Atomic uint32_t	 ok;
	_Atomic uint32_t	 refused;
	_Atomic uint32_t	 bad;
};

static void
hold_child(struct fix *f, uint8_t (*otts)[PW_KEY_LEN], struct hold_shm *h,
    int me)
{
	uint8_t gs[PW_KEY_LEN];
	enum pw_verify v;
	int i, cafe;
	long spin;

	pw_store_set_cell(&f->st, (unsigned)me + 1);
	atomic_fetch_add(&h->ready, 1);
	for (spin = 0; atomic_load(&h->ready) < HOLD_PROCS; spin++) {
		if (spin > 50000000L)
			_exit(2);
		sched_yield();
	}
	for (i = 0; i < HOLD_OTTS; i++) {
		v = verify(f, otts[me * HOLD_OTTS + i], f->alpha, gs, &cafe);
		if (v == PW_V_OK && cafe == 1)
			atomic_fetch_add(&h->ok, 1);
		else if (v == PW_V_NOT_CHARGEABLE)
			atomic_fetch_add(&h->refused, 1);
		else
			atomic_fetch_add(&h->bad, 1);
	}
	_exit(0);
}

START_TEST(test_hold_race)
{
	struct fix f;
	struct pw_slot *wal;
	struct hold_shm *h;
	uint8_t (*otts)[PW_KEY_LEN];
	pid_t pids[HOLD_PROCS];
	int i, status;

	fix_open(&f);
	wal = wallet_make(&f, "cafe-a", HOLD_MINUTES * f.alpha->price);
	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	ck_assert_ptr_ne(h, MAP_FAILED);
	otts = calloc(HOLD_PROCS * HOLD_OTTS, PW_KEY_LEN);
	ck_assert_ptr_nonnull(otts);
	for (i = 0; i < HOLD_PROCS * HOLD_OTTS; i++)
		ott(&f, f.alpha, cafe_hash(&f, "cafe-a"), NULL, pw_now_ms(),
		    otts[i]);
	for (i = 0; i < HOLD_PROCS; i++) {
		pids[i] = fork();
		ck_assert_int_ne(pids[i], -1);
		if (pids[i] == 0)
			hold_child(&f, otts, h, i);
	}
	for (i = 0; i < HOLD_PROCS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_uint_eq(atomic_load(&h->bad), 0);
	ck_assert_uint_eq(atomic_load(&h->ok), HOLD_MINUTES);
	ck_assert_uint_eq(atomic_load(&h->refused),
	    HOLD_PROCS * HOLD_OTTS - HOLD_MINUTES);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold),
	    HOLD_MINUTES * f.alpha->price);
	ck_assert_uint_eq(count_live(&f.st, PW_T_GS), HOLD_MINUTES);
	free(otts);
	fix_close(&f);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("session");

	tc = tcase_create("verify");
	tcase_add_test(tc, test_verify_ok);
	tcase_add_test(tc, test_verify_not_found);
	tcase_add_test(tc, test_verify_game_mismatch);
	tcase_add_test(tc, test_verify_expired);
	tcase_add_test(tc, test_verify_order);
	tcase_add_test(tc, test_not_chargeable);
	suite_add_tcase(s, tc);

	tc = tcase_create("wallet");
	tcase_add_test(tc, test_hold_one_minute);
	tcase_add_test(tc, test_hold_arithmetic);
	tcase_add_test(tc, test_hold_race);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(session_suite()));
}
