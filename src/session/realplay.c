/*
 * Real-play logins in the store.
 *
 * A login makes two slots: the player token (PW_T_PT, a random key) and
 * the request-id record (PW_T_REQID, keyed by game and X-Request-ID) that
 * names it together with a digest of the body.  The record is inserted
 * with pw_store_claim_unique, so when the same login arrives twice at once
 * on different workers, one insert wins and the other finds the winner's
 * record and returns its token; the loser's token slot, never published,
 * is given back.  The token is published before the record that names it,
 * so whoever finds a record also finds its token.
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
pt_fill(struct pw_slot *ps, const struct pw_rp_login *l)
{
	ps->u.pt.game = l->game_hash;
	ps->u.pt.exp = l->exp;
	atomic_store(&ps->u.pt.last_seen, l->now);
	ps->u.pt.created = l->now;
	/* Only wallet-sized subjects fit; the token never needs the rest. */
	strlcpy(ps->u.pt.sub, l->sub, sizeof(ps->u.pt.sub));
}

/* One attempt; -1 when a record found vanished while it was read. */
static int
login_once(struct pw_store *st, const struct pw_rp_login *l,
    const uint8_t key[PW_KEY_LEN], const uint8_t md[PW_SHA256_LEN],
    uint8_t pt[PW_KEY_LEN], enum pw_rp_result *res)
{
	struct pw_slot *ps, *rs;

	/* A replay finds the record without claiming anything. */
	if ((rs = pw_store_find(st, key, PW_T_REQID, NULL)) != NULL)
		return (record_read(rs, md, pt, res));
	*res = PW_RP_FULL;
	pw_store_new_id(st, pt);
	if ((ps = pw_store_claim(st, pt, PW_T_PT)) == NULL)
		return (0);
	pt_fill(ps, l);
	switch (pw_store_claim_unique(st, key, PW_T_REQID, &rs)) {
	case PW_INS_NEW:
		break;
	case PW_INS_EXISTS:
		pw_store_abandon(ps);
		return (record_read(rs, md, pt, res));
	default:
		pw_store_abandon(ps);
		return (0);
	}
	memcpy(rs->u.rq.body, md, PW_KEY_LEN);
	memcpy(rs->u.rq.pt, pt, PW_KEY_LEN);
	rs->u.rq.exp = l->exp;
	pw_store_publish(ps, 0, 0);
	pw_store_publish(rs, 0, 0);
	pw_count(st, PW_C_PT_ISSUED, 1);
	*res = PW_RP_NEW;
	return (0);
}

enum pw_rp_result
pw_rp_login(struct pw_store *st, const struct pw_rp_login *l,
    uint8_t pt[PW_KEY_LEN])
{
	uint8_t key[PW_KEY_LEN], md[PW_SHA256_LEN];
	enum pw_rp_result res = PW_RP_FULL;
	int i;

	pw_rp_reqid_key(key, l->game, l->rid);
	pw_sha256(l->body, l->len, md);
	for (i = 0; i < RP_TRIES; i++)
		if (login_once(st, l, key, md, pt, &res) == 0)
			break;
	return (res);
}

/*
 * The reaper's rules for real-play records: a request id may be freed a
 * minute after its token's exp (so a late replay still conflicts), a
 * player token once expired and unused for session-timeout.
 */
int
pw_rp_expire(const struct pw_config *cfg, struct pw_slot *s, uint64_t w,
    uint32_t now)
{
	switch (PW_W_TYPE(w)) {
	case PW_T_REQID:
		return (s->u.rq.exp + 60 <= now);
	case PW_T_PT:
		return (s->u.pt.exp <= now && atomic_load(&s->u.pt.last_seen) +
		    (uint32_t)cfg->session_timeout <= now);
	}
	return (0);
}
