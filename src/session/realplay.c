/*
 * Real-play logins in the store.
 *
 * A login makes three slots: the player token (PW_T_PT, a random key),
 * the request-id record (PW_T_REQID, keyed by game and X-Request-ID) that
 * names it together with a digest of the body, and the launch-token
 * record (also PW_T_REQID, keyed by the token) that names it for the
 * token: one launch token mints one player session, and the same token
 * under another request id (a replay, a reload) finds it and stores
 * nothing.  Both records are inserted with pw_store_claim_unique, so
 * when the same login arrives twice at once on different workers, one
 * insert wins and the other finds the winner's record and returns its
 * token; the loser's slots, never published, are given back.  The token
 * is published before the records that name it, so whoever finds a
 * record also finds its token.  A request id first seen with a token
 * already used is not recorded: the same id with another body later is
 * judged on that body alone.
 *
 * The reaper frees a token once it is past its exp and idle for
 * session-timeout, and a record 60 s after its exp.  A record is not
 * consulted for expiry here: its exp is the launch token's, and the caller
 * refuses an expired launch token before it gets this far, so a record
 * past its exp can only meet another body (a conflict until it is freed).
 */
#include <sys/types.h>

#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_realplay.h"

#define RP_NAME_MAX	64	/* game ids are 23 bytes, request ids 64 */
#define RP_TRIES	4

struct rp_keys {
	uint8_t		 rid[PW_KEY_LEN];	/* request-id record */
	uint8_t		 tok[PW_KEY_LEN];	/* launch-token record */
	uint8_t		 md[PW_SHA256_LEN];	/* the body's digest */
	uint8_t		 tmd[PW_SHA256_LEN];	/* the token's digest */
};

void
pw_rp_reqid_key(uint8_t key[PW_KEY_LEN], const char *game, const char *rid)
{
	char buf[2 * RP_NAME_MAX + 1];
	size_t gl, rl;

	gl = strnlen(game, RP_NAME_MAX);
	rl = strnlen(rid, RP_NAME_MAX);
	/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
	memcpy(buf, game, gl);
	buf[gl] = '\0';
	memcpy(buf + gl + 1, rid, rl);
	pw_key_derive(key, "reqid", buf, gl + 1 + rl);
}

struct pw_slot *
pw_pt_find(struct pw_store *st, const uint8_t pt[PW_KEY_LEN])
{
	return (pw_store_find(st, pt, PW_T_PT, NULL));
}

/*
 * Read a live record: the token it names if the body matches.  Returns
 * -1 if the slot changed under us (freed and reused) while it was read.
 */
static int
record_read(const struct pw_slot *rs, const uint8_t md[PW_SHA256_LEN],
    uint8_t pt[PW_KEY_LEN], enum pw_rp_result *res)
{
	uint8_t body[PW_KEY_LEN], tok[PW_KEY_LEN];
	uint64_t w;

	w = pw_slot_word(rs);
	memcpy(body, rs->u.rq.body, sizeof(body));
	memcpy(tok, rs->u.rq.pt, sizeof(tok));
	if (PW_W_STATUS(w) != PW_ST_LIVE || pw_slot_word(rs) != w)
		return (-1);
	if (pw_timingsafe_bcmp(body, md, PW_KEY_LEN) != 0) {
		*res = PW_RP_CONFLICT;
		return (0);
	}
	memcpy(pt, tok, PW_KEY_LEN);
	*res = PW_RP_REPLAY;
	return (0);
}

static void
token_key(uint8_t key[PW_KEY_LEN], const struct pw_rp_login *l)
{
	pw_key_derive(key, "launch", l->token, l->toklen);
}

static void
pt_fill(struct pw_slot *ps, const struct pw_rp_login *l)
{
	ps->u.pt.game = l->game_hash;
	ps->u.pt.exp = (int64_t)l->exp;
	atomic_store(&ps->u.pt.last_seen_ms, l->now_ms);
	ps->u.pt.created_ms = l->now_ms;
	/* Only wallet-sized subjects fit; the token never needs the rest. */
	strlcpy(ps->u.pt.sub, l->sub, sizeof(ps->u.pt.sub));
}

static void
record_fill(struct pw_slot *s, const uint8_t md[PW_SHA256_LEN],
    const uint8_t pt[PW_KEY_LEN], uint64_t exp)
{
	memcpy(s->u.rq.body, md, PW_KEY_LEN);
	memcpy(s->u.rq.pt, pt, PW_KEY_LEN);
	s->u.rq.exp = exp;
}

/* One attempt; -1 when a record found vanished while it was read. */
static int
login_once(struct pw_store *st, const struct pw_rp_login *l,
    const struct rp_keys *k, uint8_t pt[PW_KEY_LEN], enum pw_rp_result *res)
{
	struct pw_slot *ps, *rs, *ts;

	/* A replay finds a record without claiming anything. */
	if ((rs = pw_store_find(st, k->rid, PW_T_REQID, NULL)) != NULL)
		return (record_read(rs, k->md, pt, res));
	if ((ts = pw_store_find(st, k->tok, PW_T_REQID, NULL)) != NULL)
		return (record_read(ts, k->tmd, pt, res));
	*res = PW_RP_FULL;
	pw_store_new_id(st, pt);
	if ((ps = pw_store_claim(st, pt, PW_T_PT)) == NULL)
		return (0);
	pt_fill(ps, l);
	switch (pw_store_claim_unique(st, k->tok, PW_T_REQID, &ts)) {
	case PW_INS_NEW:
		break;
	case PW_INS_EXISTS:
		pw_store_abandon(ps);
		return (record_read(ts, k->tmd, pt, res));
	default:
		pw_store_abandon(ps);
		return (0);
	}
	switch (pw_store_claim_unique(st, k->rid, PW_T_REQID, &rs)) {
	case PW_INS_NEW:
		break;
	case PW_INS_EXISTS:
		pw_store_abandon(ps);
		pw_store_abandon(ts);
		return (record_read(rs, k->md, pt, res));
	default:
		pw_store_abandon(ps);
		pw_store_abandon(ts);
		return (0);
	}
	record_fill(ts, k->tmd, pt, l->exp);
	record_fill(rs, k->md, pt, l->exp);
	pw_store_publish(ps, 0, 0);
	pw_store_publish(ts, 0, 0);
	pw_store_publish(rs, 0, 0);
	pw_count(st, PW_C_PT_ISSUED, 1);
	*res = PW_RP_NEW;
	return (0);
}

enum pw_rp_result
pw_rp_login(struct pw_store *st, const struct pw_rp_login *l,
    uint8_t pt[PW_KEY_LEN])
{
	struct rp_keys k;
	enum pw_rp_result res = PW_RP_FULL;
	int i;

	pw_rp_reqid_key(k.rid, l->game, l->rid);
	token_key(k.tok, l);
	pw_sha256(l->body, l->len, k.md);
	/* The token record's "body" is the token: it always matches. */
	pw_sha256(l->token, l->toklen, k.tmd);
	for (i = 0; i < RP_TRIES; i++)
		if (login_once(st, l, &k, pt, &res) == 0)
			break;
	return (res);
}

/*
 * The reaper's rules for real-play records: a request id may be freed a
 * minute after its token's exp (so a late replay still conflicts), a
 * player token once expired and unused for session-timeout.
 */
/* A wall-clock instant (unix s) as the store clock's, for *due. */
static uint64_t
store_at(uint64_t wall_s, uint64_t at_s, uint64_t now_ms)
{
	return (at_s > wall_s ? now_ms + (at_s - wall_s) * 1000 : now_ms);
}

int
pw_rp_expire(const struct pw_config *cfg, struct pw_slot *s, uint64_t w,
    uint64_t wall_s, uint64_t now_ms, uint64_t *due)
{
	uint64_t idle, at;

	/* exp is the launch token's, a wall-clock instant; idleness is not. */
	switch (PW_W_TYPE(w)) {
	case PW_T_REQID:
		pw_due(due, store_at(wall_s, s->u.rq.exp + 60, now_ms));
		return (s->u.rq.exp + 60 <= wall_s);
	case PW_T_PT:
		idle = atomic_load(&s->u.pt.last_seen_ms) +
		    (uint64_t)cfg->session_timeout * 1000;
		at = store_at(wall_s, s->u.pt.exp < 0 ? 0 :
		    (uint64_t)s->u.pt.exp, now_ms);
		pw_due(due, at > idle ? at : idle);
		return (s->u.pt.exp <= (int64_t)wall_s && idle <= now_ms);
	}
	return (0);
}
