/*
 * What the store test programs share.
 */
#ifndef CHECK_STORE_H
#define CHECK_STORE_H

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
#include "check_tmp.h"
#include "check_conf.h"

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

static const char race_conf[] = CONF_SECRETS CONF_GAME("race", 10);

static inline void *
shm_new(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON,
	    -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	return (p);
}

static inline struct pw_config *
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
static inline void
key_of(uint8_t k[PW_KEY_LEN], const char *tag, uint32_t a, uint32_t b)
{
	uint32_t v[2];

	v[0] = a;
	v[1] = b;
	pw_key_derive(k, tag, v, sizeof(v));
}

/* Wait for a child; its exit status, or 1000 + signal. */
static inline int
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

static inline void
reap_ok(const pid_t *pids, int n)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = child_status(pids[i]);
		ck_assert_msg(rc == 0, "child %d ended with %d", i, rc);
	}
}

/* Spin (yielding) until *flag reaches want; 0, or -1 after ~10 s. */
static inline int
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
static inline void
free_slot(struct pw_slot *s)
{
	uint64_t w;

	w = pw_slot_word(s);
	ck_assert_int_eq(pw_slot_cas(s, &w, PW_W_MAKE(PW_ST_TOMB, 0, 0, 0,
	    PW_W_GEN(w), 0)), 1);
}

static inline uint64_t
count_status(const struct pw_store *st, unsigned status)
{
	uint64_t i, n;

	for (i = 0, n = 0; i <= st->mask; i++)
		if (PW_W_STATUS(pw_slot_word(&st->slots[i])) == status)
			n++;
	return (n);
}

/* Fill a payload of the type's own layout with values derived from v. */
static inline void
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
		atomic_store(&s->u.ls.last_seen_ms, v + 2);
		s->u.ls.created_ms = (uint64_t)v << 20;
		break;
	case PW_T_GS:
		s->u.gs.game = v;
		s->u.gs.cafe = v + 1;
		s->u.gs.start_ms = v + 2;
		atomic_store(&s->u.gs.last_seen_ms, v + 3);
		s->u.gs.price = v + 4;
		break;
	case PW_T_PC:
		atomic_store(&s->u.pc.ls, (pw_ref_t)v << 32 | 7);
		atomic_store(&s->u.pc.gs, (pw_ref_t)v << 32 | 9);
		atomic_store(&s->u.pc.touched_ms, v);
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
		s->u.pt.created_ms = v + 2;
		snprintf(s->u.pt.sub, sizeof(s->u.pt.sub), "p-%u", v);
		break;
	}
}

static inline int
payload_ok(const struct pw_slot *s, unsigned type, uint32_t v)
{
	struct pw_slot want;

	memset(&want, 0, sizeof(want));
	fill_payload(&want, type, v);
	return (memcmp(&want.u, &s->u, sizeof(want.u)) == 0);
}

/* Claim and publish a record of that type; its slot. */
static inline struct pw_slot *
put(struct pw_store *st, const uint8_t *k, unsigned type)
{
	struct pw_slot *s;

	s = pw_store_claim(st, k, type);
	ck_assert_ptr_nonnull(s);
	fill_payload(s, type, 5);
	pw_store_publish(s, 0, 0);
	return (s);
}

#endif /* CHECK_STORE_H */
