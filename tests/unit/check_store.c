/*
 * Unit tests: the store's records.
 * are forked from the test and report through a shared anonymous mapping
 * or their exit status, never through Check (which they must not touch).
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pw.h"
#include "pw_config.h"
#include "pw_crypto.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_store.h"

START_TEST(test_types)
{
	struct tstore t;
	struct pw_slot *s, *f;
	uint8_t k[NTYPES][PW_KEY_LEN];
	uint64_t w;
	size_t i;
	unsigned u, state;

	ts_open(&t, 4096, 0);
	for (i = 0; i < NTYPES; i++) {
		key_of(k[i], "types", (uint32_t)i, 0);
		s = pw_store_claim(&t.st, k[i], all_types[i]);
		ck_assert_ptr_nonnull(s);
		/* Claimed but unpublished: invisible to readers. */
		ck_assert_ptr_null(pw_store_find(&t.st, k[i], all_types[i],
		    NULL));
		fill_payload(s, all_types[i], 1000 + (uint32_t)i);
		pw_store_publish(s, (unsigned)i % 3, 70000 + (uint32_t)i);
	}
	for (i = 0; i < NTYPES; i++) {
		f = pw_store_find(&t.st, k[i], all_types[i], &w);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(memcmp(f->key, k[i], PW_KEY_LEN), 0);
		ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_LIVE);
		ck_assert_uint_eq(PW_W_TYPE(w), all_types[i]);
		state = (unsigned)i % 3;
		ck_assert_uint_eq(PW_W_STATE(w), state);
		ck_assert_uint_eq(PW_W_REASON(w), 0);
		ck_assert_uint_eq(PW_W_HI(w), 70000 + i);
		ck_assert_uint_eq(PW_W_GEN(w), 1);
		ck_assert_msg(payload_ok(f, all_types[i], 1000 + (uint32_t)i),
		    "payload of type %u changed", all_types[i]);
		for (u = 0; u < PW_T_MAX + 2; u++)
			if (u != all_types[i])
				ck_assert_msg(pw_store_find(&t.st, k[i], u,
				    NULL) == NULL, "key of type %u found as "
				    "type %u", all_types[i], u);
	}
	ck_assert_uint_eq(count_status(&t.st, PW_ST_LIVE), NTYPES);
	ts_close(&t);
}
END_TEST

/* The same records made through the session API find as their types. */
START_TEST(test_types_api)
{
	struct tstore t;
	struct pw_slot *s, *pc;
	uint8_t ott[PW_KEY_LEN], ls[PW_KEY_LEN], cr[PW_KEY_LEN];
	uint8_t pck[PW_KEY_LEN];
	uint64_t w;

	ts_open(&t, 4096, 0);
	pw_pc_key(pck, 77, "pc-7", 4);
	ck_assert_int_eq(pw_ott_issue(&t.st, 42, 0, pck, 0, 123456, ott), 0);
	s = pw_store_find(&t.st, ott, PW_T_OTT, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_OTT_ISSUED);
	ck_assert_uint_eq(s->u.ott.game, 42);
	ck_assert_uint_eq(s->u.ott.issued_ms, 123456);
	ck_assert_int_eq(memcmp(s->u.ott.pc, pck, PW_KEY_LEN), 0);
	ck_assert_ptr_null(pw_store_find(&t.st, ott, PW_T_GS, NULL));

	ck_assert_int_eq(tmp_ls_start(&t.st, "pc-7", 77, ls), 0);
	s = pw_store_find(&t.st, ls, PW_T_LS, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	pc = pw_store_find(&t.st, pck, PW_T_PC, NULL);
	ck_assert_ptr_nonnull(pc);
	ck_assert_ptr_eq(pw_store_deref(&t.st, atomic_load(&pc->u.pc.ls),
	    PW_T_LS, NULL), s);
	ck_assert_ptr_null(pw_store_find(&t.st, pck, PW_T_LS, NULL));

	s = pw_credit_queue(&t.st, "seoul-01", 500, NULL, NULL, cr);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_eq(pw_store_find(&t.st, cr, PW_T_CREDIT, &w), s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_CREDIT_READY);
	ck_assert_int_eq(s->u.cr.amount, 500);
	ck_assert_str_eq(s->u.cr.name, "seoul-01");
	ck_assert_ptr_null(pw_wallet_find(&t.st, "seoul-01"));
	ts_close(&t);
}
END_TEST

START_TEST(test_abandon)
{
	struct tstore t;
	struct pw_slot *s, *s2;
	uint8_t k[PW_KEY_LEN];
	uint64_t w;

	ts_open(&t, 4096, 0);
	key_of(k, "abandon", 1, 2);
	s = pw_store_claim(&t.st, k, PW_T_GS);
	ck_assert_ptr_nonnull(s);
	w = pw_slot_word(s);
	ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_BUSY);
	ck_assert_uint_eq(PW_W_HI(w), (uint32_t)getpid());
	pw_store_abandon(s);
	w = pw_slot_word(s);
	ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_TOMB);
	ck_assert_uint_eq(PW_W_GEN(w), 1);
	ck_assert_ptr_null(pw_store_find(&t.st, k, PW_T_GS, NULL));
	/* The tombstone is the first free slot of the run: reused. */
	s2 = pw_store_claim(&t.st, k, PW_T_GS);
	ck_assert_ptr_eq(s2, s);
	ck_assert_uint_eq(PW_W_GEN(pw_slot_word(s2)), 2);
	pw_store_publish(s2, PW_GS_LIVE, 1);
	ck_assert_ptr_eq(pw_store_find(&t.st, k, PW_T_GS, NULL), s);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_LIVE), 1);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_TOMB), 0);
	ts_close(&t);
}
END_TEST

START_TEST(test_ref)
{
	struct tstore t;
	struct pw_slot *a, *b;
	uint8_t ka[PW_KEY_LEN], kb[PW_KEY_LEN];
	pw_ref_t ref;
	uint64_t w;

	ts_open(&t, 4096, 0);
	key_of(ka, "ref", 1, 0);
	a = put(&t.st, ka, PW_T_GS);
	ref = pw_store_ref(&t.st, a);
	ck_assert_ptr_eq(pw_store_deref(&t.st, ref, PW_T_GS, &w), a);
	ck_assert_uint_eq(PW_W_TYPE(w), PW_T_GS);
	ck_assert_ptr_null(pw_store_deref(&t.st, ref, PW_T_LS, NULL));
	ck_assert_ptr_null(pw_store_deref(&t.st, 0, PW_T_GS, NULL));
	ck_assert_ptr_null(pw_store_deref(&t.st, (t.st.mask + 2) << 32 |
	    (ref & 0xffffffffu), PW_T_GS, NULL));

	free_slot(a);
	ck_assert_ptr_null(pw_store_deref(&t.st, ref, PW_T_GS, NULL));

	/* Another key with the same home takes the freed slot. */
	tmp_key_homed(&t.st, kb, pw_store_home(&t.st, ka), 1);
	b = put(&t.st, kb, PW_T_GS);
	ck_assert_ptr_eq(b, a);
	ck_assert_ptr_null(pw_store_deref(&t.st, ref, PW_T_GS, NULL));
	ck_assert_ptr_null(pw_store_find(&t.st, ka, PW_T_GS, NULL));
	ck_assert_ptr_eq(pw_store_find(&t.st, kb, PW_T_GS, NULL), b);
	ck_assert_ptr_eq(pw_store_deref(&t.st, pw_store_ref(&t.st, b),
	    PW_T_GS, NULL), b);
	ts_close(&t);
}
END_TEST

/*
 * A slot reused by a key of the same home that shares the key bytes a
 * reference checks (8-11) with the old one: with random keys this
 * happens once in 2^17 reuses, and a stale reference must still not
 * resolve to the new record (the generation tells them apart).
 */
START_TEST(test_ref_reuse_same_prefix)
{
	struct tstore t;
	struct pw_slot *a, *b;
	uint8_t ka[PW_KEY_LEN], kb[PW_KEY_LEN];
	pw_ref_t ref;
	uint64_t i;

	ts_open(&t, 4096, 0);
	key_of(ka, "ref", 2, 0);
	a = put(&t.st, ka, PW_T_GS);
	ref = pw_store_ref(&t.st, a);
	free_slot(a);
	/* Same home, and the same bytes 8-11 the reference checks. */
	for (i = 1;; i++) {
		memcpy(kb, ka, PW_KEY_LEN);
		memcpy(kb, &i, sizeof(i));
		if (memcmp(kb, ka, PW_KEY_LEN) != 0 &&
		    pw_store_home(&t.st, kb) == pw_store_home(&t.st, ka))
			break;
		ck_assert_uint_lt(i, 1000000);
	}
	b = put(&t.st, kb, PW_T_GS);
	ck_assert_ptr_eq(b, a);
	ck_assert_msg(pw_store_deref(&t.st, ref, PW_T_GS, NULL) == NULL,
	    "a reference to a freed record resolves to the record that "
	    "reused its slot");
	ts_close(&t);
}
END_TEST

/*
 * Records keyed by random UUIDs spread over the whole table: the home is
 * taken from key bytes of which UUIDv4 fixes some bits (byte 6), and on
 * no byte order may those bits decide where records go.
 */
START_TEST(test_uuid_spread)
{
	struct tstore t;
	uint8_t key[PW_KEY_LEN];
	uint64_t i, bucket[16];
	int b;

	ts_open(&t, 65536, 0);
	memset(bucket, 0, sizeof(bucket));
	for (i = 0; i < 8192; i++)
		ck_assert_int_eq(pw_ott_issue(&t.st, 1, 0, NULL, 0, pw_now_ms(),
		    key), 0);
	for (i = 0; i <= t.st.mask; i++)
		if (PW_W_STATUS(pw_slot_word(&t.st.slots[i])) == PW_ST_LIVE)
			bucket[(i >> 12) & 0xf]++;
	/* 512 expected in each sixteenth of the table. */
	for (b = 0; b < 16; b++)
		ck_assert_msg(bucket[b] > 256 && bucket[b] < 1024,
		    "%llu of 8192 records in sixteenth %d of the table",
		    (unsigned long long)bucket[b], b);
	ck_assert_uint_lt(atomic_load(&t.st.hdr->max_probe), 64);
	ts_close(&t);
}
END_TEST

START_TEST(test_claim_unique_exists)
{
	struct tstore t;
	struct pw_slot *s, *o;
	uint8_t k[PW_KEY_LEN];

	ts_open(&t, 4096, 0);
	key_of(k, "uniq1", 0, 0);
	ck_assert_int_eq(pw_store_claim_unique(&t.st, k, PW_T_PC, &s),
	    PW_INS_NEW);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s)), PW_ST_BUSY);
	fill_payload(s, PW_T_PC, 3);
	pw_store_publish(s, 0, 0);
	ck_assert_int_eq(pw_store_claim_unique(&t.st, k, PW_T_PC, &o),
	    PW_INS_EXISTS);
	ck_assert_ptr_eq(o, s);
	/* Unique per type: the same key of another type is another record. */
	ck_assert_int_eq(pw_store_claim_unique(&t.st, k, PW_T_WALLET, &o),
	    PW_INS_NEW);
	ck_assert_ptr_ne(o, s);
	pw_store_publish(o, 0, 0);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_LIVE), 2);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_TOMB), 0);
	ts_close(&t);
}
END_TEST

/* ---- tombstones ---- */

/* Keys of one home (placement is keyed: searched for). */
static void
key_same_home(const struct pw_store *st, uint8_t k[PW_KEY_LEN],
    const uint8_t base[PW_KEY_LEN], uint8_t j)
{
	tmp_key_homed(st, k, pw_store_home(st, base), j);
}

START_TEST(test_tombstones)
{
	struct tstore t;
	struct pw_slot *s[3];
	uint8_t base[PW_KEY_LEN], k[3][PW_KEY_LEN];
	uint64_t h, w;
	int i;

	ts_open(&t, 4096, 0);
	key_of(base, "tomb", 0, 0);
	for (i = 0; i < 3; i++) {
		key_same_home(&t.st, k[i], base, (uint8_t)(i + 1));
		s[i] = put(&t.st, k[i], PW_T_GS);
	}
	h = pw_store_index(&t.st, s[0]);
	ck_assert_uint_eq(pw_store_index(&t.st, s[1]), (h + 1) & t.st.mask);
	ck_assert_uint_eq(pw_store_index(&t.st, s[2]), (h + 2) & t.st.mask);

	/* Tidy leaves live slots alone. */
	ck_assert_int_eq(pw_store_tidy(&t.st, h), 0);
	free_slot(s[0]);
	free_slot(s[1]);
	/* First pass marks; later passes keep a tomb inside a run. */
	ck_assert_int_eq(pw_store_tidy(&t.st, h), 1);
	w = pw_slot_word(s[0]);
	ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_TOMB);
	ck_assert(w & PW_W_MARK);
	ck_assert_int_eq(pw_store_tidy(&t.st, h), 0);
	ck_assert_int_eq(pw_store_tidy(&t.st, (h + 1) & t.st.mask), 1);
	ck_assert_int_eq(pw_store_tidy(&t.st, (h + 1) & t.st.mask), 0);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s[0])), PW_ST_TOMB);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s[1])), PW_ST_TOMB);
	/* The record behind the tombstones is still reachable. */
	ck_assert_ptr_eq(pw_store_find(&t.st, k[2], PW_T_GS, NULL), s[2]);

	/* The end of the run: unmarked first, so marked, then EMPTY. */
	free_slot(s[2]);
	ck_assert_int_eq(pw_store_tidy(&t.st, (h + 2) & t.st.mask), 1);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s[2])), PW_ST_TOMB);
	ck_assert_int_eq(pw_store_tidy(&t.st, (h + 2) & t.st.mask), 1);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s[2])), PW_ST_EMPTY);
	/* Now the run shrinks from its end, one slot at a time. */
	ck_assert_int_eq(pw_store_tidy(&t.st, (h + 1) & t.st.mask), 1);
	ck_assert_int_eq(pw_store_tidy(&t.st, h), 1);
	for (i = 0; i < 3; i++) {
		w = pw_slot_word(s[i]);
		ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_EMPTY);
		/* The generation survives, so stale CASes still fail. */
		ck_assert_uint_eq(PW_W_GEN(w), 1);
	}
	ck_assert_uint_eq(count_status(&t.st, PW_ST_EMPTY), t.st.mask + 1);
	ck_assert_ptr_eq(put(&t.st, k[1], PW_T_GS), s[0]);
	ck_assert_uint_eq(PW_W_GEN(pw_slot_word(s[0])), 2);
	ts_close(&t);
}
END_TEST

/* ---- a full store ---- */

START_TEST(test_full)
{
	struct tstore t;
	struct pw_slot *s, *o;
	uint8_t key[PW_KEY_LEN], ott[PW_KEY_LEN];
	uint32_t i;

	ts_open(&t, 64, 0);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_STORE_FULL), 0);
	for (i = 0; i < 64; i++) {
		key_of(key, "full", i, 0);
		(void)put(&t.st, key, PW_T_OTT);
	}
	key_of(key, "full", 64, 0);
	ck_assert_ptr_null(pw_store_claim(&t.st, key, PW_T_OTT));
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_STORE_FULL), 1);
	ck_assert_int_eq(pw_store_claim_unique(&t.st, key, PW_T_PC, &o),
	    PW_INS_FULL);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_STORE_FULL), 2);
	ck_assert_int_eq(pw_ott_issue(&t.st, 1, 0, NULL, 0, pw_now_ms(), ott),
	    -1);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_STORE_FULL), 3);
	/* Full, but every record is intact and unique keys still found. */
	for (i = 0; i < 64; i++) {
		key_of(key, "full", i, 0);
		ck_assert_ptr_nonnull(pw_store_find(&t.st, key, PW_T_OTT,
		    NULL));
	}
	key_of(key, "full", 5, 0);
	ck_assert_int_eq(pw_store_claim_unique(&t.st, key, PW_T_OTT, &o),
	    PW_INS_EXISTS);
	/* One freed slot makes room for exactly one more. */
	free_slot(o);
	key_of(key, "full", 100, 0);
	s = pw_store_claim(&t.st, key, PW_T_OTT);
	ck_assert_ptr_eq(s, o);
	pw_store_publish(s, 0, 0);
	key_of(key, "full", 101, 0);
	ck_assert_ptr_null(pw_store_claim(&t.st, key, PW_T_OTT));
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_STORE_FULL), 4);
	ts_close(&t);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store");

	tc = tcase_create("records");
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_types_api);
	tcase_add_test(tc, test_abandon);
	tcase_add_test(tc, test_ref);
	tcase_add_test(tc, test_ref_reuse_same_prefix);
	tcase_add_test(tc, test_claim_unique_exists);
	tcase_add_test(tc, test_uuid_spread);
	tcase_add_test(tc, test_tombstones);
	tcase_add_test(tc, test_full);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(store_suite()));
}
