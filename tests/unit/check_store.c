/*
 * Unit tests: the lock-free shared store, with real processes.  Children
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

#define NPROCS		8
#define RACE_OTTS	10000
#define RACE_SLOTS	65536
#define HB_WRITERS	4
#define HB_ITERS	200000u
#define KILL_ROUNDS	50
#define KILL_MAX	3000
#define KILL_SLOTS	262144
#define UNIQ_ROUNDS	10
#define UNIQ_KEYS	200

static const unsigned all_types[] = {
	PW_T_OTT, PW_T_LS, PW_T_GS, PW_T_PC, PW_T_WALLET, PW_T_CREDIT,
	PW_T_REQID, PW_T_PT
};
#define NTYPES	(sizeof(all_types) / sizeof(all_types[0]))

static const char race_conf[] =
"launcher-secret unit-l\n"
"launch-secret unit-j\n"
"game race {\n"
"    api-key \"race-key\"\n"
"    hmac-secret \"unit-hmac\"\n"
"    price 10\n"
"}\n";

/* A store in a private directory; both removed at once unless kept. */
struct tstore {
	char		 dir[256];
	char		 path[300];
	struct pw_store	 st;
	int		 keep;
};

static void
ts_open(struct tstore *t, uint64_t nslots, int keep)
{
	tmp_dir(t->dir, sizeof(t->dir), "pwstore");
	snprintf(t->path, sizeof(t->path), "%s/store", t->dir);
	tmp_store_open(&t->st, t->path, nslots);
	t->keep = keep;
	/* The mapping outlives the name, and a failed test leaves nothing. */
	if (!keep) {
		ck_assert_int_eq(unlink(t->path), 0);
		ck_assert_int_eq(rmdir(t->dir), 0);
	}
}

static void
ts_close(struct tstore *t)
{
	pw_store_close(&t->st);
	if (t->keep) {
		(void)unlink(t->path);
		ck_assert_int_eq(rmdir(t->dir), 0);
	}
}

static void *
shm_new(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON,
	    -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	return (p);
}

static struct pw_config *
conf_new(void)
{
	struct pw_config *cfg;
	char err[512];

	cfg = calloc(1, sizeof(*cfg));
	ck_assert_ptr_nonnull(cfg);
	if (pw_config_parse(cfg, race_conf, strlen(race_conf), "race.conf",
	    err, sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
	return (cfg);
}

/* A deterministic key from a tag and two numbers. */
static void
key_of(uint8_t k[PW_KEY_LEN], const char *tag, uint32_t a, uint32_t b)
{
	uint32_t v[2];

	v[0] = a;
	v[1] = b;
	pw_key_derive(k, tag, v, sizeof(v));
}

/* Wait for a child; its exit status, or 1000 + signal. */
static int
child_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (-1);
	if (WIFSIGNALED(status))
		return (1000 + WTERMSIG(status));
	return (WEXITSTATUS(status));
}

static void
reap_ok(const pid_t *pids, int n)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = child_status(pids[i]);
		ck_assert_msg(rc == 0, "child %d ended with %d", i, rc);
	}
}

/* Spin (yielding) until *flag reaches want; 0, or -1 after ~10 s. */
static int
await(_Atomic uint32_t *flag, uint32_t want)
{
	long i;

	for (i = 0; i < 10000000L; i++) {
		if (atomic_load(flag) >= want)
			return (0);
		if (i > 1000)
			sched_yield();
		if (i > 100000)
			usleep(100);
	}
	return (-1);
}

/* What the reaper does to a slot it frees. */
static void
free_slot(struct pw_slot *s)
{
	uint64_t w;

	w = pw_slot_word(s);
	ck_assert_int_eq(pw_slot_cas(s, &w, PW_W_MAKE(PW_ST_TOMB, 0, 0, 0,
	    PW_W_GEN(w), 0)), 1);
}

static uint64_t
count_status(const struct pw_store *st, unsigned status)
{
	uint64_t i, n;

	for (i = 0, n = 0; i <= st->mask; i++)
		if (PW_W_STATUS(pw_slot_word(&st->slots[i])) == status)
			n++;
	return (n);
}

/* Fill a payload of the type's own layout with values derived from v. */
static void
fill_payload(struct pw_slot *s, unsigned type, uint32_t v)
{
	switch (type) {
	case PW_T_OTT:
		s->u.ott.game = v;
		s->u.ott.cafe = v + 1;
		s->u.ott.issued_ms = (uint64_t)v * 1000;
		memset(s->u.ott.pc, (int)(v & 0xff), PW_KEY_LEN);
		break;
	case PW_T_LS:
		memset(s->u.ls.pc, (int)(v & 0xff), PW_KEY_LEN);
		s->u.ls.cafe = v;
		atomic_store(&s->u.ls.last_seen, v + 2);
		s->u.ls.created_ms = (uint64_t)v << 20;
		break;
	case PW_T_GS:
		s->u.gs.game = v;
		s->u.gs.cafe = v + 1;
		s->u.gs.start = v + 2;
		atomic_store(&s->u.gs.last_seen, v + 3);
		s->u.gs.price = v + 4;
		break;
	case PW_T_PC:
		atomic_store(&s->u.pc.ls, (pw_ref_t)v << 32 | 7);
		atomic_store(&s->u.pc.gs, (pw_ref_t)v << 32 | 9);
		atomic_store(&s->u.pc.touched, v);
		break;
	case PW_T_WALLET:
		atomic_store(&s->u.w.balance, (int64_t)v * 100);
		atomic_store(&s->u.w.hold, (int64_t)v);
		snprintf(s->u.w.name, sizeof(s->u.w.name), "w-%u", v);
		break;
	case PW_T_CREDIT:
		s->u.cr.amount = -(int64_t)v;
		snprintf(s->u.cr.name, sizeof(s->u.cr.name), "c-%u", v);
		break;
	case PW_T_REQID:
		memset(s->u.rq.body, (int)(v & 0xff), PW_KEY_LEN);
		memset(s->u.rq.pt, (int)((v + 1) & 0xff), PW_KEY_LEN);
		s->u.rq.exp = v;
		break;
	case PW_T_PT:
		s->u.pt.game = v;
		s->u.pt.exp = v + 1;
		s->u.pt.created = v + 2;
		snprintf(s->u.pt.sub, sizeof(s->u.pt.sub), "p-%u", v);
		break;
	}
}

static int
payload_ok(const struct pw_slot *s, unsigned type, uint32_t v)
{
	struct pw_slot want;

	memset(&want, 0, sizeof(want));
	fill_payload(&want, type, v);
	return (memcmp(&want.u, &s->u, sizeof(want.u)) == 0);
}

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
	pw_pc_key(pck, 0, "pc-7", 4);
	ck_assert_int_eq(pw_ott_issue(&t.st, 42, 0, pck, 0, 123456, ott), 0);
	s = pw_store_find(&t.st, ott, PW_T_OTT, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_OTT_ISSUED);
	ck_assert_uint_eq(s->u.ott.game, 42);
	ck_assert_uint_eq(s->u.ott.issued_ms, 123456);
	ck_assert_int_eq(memcmp(s->u.ott.pc, pck, PW_KEY_LEN), 0);
	ck_assert_ptr_null(pw_store_find(&t.st, ott, PW_T_GS, NULL));

	ck_assert_int_eq(pw_ls_start(&t.st, "pc-7", 4, 0, ls), 0);
	s = pw_store_find(&t.st, ls, PW_T_LS, &w);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	pc = pw_store_find(&t.st, pck, PW_T_PC, NULL);
	ck_assert_ptr_nonnull(pc);
	ck_assert_ptr_eq(pw_store_deref(&t.st, atomic_load(&pc->u.pc.ls),
	    PW_T_LS, NULL), s);
	ck_assert_ptr_null(pw_store_find(&t.st, pck, PW_T_LS, NULL));

	s = pw_credit_queue(&t.st, "seoul-01", 500, cr);
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

/* Claim and publish a record of that type; its slot. */
static struct pw_slot *
put(struct pw_store *st, const uint8_t *k, unsigned type)
{
	struct pw_slot *s;

	s = pw_store_claim(st, k, type);
	ck_assert_ptr_nonnull(s);
	fill_payload(s, type, 5);
	pw_store_publish(s, 0, 0);
	return (s);
}

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
	memcpy(kb, ka, PW_KEY_LEN);
	kb[2] ^= 0x5a;
	kb[3] ^= 0xa5;
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
 * A slot reused by a key that shares the first four bytes of the old one.
 * Keys homed at the same slot already agree in their low log2(nslots)
 * bits, so with random keys this happens once in 2^(32 - log2(nslots))
 * reuses: a stale reference must still not resolve to the new record.
 */
START_TEST(test_ref_reuse_same_prefix)
{
	struct tstore t;
	struct pw_slot *a, *b;
	uint8_t ka[PW_KEY_LEN], kb[PW_KEY_LEN];
	pw_ref_t ref;

	ts_open(&t, 4096, 0);
	key_of(ka, "ref", 2, 0);
	a = put(&t.st, ka, PW_T_GS);
	ref = pw_store_ref(&t.st, a);
	free_slot(a);
	memcpy(kb, ka, PW_KEY_LEN);
	kb[9] ^= 0xff;
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
		v = pw_gs_verify(st, cfg, otts[j], g, uid, gs, &cafe);
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
	_Atomic uint32_t	 last;
	_Atomic uint64_t	 samples;
	_Atomic uint64_t	 moves;
};

static void
hb_writer(struct pw_store *st, struct pw_slot *s, const uint8_t *key,
    uint32_t game, uint32_t base, struct hb_shm *h, uint32_t me)
{
	struct pw_gs_info info;
	uint32_t i, x;

	pw_store_set_cell(st, me + 1);
	atomic_fetch_add(&h->ready, 1);
	if (await(&h->ready, HB_WRITERS + 1) == -1 ||
	    await(&h->watching, 1) == -1)
		_exit(2);
	for (i = 0; i < HB_ITERS; i++) {
		x = base + i * HB_WRITERS + me;
		pw_atomic_max32(&s->u.gs.last_seen, x);
		/* Late and out-of-order heartbeats: must change nothing. */
		pw_atomic_max32(&s->u.gs.last_seen, x - 1000);
		pw_atomic_max32(&s->u.gs.last_seen, x % 977);
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
	uint32_t prev, cur, done;
	uint64_t n, moves;

	atomic_fetch_add(&h->ready, 1);
	if (await(&h->ready, HB_WRITERS + 1) == -1)
		_exit(2);
	prev = atomic_load(&s->u.gs.last_seen);
	atomic_store(&h->watching, 1);
	n = moves = 0;
	do {
		done = atomic_load(&h->done);
		cur = atomic_load(&s->u.gs.last_seen);
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
	uint32_t base, v;
	int cafe;
	unsigned i;

	ts_open(&t, 4096, 0);
	cfg = conf_new();
	h = shm_new(sizeof(*h));
	(void)pw_uid_pack(uid, "77", 2);
	ck_assert_int_eq(pw_ott_issue(&t.st, cfg->games[0].hash, 0, NULL, 0,
	    pw_now_ms(), ott), 0);
	ck_assert_int_eq(pw_gs_verify(&t.st, cfg, ott, &cfg->games[0], uid,
	    gs, &cafe), PW_V_OK);
	s = pw_store_find(&t.st, gs, PW_T_GS, NULL);
	ck_assert_ptr_nonnull(s);

	/* One process first: up moves, down does not. */
	v = atomic_load(&s->u.gs.last_seen);
	pw_atomic_max32(&s->u.gs.last_seen, v - 5);
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen), v);
	pw_atomic_max32(&s->u.gs.last_seen, v + 5);
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen), v + 5);

	base = pw_now() + 1000000;
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
	ck_assert_uint_eq(atomic_load(&s->u.gs.last_seen),
	    base + (HB_ITERS - 1) * HB_WRITERS + HB_WRITERS - 1);
	/* The watcher's last sample came after every write. */
	ck_assert_uint_eq(atomic_load(&h->last),
	    atomic_load(&s->u.gs.last_seen));
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
				atomic_store(&s->u.pc.touched, me + 1);
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
			ck_assert_uint_eq(atomic_load(&s->u.pc.touched),
			    atomic_load(&u->winner[idx]));
		}
	}
	ck_assert_uint_eq(count_status(&t.st, PW_ST_LIVE),
	    UNIQ_ROUNDS * UNIQ_KEYS);
	ck_assert_uint_eq(count_status(&t.st, PW_ST_BUSY), 0);
	ts_close(&t);
}
END_TEST

/* ---- tombstones ---- */

/* Keys that differ only past the bytes the home is taken from. */
static void
key_same_home(uint8_t k[PW_KEY_LEN], const uint8_t base[PW_KEY_LEN],
    uint8_t j)
{
	memcpy(k, base, PW_KEY_LEN);
	memset(k + 8, j, PW_KEY_LEN - 8);
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
		key_same_home(k[i], base, (uint8_t)(i + 1));
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

/* ---- reopen ---- */

static void
reopen_child(struct pw_store *st, uint32_t me)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t i;

	pw_store_set_cell(st, me + 1);
	for (i = 0; i < 500; i++) {
		key_of(key, "reopen", me, i);
		if ((s = pw_store_claim(st, key, all_types[i % NTYPES])) ==
		    NULL)
			_exit(3);
		fill_payload(s, all_types[i % NTYPES], me * 1000 + i);
		pw_store_publish(s, 1, i);
	}
	pw_count(st, PW_C_OTT_ISSUED, 500);
	_exit(0);
}

static void
reopen_verify(struct pw_store *st)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t me, i;
	uint64_t w;

	for (me = 0; me < 4; me++) {
		for (i = 0; i < 500; i++) {
			key_of(key, "reopen", me, i);
			s = pw_store_find(st, key, all_types[i % NTYPES], &w);
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(PW_W_STATE(w), 1);
			ck_assert_uint_eq(PW_W_HI(w), i);
			ck_assert(payload_ok(s, all_types[i % NTYPES],
			    me * 1000 + i));
		}
	}
	ck_assert_uint_eq(pw_counter_sum(st, PW_C_OTT_ISSUED), 2000);
}

START_TEST(test_reopen)
{
	struct tstore t;
	struct pw_store ro;
	pid_t pids[4];
	char err[512];
	int i;

	ts_open(&t, 8192, 1);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ne(pids[i], -1);
		if (pids[i] == 0)
			reopen_child(&t.st, (uint32_t)i);
	}
	reap_ok(pids, 4);
	pw_store_close(&t.st);
	/* create=1 on an existing store opens it, never remakes it. */
	if (pw_store_open(&t.st, t.path, 64, 1, 0, err, sizeof(err)) == -1)
		ck_abort_msg("reopen: %s", err);
	ck_assert_uint_eq(t.st.mask + 1, 8192);
	reopen_verify(&t.st);
	if (pw_store_open(&ro, t.path, 0, 0, 1, err, sizeof(err)) == -1)
		ck_abort_msg("read-only open: %s", err);
	reopen_verify(&ro);
	pw_store_close(&ro);
	ts_close(&t);
}
END_TEST

/* ---- refused files ---- */

/* Open must fail with a message containing want. */
static void
refused(const char *path, const char *want)
{
	struct pw_store st;
	char err[512];

	err[0] = '\0';
	ck_assert_int_eq(pw_store_open(&st, path, 4096, 1, 0, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "message \"%s\" does not "
	    "say \"%s\"", err, want);
	ck_assert_msg(strstr(err, path) != NULL, "message \"%s\" does not "
	    "name the file", err);
}

static void
patch(const char *path, size_t off, const void *p, size_t len)
{
	int fd;

	fd = open(path, O_RDWR);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pwrite(fd, p, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void
resize(const char *path, off_t len)
{
	ck_assert_int_eq(truncate(path, len), 0);
}

START_TEST(test_refused)
{
	struct tstore t;
	struct stat sb;
	uint8_t *hdr;
	uint32_t v;
	off_t size;
	char err[512];
	int fd;

	ts_open(&t, 4096, 1);
	pw_store_close(&t.st);
	ck_assert_int_eq(stat(t.path, &sb), 0);
	size = sb.st_size;
	ck_assert_int_eq(size, (off_t)(PW_STORE_HDR_SIZE + 4096 * 64));
	hdr = malloc(PW_STORE_HDR_SIZE);
	ck_assert_ptr_nonnull(hdr);
	fd = open(t.path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pread(fd, hdr, PW_STORE_HDR_SIZE, 0),
	    (ssize_t)PW_STORE_HDR_SIZE);
	close(fd);

	v = PW_STORE_VERSION + 1;
	patch(t.path, offsetof(struct pw_store_hdr, version), &v, sizeof(v));
	refused(t.path, "version");
	/* create=1 must not have replaced the refused file. */
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_size, size);
	v = PW_STORE_VERSION;
	patch(t.path, offsetof(struct pw_store_hdr, version), &v, sizeof(v));

	patch(t.path, 0, "PWSTORF", 8);
	refused(t.path, "not a playwaved store");
	patch(t.path, 0, PW_STORE_MAGIC, 8);

	v = 0x04030201u;
	patch(t.path, offsetof(struct pw_store_hdr, byteorder), &v,
	    sizeof(v));
	refused(t.path, "byte order");
	v = PW_STORE_BYTEORDER;
	patch(t.path, offsetof(struct pw_store_hdr, byteorder), &v,
	    sizeof(v));

	resize(t.path, size - PW_SLOT_SIZE);
	refused(t.path, "truncated");
	resize(t.path, PW_STORE_HDR_SIZE);
	refused(t.path, "truncated");
	resize(t.path, size + 4096);
	refused(t.path, "extended");
	resize(t.path, 16);
	refused(t.path, "not a playwaved store");
	resize(t.path, 0);
	refused(t.path, "not a playwaved store");

	/* Put right, it opens again (the slots are zero, as made). */
	resize(t.path, size);
	patch(t.path, 0, hdr, PW_STORE_HDR_SIZE);
	free(hdr);
	if (pw_store_open(&t.st, t.path, 4096, 0, 0, err, sizeof(err)) == -1)
		ck_abort_msg("repaired store: %s", err);
	ck_assert_uint_eq(t.st.mask + 1, 4096);
	ts_close(&t);
}
END_TEST

/* A missing file without create is refused, naming the file. */
START_TEST(test_refused_missing)
{
	struct tstore t;
	struct pw_store st;
	char err[512];

	ts_open(&t, 64, 0);
	err[0] = '\0';
	ck_assert_int_eq(pw_store_open(&st, t.path, 64, 0, 0, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, t.path));
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

	tc = tcase_create("processes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_race_ott);
	tcase_add_test(tc, test_heartbeat_monotonic);
	tcase_add_test(tc, test_sigkill_inserts);
	tcase_add_test(tc, test_claim_unique_race);
	tcase_add_test(tc, test_reopen);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_refused_missing);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(store_suite()));
}
