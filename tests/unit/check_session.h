/*
 * What the session test programs share.
 */
#ifndef CHECK_SESSION_H
#define CHECK_SESSION_H

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
#include "check_tmp.h"
#include "check_conf.h"

#define HOLD_PROCS	8
#define HOLD_OTTS	40	/* per process */
#define HOLD_MINUTES	50	/* what the wallet can pay for */

static const char session_conf[] =
    CONF_SECRETS "ott-ttl 60\n" CONF_GAME("alpha", 10) CONF_GAME("beta", 7)
    CONF_CAFE("cafe-a", "10.1.0.0/16") CONF_CAFE("cafe-b", "10.2.0.0/16")
"cafe cafe-poor {\n"
"    network 10.3.0.0/16\n"
"}\n";

/* A store and configuration for one test. */
struct fix {
	char			 dir[256];
	char			 path[300];
	struct pw_store		 st;
	struct pw_config	*cfg;
	const struct pw_game	*alpha, *beta;
	uint8_t			 uid[PW_UID_LEN];
};

static inline void
fix_open(struct fix *f)
{
	char err[512];

	tmp_dir(f->dir, sizeof(f->dir), "pwsess");
	snprintf(f->path, sizeof(f->path), "%s/store", f->dir);
	tmp_store_open(&f->st, f->path, 4096);
	/* The mapping outlives the name. */
	ck_assert_int_eq(unlink(f->path), 0);
	ck_assert_int_eq(rmdir(f->dir), 0);
	f->cfg = calloc(1, sizeof(*f->cfg));
	ck_assert_ptr_nonnull(f->cfg);
	if (pw_config_parse(f->cfg, session_conf, strlen(session_conf),
	    "session.conf", err, sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
	f->alpha = pw_config_game(f->cfg, "alpha");
	f->beta = pw_config_game(f->cfg, "beta");
	ck_assert_ptr_nonnull(f->alpha);
	ck_assert_ptr_nonnull(f->beta);
	ck_assert_uint_eq(f->alpha->hash, pw_config_idhash("alpha"));
	ck_assert_int_eq(pw_uid_pack(f->uid, "123456789", 9), 0);
}

static inline void
fix_close(struct fix *f)
{
	pw_store_close(&f->st);
	free(f->cfg);
}

static inline uint32_t
cafe_hash(const struct fix *f, const char *id)
{
	const struct pw_cafe *c;

	c = pw_config_cafe(f->cfg, id);
	ck_assert_ptr_nonnull(c);
	return (c->hash);
}

/*
 * A wallet as the reaper would leave it: only the reaper sets balances,
 * so the test makes the slot itself.
 */
static inline struct pw_slot *
wallet_make(struct fix *f, const char *id, int64_t balance)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];

	pw_wallet_key(key, id);
	ck_assert_int_eq(pw_store_claim_unique(&f->st, key, PW_T_WALLET, &s),
	    PW_INS_NEW);
	snprintf(s->u.w.name, sizeof(s->u.w.name), "%s", id);
	atomic_store(&s->u.w.balance, balance);
	atomic_store(&s->u.w.hold, 0);
	pw_store_publish(s, 0, 0);
	ck_assert_ptr_eq(pw_wallet_find(&f->st, id), s);
	return (s);
}

static inline void
ott(struct fix *f, const struct pw_game *g, uint32_t cafe, const uint8_t *pc,
    uint64_t issued_ms, uint8_t out[PW_KEY_LEN])
{
	ck_assert_int_eq(pw_ott_issue(&f->st, g->hash, cafe, pc, 0, issued_ms,
	    out), 0);
}

static inline enum pw_verify
verify(struct fix *f, const uint8_t *o, const struct pw_game *g,
    uint8_t gs[PW_KEY_LEN], int *is_cafe)
{
	*is_cafe = -1;
	return (pw_gs_verify(&f->st, f->cfg, o, g,
	    &(struct pw_verify_req){ NULL, f->uid }, gs, is_cafe));
}

static inline unsigned
ott_state(struct fix *f, const uint8_t *o)
{
	uint64_t w;

	ck_assert_ptr_nonnull(pw_store_find(&f->st, o, PW_T_OTT, &w));
	return (PW_W_STATE(w));
}

static inline uint64_t
count_live(const struct pw_store *st, unsigned type)
{
	uint64_t i, n, w;

	for (i = 0, n = 0; i <= st->mask; i++) {
		w = pw_slot_word(&st->slots[i]);
		if (PW_W_STATUS(w) == PW_ST_LIVE && PW_W_TYPE(w) == type)
			n++;
	}
	return (n);
}

#endif /* CHECK_SESSION_H */
