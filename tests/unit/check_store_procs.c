/*
 * Unit tests: the store across processes.
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

/* ---- many processes consuming the same OTTs ---- */

struct race_shm {
	_Atomic uint32_t	 ready;
	_Atomic uint32_t	 bad;
	_Atomic uint32_t	 used;
	_Atomic uint32_t	 wins[RACE_OTTS];
};

static void
race_child(struct pw_store *st, const struct pw_config *cfg,
    uint8_t (*otts)[PW_KEY_LEN], struct race_shm *r, int me)
{
	const struct pw_game *g = &cfg->games[0];
	uint8_t uid[PW_UID_LEN], gs[PW_KEY_LEN];
	enum pw_verify v;
	int i, j, cafe;

	pw_store_set_cell(st, (unsigned)me + 1);
	(void)pw_uid_pack(uid, "123456789", 9);
	atomic_fetch_add(&r->ready, 1);
	if (await(&r->ready, NPROCS) == -1)
		_exit(2);
	for (i = 0; i < RACE_OTTS; i++) {
		/* Half go forwards, half backwards: they meet everywhere. */
		j = me % 2 == 0 ? i : RACE_OTTS - 1 - i;
		v = pw_gs_verify(st, cfg, otts[j], g,
		    &(struct pw_verify_req){ NULL, uid }, gs, &cafe);
		if (v == PW_V_OK)
			atomic_fetch_add(&r->wins[j], 1);
		else if (v == PW_V_USED)
			atomic_fetch_add(&r->used, 1);
		else
			atomic_fetch_add(&r->bad, 1);
	}
	_exit(0);
}

static int
key_cmp(const void *a, const void *b)
{
	return (memcmp(a, b, PW_KEY_LEN));
}

/* Every LIVE game session key, sorted, must be distinct. */
static uint64_t
gs_distinct(struct pw_store *st)
{
	uint8_t (*keys)[PW_KEY_LEN];
	uint64_t i, n;

	keys = calloc(st->mask + 1, PW_KEY_LEN);
	ck_assert_ptr_nonnull(keys);
	for (i = 0, n = 0; i <= st->mask; i++) {
		if (PW_W_STATUS(pw_slot_word(&st->slots[i])) == PW_ST_LIVE &&
		    PW_W_TYPE(pw_slot_word(&st->slots[i])) == PW_T_GS)
			memcpy(keys[n++], st->slots[i].key, PW_KEY_LEN);
	}
	qsort(keys, n, PW_KEY_LEN, key_cmp);
	for (i = 1; i < n; i++)
		ck_assert_msg(memcmp(keys[i - 1], keys[i], PW_KEY_LEN) != 0,
		    "two game sessions share a key");
	free(keys);
	return (n);
}

START_TEST(test_race_ott)
{
	struct tstore t;
	struct pw_config *cfg;
	struct race_shm *r;
	uint8_t (*otts)[PW_KEY_LEN];
	pid_t pids[NPROCS];
	uint64_t w, now;
	int i;

	ts_open(&t, RACE_SLOTS, 0);
	cfg = conf_new();
	r = shm_new(sizeof(*r));
	otts = calloc(RACE_OTTS, PW_KEY_LEN);
	ck_assert_ptr_nonnull(otts);
	now = pw_now_ms();
	for (i = 0; i < RACE_OTTS; i++)
		ck_assert_int_eq(pw_ott_issue(&t.st, cfg->games[0].hash, 0,
		    NULL, 0, now, otts[i]), 0);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_OTT_ISSUED), RACE_OTTS);
	for (i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		ck_assert_int_ne(pids[i], -1);
		if (pids[i] == 0)
			race_child(&t.st, cfg, otts, r, i);
	}
	reap_ok(pids, NPROCS);
	ck_assert_uint_eq(atomic_load(&r->bad), 0);
	for (i = 0; i < RACE_OTTS; i++) {
		ck_assert_msg(atomic_load(&r->wins[i]) == 1,
		    "OTT %d consumed %u times", i, atomic_load(&r->wins[i]));
		ck_assert_ptr_nonnull(pw_store_find(&t.st, otts[i], PW_T_OTT,
		    &w));
		ck_assert_uint_eq(PW_W_STATE(w), PW_OTT_CONSUMED);
	}
	ck_assert_uint_eq(atomic_load(&r->used),
	    (uint64_t)RACE_OTTS * (NPROCS - 1));
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_OTT_CONSUMED),
	    RACE_OTTS);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_GS_STARTED), RACE_OTTS);
	ck_assert_uint_eq(pw_counter_sum(&t.st, PW_C_OTT_REJECTED),
	    (uint64_t)RACE_OTTS * (NPROCS - 1));
	ck_assert_uint_eq(gs_distinct(&t.st), RACE_OTTS);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_BUSY), 0);
	free(otts);
	free(cfg);
	ts_close(&t);
}
END_TEST

/* ---- heartbeats: last-seen never moves backwards ---- */

struct hb_shm {
	_Atomic uint32_t	 ready;
	_Atomic uint32_t	 watching;
	_Atomic uint32_t	 done;
	_Atomic uint32_t	 bad;
	_Atomic uint32_t	 drops;
	_Atomic uint64_t	 last;
	_Atomic uint64_t	 samples;
	_Atomic uint64_t	 moves;
};

static void
hb_writer(struct pw_store *st, struct pw_slot *s, const uint8_t *key,
    uint32_t game, uint64_t base, struct hb_shm *h, uint32_t me)
{
	struct pw_gs_info info;
	uint64_t i, x;

	pw_store_set_cell(st, me + 1);
	atomic_fetch_add(&h->ready, 1);
	if (await(&h->ready, HB_WRITERS + 1) == -1 ||
	    await(&h->watching, 1) == -1)
		_exit(2);
	for (i = 0; i < HB_ITERS; i++) {
		x = base + i * HB_WRITERS + me;
		pw_atomic_max64(&s->u.gs.last_seen_ms, x);
		/* Late and out-of-order heartbeats: must change nothing. */
		pw_atomic_max64(&s->u.gs.last_seen_ms, x - 1000);
		pw_atomic_max64(&s->u.gs.last_seen_ms, x % 977);
		/* A real heartbeat now is long before base. */
		if (i % 1000 == 0 && pw_gs_touch(st, key, game, NULL,
		    &info) != PW_TOUCH_OK)
			atomic_fetch_add(&h->bad, 1);
	}
	atomic_fetch_add(&h->done, 1);
	_exit(0);
}

/* Sample until every writer is done, and once more after that. */
static void
hb_watcher(struct pw_slot *s, struct hb_shm *h)
{
	uint64_t prev, cur;
	uint32_t done;
	uint64_t n, moves;

	atomic_fetch_add(&h->ready, 1);
	if (await(&h->ready, HB_WRITERS + 1) == -1)
		_exit(2);
	prev = atomic_load(&s->u.gs.last_seen_ms);
	atomic_store(&h->watching, 1);
	n = moves = 0;
	do {
		done = atomic_load(&h->done);
		cur = atomic_load(&s->u.gs.last_seen_ms);
		if (cur < prev)
			atomic_fetch_add(&h->drops, 1);
		if (cur != prev)
			moves++;
		prev = cur;
	} while (done < HB_WRITERS && ++n < 2000000000ull);
	atomic_store(&h->samples, n + 1);
	atomic_store(&h->moves, moves);
	atomic_store(&h->last, cur);
	_exit(0);
}

START_TEST(test_heartbeat_monotonic)
{
	struct tstore t;
	struct pw_config *cfg;
	struct pw_slot *s;
	struct hb_shm *h;
	uint8_t ott[PW_KEY_LEN], gs[PW_KEY_LEN], uid[PW_UID_LEN];
	pid_t pids[HB_WRITERS + 1];
	uint64_t base, v;
	int cafe;
	unsigned i;

	ts_open(&t, 4096, 0);
	cfg = conf_new();
	h = shm_new(sizeof(*h));
	(void)pw_uid_pack(uid, "77", 2);
	ck_assert_int_eq(pw_ott_issue(&t.st, cfg->games[0].hash, 0, NULL, 0,
	    pw_store_now(&t.st), ott), 0);
	ck_assert_int_eq(pw_gs_verify(&t.st, cfg, ott, &cfg->games[0],
	    &(struct pw_verify_req){ NULL, uid },
	    gs, &cafe), PW_V_OK);
	s = pw_store_find(&t.st, gs, PW_T_GS, NULL);
	ck_assert_ptr_nonnull(s);

	/* One process first: up moves, down does not. */
	v = atomic_load(&s->u.gs.last_seen_ms);
	pw_atomic_max64(&s->u.gs.last_seen_ms, v - 5);
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen_ms), v);
	pw_atomic_max64(&s->u.gs.last_seen_ms, v + 5);
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen_ms), v + 5);

	base = pw_store_now(&t.st) + 1000000000;
	for (i = 0; i <= HB_WRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ne(pids[i], -1);
		if (pids[i] == 0 && i == HB_WRITERS)
			hb_watcher(s, h);
		if (pids[i] == 0)
			hb_writer(&t.st, s, gs, cfg->games[0].hash, base, h,
			    i);
	}
	reap_ok(pids, HB_WRITERS + 1);
	ck_assert_uint_eq(atomic_load(&h->bad), 0);
	ck_assert_uint_eq(atomic_load(&h->drops), 0);
	ck_assert_uint_ge(atomic_load(&h->moves), 1);
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen_ms),
	    base + (HB_ITERS - 1) * HB_WRITERS + HB_WRITERS - 1);
	/* The watcher's last sample came after every write. */
	ck_assert_uint_eq(atomic_load(&h->last),
	    atomic_load(&s->u.gs.last_seen_ms));
	free(cfg);
	ts_close(&t);
}
END_TEST

/* ---- SIGKILL while inserting ---- */

struct kill_shm {
	_Atomic uint32_t	 ready[KILL_ROUNDS];
	_Atomic uint32_t	 done[KILL_ROUNDS];
};

/* Insert as fast as possible until killed; done[] counts published. */
static void
kill_child(struct pw_store *st, struct kill_shm *k, uint32_t round)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t n;

	pw_store_set_cell(st, 1);
	atomic_store(&k->ready[round], 1);
	for (n = 0; n < KILL_MAX; n++) {
		key_of(key, "kill", round, n);
		if ((s = pw_store_claim(st, key, all_types[n % NTYPES])) ==
		    NULL)
			_exit(3);
		/* Real work between claim and publish, as in a worker. */
		key_of(s->u.raw, "payload", round, n);
		pw_store_publish(s, 0, n);
		atomic_store(&k->done[round], n + 1);
	}
	for (;;)
		pause();
}

/* A child that claims and dies before publishing, every time. */
static void
stall_child(struct pw_store *st, struct kill_shm *k)
{
	uint8_t key[PW_KEY_LEN];

	pw_store_set_cell(st, 1);
	key_of(key, "stall", 0, 0);
	if (pw_store_claim(st, key, PW_T_GS) == NULL)
		_exit(3);
	atomic_store(&k->ready[0], 1);
	for (;;)
		pause();
}

static void
kill_check_round(struct pw_store *st, struct kill_shm *k, uint32_t round)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN], pay[PW_KEY_LEN];
	uint32_t n;
	uint64_t w;

	for (n = 0; n < atomic_load(&k->done[round]); n++) {
		key_of(key, "kill", round, n);
		s = pw_store_find(st, key, all_types[n % NTYPES], &w);
		ck_assert_msg(s != NULL, "round %u key %u lost", round, n);
		key_of(pay, "payload", round, n);
		ck_assert_int_eq(memcmp(s->u.raw, pay, PW_KEY_LEN), 0);
		ck_assert_uint_eq(PW_W_HI(w), n);
	}
}

static void
kill_one(struct pw_store *st, struct kill_shm *k, uint32_t round)
{
	pid_t pid;
	int rc;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0 && round == 0)
		stall_child(st, k);
	if (pid == 0)
		kill_child(st, k, round);
	ck_assert_int_eq(await(&k->ready[round], 1), 0);
	usleep(500 + arc4random_uniform(4000));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	rc = child_status(pid);
	ck_assert_msg(rc == 1000 + SIGKILL, "child ended with %d", rc);
}

START_TEST(test_sigkill_inserts)
{
	struct tstore t;
	struct kill_shm *k;
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint64_t i, w, busy, mine;
	uint32_t r, pid, total;

	ts_open(&t, KILL_SLOTS, 0);
	k = shm_new(sizeof(*k));
	for (r = 0; r < KILL_ROUNDS; r++) {
		kill_one(&t.st, k, r);
		/* The survivors keep using the store between rounds. */
		kill_check_round(&t.st, k, r);
		key_of(key, "parent", r, 0);
		(void)put(&t.st, key, PW_T_LS);
		ck_assert_ptr_nonnull(pw_store_find(&t.st, key, PW_T_LS,
		    NULL));
	}
	/* A claim of a live process is no business of the reaper. */
	key_of(key, "mine", 0, 0);
	s = pw_store_claim(&t.st, key, PW_T_OTT);
	ck_assert_ptr_nonnull(s);
	mine = pw_store_index(&t.st, s);
	ck_assert_int_eq(pw_store_tidy(&t.st, mine), 0);
	ck_assert_uint_eq(PW_W_STATUS(pw_slot_word(s)), PW_ST_BUSY);

	for (i = 0, busy = 0; i <= t.st.mask; i++) {
		w = pw_slot_word(&t.st.slots[i]);
		if (PW_W_STATUS(w) != PW_ST_BUSY || i == mine)
			continue;
		busy++;
		pid = PW_W_HI(w);
		ck_assert_uint_ne(pid, (uint32_t)getpid());
		ck_assert_msg(kill((pid_t)pid, 0) == -1 && errno == ESRCH,
		    "slot %llu claimed by live pid %u",
		    (unsigned long long)i, pid);
		ck_assert_int_eq(pw_store_tidy(&t.st, i), 1);
		w = pw_slot_word(&t.st.slots[i]);
		ck_assert_uint_eq(PW_W_STATUS(w), PW_ST_TOMB);
	}
	/* At least the stalled claim of round 0. */
	ck_assert_uint_ge(busy, 1);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_BUSY), 1);
	pw_store_publish(s, PW_OTT_ISSUED, 0);

	for (r = 0, total = 0; r < KILL_ROUNDS; r++) {
		kill_check_round(&t.st, k, r);
		total += atomic_load(&k->done[r]);
	}
	ck_assert_uint_gt(total, 0);
	for (i = 0; i < 2000; i++) {
		key_of(key, "after", (uint32_t)i, 0);
		(void)put(&t.st, key, PW_T_PT);
	}
	for (i = 0; i < 2000; i++) {
		key_of(key, "after", (uint32_t)i, 0);
		ck_assert_ptr_nonnull(pw_store_find(&t.st, key, PW_T_PT,
		    NULL));
	}
	ck_assert_uint_eq(count_status(&t.st, PW_ST_BUSY), 0);
	ts_close(&t);
}
END_TEST

/* ---- claim_unique raced by many processes ---- */

struct uniq_shm {
	_Atomic uint32_t	 ready;
	_Atomic uint32_t	 bad;
	_Atomic uint32_t	 full;
	_Atomic uint32_t	 nnew[UNIQ_ROUNDS * UNIQ_KEYS];
	_Atomic uint32_t	 winner[UNIQ_ROUNDS * UNIQ_KEYS];
};

static void
uniq_child(struct pw_store *st, struct uniq_shm *u, uint32_t me)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t r, i;

	pw_store_set_cell(st, me + 1);
	atomic_fetch_add(&u->ready, 1);
	if (await(&u->ready, NPROCS) == -1)
		_exit(2);
	for (r = 0; r < UNIQ_ROUNDS; r++) {
		for (i = 0; i < UNIQ_KEYS; i++) {
			key_of(key, "uniq", r, i);
			switch (pw_store_claim_unique(st, key, PW_T_PC, &s)) {
			case PW_INS_NEW:
				atomic_store(&s->u.pc.touched_ms, me + 1);
				pw_store_publish(s, 0, 0);
				atomic_fetch_add(&u->nnew[r * UNIQ_KEYS + i],
				    1);
				atomic_store(&u->winner[r * UNIQ_KEYS + i],
				    me + 1);
				break;
			case PW_INS_EXISTS:
				if (memcmp(s->key, key, PW_KEY_LEN) != 0)
					atomic_fetch_add(&u->bad, 1);
				break;
			case PW_INS_FULL:
				atomic_fetch_add(&u->full, 1);
				break;
			}
		}
	}
	_exit(0);
}

START_TEST(test_claim_unique_race)
{
	struct tstore t;
	struct uniq_shm *u;
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	pid_t pids[NPROCS];
	uint64_t i, w;
	uint32_t r, j, live, idx;
	int n;

	ts_open(&t, 8192, 0);
	u = shm_new(sizeof(*u));
	for (n = 0; n < NPROCS; n++) {
		pids[n] = fork();
		ck_assert_int_ne(pids[n], -1);
		if (pids[n] == 0)
			uniq_child(&t.st, u, (uint32_t)n);
	}
	reap_ok(pids, NPROCS);
	ck_assert_uint_eq(atomic_load(&u->bad), 0);
	ck_assert_uint_eq(atomic_load(&u->full), 0);
	for (r = 0; r < UNIQ_ROUNDS; r++) {
		for (j = 0; j < UNIQ_KEYS; j++) {
			idx = r * UNIQ_KEYS + j;
			key_of(key, "uniq", r, j);
			for (i = 0, live = 0; i <= t.st.mask; i++) {
				w = pw_slot_word(&t.st.slots[i]);
				if (PW_W_STATUS(w) == PW_ST_LIVE &&
				    memcmp(t.st.slots[i].key, key,
				    PW_KEY_LEN) == 0)
					live++;
			}
			ck_assert_msg(live == 1, "key %u/%u: %u live slots",
			    r, j, live);
			ck_assert_uint_eq(atomic_load(&u->nnew[idx]), 1);
			s = pw_store_find(&t.st, key, PW_T_PC, NULL);
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(atomic_load(&s->u.pc.touched_ms),
			    atomic_load(&u->winner[idx]));
		}
	}
	ck_assert_uint_eq(count_status(&t.st, PW_ST_LIVE),
	    UNIQ_ROUNDS * UNIQ_KEYS);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_BUSY), 0);
	ts_close(&t);
}
END_TEST

static Suite *
store_procs_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store_procs");

	tc = tcase_create("processes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_race_ott);
	tcase_add_test(tc, test_heartbeat_monotonic);
	tcase_add_test(tc, test_sigkill_inserts);
	tcase_add_test(tc, test_claim_unique_race);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(store_procs_suite()));
}
