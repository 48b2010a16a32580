/*
 * Unit tests: real-play logins in the store (realplay.c) -- request-id
 * records, player tokens, replays, conflicts and racing inserts -- on a
 * store file of its own.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_crypto.h"
#include "pw_realplay.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"

#define NSLOTS	2048
#define NRACERS	8
#define NROUNDS	600

struct fixture {
	char		 dir[64];
	char		 path[96];
	struct pw_store	 st;
};

/* Check runs each test in a child of its own: one fixture per child. */
static struct fixture fx;

static void
setup(void)
{
	tmp_dir(fx.dir, sizeof(fx.dir), "check_realplay");
	snprintf(fx.path, sizeof(fx.path), "%s/store", fx.dir);
	tmp_store_open(&fx.st, fx.path, NSLOTS);
}

static void
teardown(void)
{
	pw_store_close(&fx.st);
	unlink(fx.path);
	rmdir(fx.dir);
}

static struct pw_rp_login
login(const char *rid, const char *body, const char *sub)
{
	struct pw_rp_login l;

	memset(&l, 0, sizeof(l));
	l.game = "fantasyquest";
	l.game_hash = 0x1234abcd;
	l.rid = rid;
	l.body = body;
	l.len = strlen(body);
	l.sub = sub;
	/* One launch token per request id unless a test says otherwise. */
	l.token = rid;
	l.toklen = strlen(rid);
	l.exp = 2000000000u;
	l.now_ms = 1700000000000ull;
	return (l);
}

START_TEST(test_new_token_record)
{
	struct pw_rp_login l = login("rid-1", "{\"a\":1}", "44-12345-67890");
	uint8_t pt[PW_KEY_LEN], key[PW_KEY_LEN], md[PW_SHA256_LEN];
	struct pw_slot *s;
	uint64_t w;

	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt), PW_RP_NEW);
	/* A v4 UUID. */
	ck_assert_int_eq(pt[6] >> 4, 4);
	ck_assert_int_eq(pt[8] >> 6, 2);

	ck_assert_ptr_nonnull(s = pw_pt_find(&fx.st, pt));
	ck_assert_uint_eq(s->u.pt.game, 0x1234abcd);
	ck_assert_uint_eq(s->u.pt.exp, 2000000000u);
	ck_assert_uint_eq(atomic_load(&s->u.pt.last_seen_ms), 1700000000000ull);
	ck_assert_uint_eq(s->u.pt.created_ms, 1700000000000ull);
	ck_assert_str_eq(s->u.pt.sub, "44-12345-67890");

	pw_rp_reqid_key(key, "fantasyquest", "rid-1");
	ck_assert_ptr_nonnull(s = pw_store_find(&fx.st, key, PW_T_REQID, &w));
	ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_LIVE);
	pw_sha256("{\"a\":1}", 7, md);
	ck_assert_mem_eq(s->u.rq.body, md, PW_KEY_LEN);
	ck_assert_mem_eq(s->u.rq.pt, pt, PW_KEY_LEN);
	ck_assert_uint_eq(s->u.rq.exp, 2000000000u);
	ck_assert_uint_eq(pw_counter_sum(&fx.st, PW_C_PT_ISSUED), 1);
}
END_TEST

START_TEST(test_same_body_same_token)
{
	struct pw_rp_login l = login("rid-2", "{\"b\":2}", "p1");
	uint8_t pt1[PW_KEY_LEN], pt2[PW_KEY_LEN];
	int i;

	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt1), PW_RP_NEW);
	for (i = 0; i < 5; i++) {
		memset(pt2, 0, sizeof(pt2));
		l.now_ms += 10000;
		ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt2), PW_RP_REPLAY);
		ck_assert_mem_eq(pt1, pt2, PW_KEY_LEN);
	}
	/* Replays issue nothing. */
	ck_assert_uint_eq(pw_counter_sum(&fx.st, PW_C_PT_ISSUED), 1);
	ck_assert_uint_eq(fx.st.hdr->nslots, NSLOTS);
}
END_TEST

START_TEST(test_other_body_conflicts)
{
	struct pw_rp_login l = login("rid-3", "{\"c\":3}", "p1");
	struct pw_rp_login m = login("rid-3", "{\"c\":4}", "p1");
	uint8_t pt1[PW_KEY_LEN], pt2[PW_KEY_LEN], pt3[PW_KEY_LEN];

	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt1), PW_RP_NEW);
	ck_assert_int_eq(pw_rp_login(&fx.st, &m, pt2), PW_RP_CONFLICT);
	/* An empty body is a body too. */
	m.body = "";
	m.len = 0;
	ck_assert_int_eq(pw_rp_login(&fx.st, &m, pt2), PW_RP_CONFLICT);
	/* The original still replays after the conflicts. */
	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt3), PW_RP_REPLAY);
	ck_assert_mem_eq(pt1, pt3, PW_KEY_LEN);
}
END_TEST

START_TEST(test_ids_per_game)
{
	struct pw_rp_login l = login("rid-4", "{}", "p1");
	struct pw_rp_login m = login("rid-4", "{}", "p1");
	struct pw_rp_login n = login("rid-5", "{}", "p1");
	uint8_t pt1[PW_KEY_LEN], pt2[PW_KEY_LEN], pt3[PW_KEY_LEN];
	uint8_t k1[PW_KEY_LEN], k2[PW_KEY_LEN];

	m.game = "othergame";
	m.token = "rid-4-othergame";
	m.toklen = strlen(m.token);
	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt1), PW_RP_NEW);
	ck_assert_int_eq(pw_rp_login(&fx.st, &m, pt2), PW_RP_NEW);
	ck_assert_int_eq(pw_rp_login(&fx.st, &n, pt3), PW_RP_NEW);
	ck_assert_mem_ne(pt1, pt2, PW_KEY_LEN);
	ck_assert_mem_ne(pt1, pt3, PW_KEY_LEN);
	/* The separator keeps ("ab", "c") and ("a", "bc") apart. */
	pw_rp_reqid_key(k1, "ab", "c");
	pw_rp_reqid_key(k2, "a", "bc");
	ck_assert_mem_ne(k1, k2, PW_KEY_LEN);
	pw_rp_reqid_key(k2, "ab", "c");
	ck_assert_mem_eq(k1, k2, PW_KEY_LEN);
}
END_TEST

/*
 * One launch token, one player session: the same token under other
 * request ids answers the first token and stores nothing more.
 */
START_TEST(test_one_token_one_session)
{
	struct pw_rp_login l = login("rid-a", "{\"x\":1}", "p9");
	struct pw_rp_login m = login("rid-b", "{\"x\":1}", "p9");
	uint8_t pt1[PW_KEY_LEN], pt2[PW_KEY_LEN];
	int i;

	m.token = l.token;
	m.toklen = l.toklen;
	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt1), PW_RP_NEW);
	for (i = 0; i < 20; i++) {
		char rid[32];

		snprintf(rid, sizeof(rid), "rid-replay-%d", i);
		m.rid = rid;
		ck_assert_int_eq(pw_rp_login(&fx.st, &m, pt2), PW_RP_REPLAY);
		ck_assert_mem_eq(pt1, pt2, PW_KEY_LEN);
	}
	ck_assert_uint_eq(pw_counter_sum(&fx.st, PW_C_PT_ISSUED), 1);
}
END_TEST

START_TEST(test_long_subject_truncated)
{
	struct pw_rp_login l = login("rid-6", "{}",
	    "0123456789abcdefghijklmnopqrstuvwxyz");
	uint8_t pt[PW_KEY_LEN];
	struct pw_slot *s;

	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt), PW_RP_NEW);
	ck_assert_ptr_nonnull(s = pw_pt_find(&fx.st, pt));
	ck_assert_str_eq(s->u.pt.sub, "0123456789abcdefghijklm");
}
END_TEST

START_TEST(test_store_full)
{
	char rid[32];
	uint8_t pt[PW_KEY_LEN];
	struct pw_rp_login l;
	enum pw_rp_result r = PW_RP_NEW;
	int i;

	/* Three slots a login: the store runs out before NSLOTS / 2 + 1. */
	for (i = 0; i < NSLOTS && r == PW_RP_NEW; i++) {
		snprintf(rid, sizeof(rid), "fill-%d", i);
		l = login(rid, "{}", "p");
		r = pw_rp_login(&fx.st, &l, pt);
	}
	ck_assert_int_eq(r, PW_RP_FULL);
	ck_assert_int_gt(i, NSLOTS / 4);
	ck_assert_int_le(i, NSLOTS / 2 + 1);
	/* Logins made before it filled up still replay. */
	l = login("fill-0", "{}", "p");
	ck_assert_int_eq(pw_rp_login(&fx.st, &l, pt), PW_RP_REPLAY);
}
END_TEST

/* Wait until every racer has arrived at round n (bounded spin). */
static int
barrier(_Atomic int *arrived, int n)
{
	long spins;

	atomic_fetch_add(arrived, 1);
	for (spins = 0; atomic_load(arrived) < n * NRACERS; spins++) {
		if (spins > 50000000L)
			return (-1);
		if (spins > 100)
			sched_yield();
	}
	return (0);
}

/* A racer: every login in lockstep with the others, tokens to fd. */
static void
racer(unsigned cell, _Atomic int *arrived, int fd)
{
	uint8_t pt[PW_KEY_LEN];
	struct pw_rp_login l;
	enum pw_rp_result r;
	char rid[32];
	int i;

	pw_store_set_cell(&fx.st, cell);
	for (i = 0; i < NROUNDS; i++) {
		if (barrier(arrived, i + 1) == -1)
			_exit(3);
		snprintf(rid, sizeof(rid), "race-%d", i);
		l = login(rid, "{\"race\":true}", "racer");
		r = pw_rp_login(&fx.st, &l, pt);
		if (r != PW_RP_NEW && r != PW_RP_REPLAY)
			_exit(2);
		if (write(fd, pt, sizeof(pt)) != sizeof(pt))
			_exit(1);
	}
	_exit(0);
}

/*
 * Processes sharing the mapping race the same logins, all starting each
 * round together: each login gets one token, whoever wins.
 */
START_TEST(test_racing_processes_one_token)
{
	static uint8_t pts[NRACERS][NROUNDS][PW_KEY_LEN];
	int fds[NRACERS][2], status, i, j;
	pid_t pids[NRACERS];
	_Atomic int *arrived;
	char c;

	arrived = mmap(NULL, sizeof(*arrived), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	ck_assert_ptr_ne(arrived, MAP_FAILED);
	atomic_init(arrived, 0);
	for (i = 0; i < NRACERS; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		ck_assert_int_ne(pids[i] = fork(), -1);
		if (pids[i] == 0) {
			close(fds[i][0]);
			racer((unsigned)i + 1, arrived, fds[i][1]);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < NRACERS; i++) {
		for (j = 0; j < NROUNDS; j++)
			ck_assert_int_eq(read(fds[i][0], pts[i][j], PW_KEY_LEN),
			    PW_KEY_LEN);
		ck_assert_int_eq(read(fds[i][0], &c, 1), 0);
		close(fds[i][0]);
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	for (j = 0; j < NROUNDS; j++) {
		for (i = 1; i < NRACERS; i++)
			ck_assert_mem_eq(pts[0][j], pts[i][j], PW_KEY_LEN);
		ck_assert_ptr_nonnull(pw_pt_find(&fx.st, pts[0][j]));
		if (j > 0)
			ck_assert_mem_ne(pts[0][j], pts[0][j - 1], PW_KEY_LEN);
	}
	ck_assert_uint_eq(pw_counter_sum(&fx.st, PW_C_PT_ISSUED), NROUNDS);
	munmap(arrived, sizeof(*arrived));
}
END_TEST

static Suite *
realplay_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("realplay");
	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_token_record);
	tcase_add_test(tc, test_same_body_same_token);
	tcase_add_test(tc, test_other_body_conflicts);
	tcase_add_test(tc, test_ids_per_game);
	tcase_add_test(tc, test_one_token_one_session);
	tcase_add_test(tc, test_long_subject_truncated);
	tcase_add_test(tc, test_store_full);
	tcase_add_test(tc, test_racing_processes_one_token);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(realplay_suite()));
}
