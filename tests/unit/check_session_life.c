/*
 * Unit tests: game and launcher sessions over their life.
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

START_TEST(test_replace_same_pc)
{
	struct fix f;
	struct pw_gs_info info;
	struct pw_slot *s1, *s2, *pc;
	uint8_t pck[PW_KEY_LEN], o[PW_KEY_LEN];
	uint8_t gs1[PW_KEY_LEN], gs2[PW_KEY_LEN], gs3[PW_KEY_LEN];
	uint64_t w;
	int cafe;

	fix_open(&f);
	pw_pc_key(pck, 0, "pc-42", 5);
	ott(&f, f.alpha, 0, pck, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs1, &cafe), PW_V_OK);
	s1 = pw_store_find(&f.st, gs1, PW_T_GS, NULL);
	ck_assert_ptr_nonnull(s1);
	pc = pw_store_find(&f.st, pck, PW_T_PC, NULL);
	ck_assert_ptr_nonnull(pc);
	ck_assert_ptr_eq(pw_store_deref(&f.st, atomic_load(&pc->u.pc.gs),
	    PW_T_GS, NULL), s1);

	ott(&f, f.beta, 0, pck, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.beta, gs2, &cafe), PW_V_OK);
	s2 = pw_store_find(&f.st, gs2, PW_T_GS, NULL);
	ck_assert_ptr_nonnull(s2);
	ck_assert_ptr_eq(pw_store_deref(&f.st, atomic_load(&pc->u.pc.gs),
	    PW_T_GS, NULL), s2);
	/* The PC record was reused, not duplicated. */
	ck_assert_uint_eq(count_live(&f.st, PW_T_PC), 1);

	ck_assert_ptr_eq(pw_store_find(&f.st, gs1, PW_T_GS, &w), s1);
	ck_assert_uint_eq(PW_W_STATE(w), PW_GS_ENDED);
	ck_assert_uint_eq(PW_W_REASON(w), PW_R_REPLACED);
	ck_assert_uint_eq(PW_W_HI(w), 1);	/* billing kept */
	ck_assert_uint_ne(atomic_load(&s1->u.gs.ended_ms), 0);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs1, f.alpha->hash, f.uid,
	    &info), PW_TOUCH_REPLACED);
	ck_assert_uint_eq(info.reason, PW_R_REPLACED);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs2, f.beta->hash, f.uid,
	    &info), PW_TOUCH_OK);
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs1, f.alpha->hash, PW_R_ENDED,
	    &info), PW_TOUCH_ALREADY);

	/* A session on another PC, or on none, is left alone. */
	ott(&f, f.alpha, 0, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs3, &cafe), PW_V_OK);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs2, f.beta->hash, NULL, &info),
	    PW_TOUCH_OK);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs3, f.alpha->hash, NULL,
	    &info), PW_TOUCH_OK);
	fix_close(&f);
}
END_TEST

START_TEST(test_end)
{
	struct fix f;
	struct pw_gs_info info;
	struct pw_slot *s, *wal;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN];
	uint64_t w;
	int cafe;

	fix_open(&f);
	wal = wallet_make(&f, "cafe-a", 100);
	ott(&f, f.alpha, cafe_hash(&f, "cafe-a"), NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 10);
	memset(&info, 0xff, sizeof(info));
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.alpha->hash, f.uid,
	    &info), PW_TOUCH_OK);
	ck_assert_int_eq(info.is_cafe, 1);
	ck_assert_uint_eq(info.billed, 1);
	ck_assert_int_eq(info.charged, 10);
	ck_assert_uint_eq(info.reason, PW_R_NONE);
	ck_assert_uint_le(info.duration, 2);

	memset(&info, 0xff, sizeof(info));
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs, f.alpha->hash, PW_R_ENDED,
	    &info), PW_TOUCH_OK);
	ck_assert_uint_eq(info.reason, PW_R_ENDED);
	ck_assert_uint_eq(info.billed, 1);
	ck_assert_int_eq(info.charged, 10);
	ck_assert_int_eq(info.is_cafe, 1);
	s = pw_store_find(&f.st, gs, PW_T_GS, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_GS_ENDED);
	ck_assert_uint_eq(PW_W_REASON(w), PW_R_ENDED);
	ck_assert_uint_ge(pw_gs_end_ms(s), pw_gs_start_ms(s));

	/* Twice: already; and a second end never changes the reason. */
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs, f.alpha->hash, PW_R_ADMIN,
	    &info), PW_TOUCH_ALREADY);
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs, 0, PW_R_ADMIN, &info),
	    PW_TOUCH_ALREADY);
	ck_assert_uint_eq(PW_W_REASON(pw_slot_word(s)), PW_R_ENDED);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.alpha->hash, f.uid,
	    &info), PW_TOUCH_ENDED);
	ck_assert_uint_eq(info.reason, PW_R_ENDED);
	/* The hold is the reaper's to settle. */
	ck_assert_int_eq(atomic_load(&wal->u.w.hold), 10);
	/* Unknown sessions. */
	pw_uuid_new(NULL, o);
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, o, f.alpha->hash, PW_R_ENDED,
	    &info), PW_TOUCH_NOT_FOUND);
	ck_assert_int_eq(pw_gs_touch(&f.st, o, f.alpha->hash, NULL, &info),
	    PW_TOUCH_NOT_FOUND);
	fix_close(&f);
}
END_TEST

START_TEST(test_mismatch)
{
	struct fix f;
	struct pw_gs_info info;
	uint8_t o[PW_KEY_LEN], gs[PW_KEY_LEN], other[PW_UID_LEN];
	int cafe;

	fix_open(&f);
	ck_assert_int_eq(pw_uid_pack(other, "1234567890", 10), 0);
	ott(&f, f.alpha, 0, NULL, pw_now_ms(), o);
	ck_assert_int_eq(verify(&f, o, f.alpha, gs, &cafe), PW_V_OK);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.beta->hash, NULL, &info),
	    PW_TOUCH_MISMATCH);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.alpha->hash, other,
	    &info), PW_TOUCH_MISMATCH);
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs, f.beta->hash, PW_R_ENDED,
	    &info), PW_TOUCH_MISMATCH);
	/* None of that touched the session. */
	ck_assert_uint_eq(PW_W_STATE(pw_slot_word(pw_store_find(&f.st, gs,
	    PW_T_GS, NULL))), PW_GS_LIVE);
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.alpha->hash, f.uid,
	    &info), PW_TOUCH_OK);
	/* Game 0 is the administrator: any game. */
	ck_assert_int_eq(pw_gs_end(&f.st, f.cfg, gs, 0, PW_R_ADMIN, &info),
	    PW_TOUCH_OK);
	ck_assert_uint_eq(info.reason, PW_R_ADMIN);
	/* Even ended, another game learns nothing. */
	ck_assert_int_eq(pw_gs_touch(&f.st, gs, f.beta->hash, NULL, &info),
	    PW_TOUCH_MISMATCH);
	fix_close(&f);
}
END_TEST

START_TEST(test_launcher_replace)
{
	struct fix f;
	struct pw_slot *s1, *s2, *s3, *pc, *got;
	uint8_t pck[PW_KEY_LEN], l1[PW_KEY_LEN], l2[PW_KEY_LEN];
	uint8_t l3[PW_KEY_LEN];
	uint64_t w;

	fix_open(&f);
	ck_assert_int_eq(tmp_ls_start(&f.st, "pc-1", cafe_hash(&f, "cafe-a"), l1), 0);
	ck_assert_int_eq(tmp_ls_start(&f.st, "pc-2", cafe_hash(&f, "cafe-a"), l3), 0);
	s1 = pw_store_find(&f.st, l1, PW_T_LS, &w);
	ck_assert_ptr_nonnull(s1);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	ck_assert_int_eq(tmp_ls_start(&f.st, "pc-1", cafe_hash(&f, "cafe-a"), l2), 0);
	ck_assert_uint_eq(pw_counter_sum(&f.st, PW_C_LS_STARTED), 3);

	ck_assert_ptr_eq(pw_store_find(&f.st, l1, PW_T_LS, &w), s1);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_ENDED);
	ck_assert_uint_eq(PW_W_REASON(w), PW_R_REPLACED);
	ck_assert_uint_ne(atomic_load(&s1->u.ls.ended_ms), 0);
	s2 = pw_store_find(&f.st, l2, PW_T_LS, &w);
	ck_assert_ptr_nonnull(s2);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	s3 = pw_store_find(&f.st, l3, PW_T_LS, &w);
	ck_assert_ptr_nonnull(s3);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	ck_assert_ptr_ne(s3, s2);
	(void)got;

	pw_pc_key(pck, cafe_hash(&f, "cafe-a"), "pc-1", 4);
	pc = pw_store_find(&f.st, pck, PW_T_PC, NULL);
	ck_assert_ptr_nonnull(pc);
	ck_assert_ptr_eq(pw_store_deref(&f.st, atomic_load(&pc->u.pc.ls),
	    PW_T_LS, NULL), s2);
	ck_assert_int_eq(memcmp(s2->u.ls.pc, pck, PW_KEY_LEN), 0);
	ck_assert_uint_eq(count_live(&f.st, PW_T_PC), 2);
	/* Ending an ended launcher session changes nothing. */
	ck_assert_int_eq(pw_ls_end_slot(&f.st, s1, PW_R_ENDED,
	    pw_store_now(&f.st)), 0);
	ck_assert_uint_eq(PW_W_REASON(pw_slot_word(s1)), PW_R_REPLACED);
	fix_close(&f);
}
END_TEST

static Suite *
session_life_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("session_life");

	tc = tcase_create("sessions");
	tcase_add_test(tc, test_replace_same_pc);
	tcase_add_test(tc, test_end);
	tcase_add_test(tc, test_mismatch);
	tcase_add_test(tc, test_launcher_replace);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(session_life_suite()));
}
