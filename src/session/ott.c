/*
 * One-time tokens: issue, consumption by a verify, expiry, and the
 * launcher session's ott-per-launcher quota they count against.  Each
 * change is one CAS on the OTT's slot word; the quota is a counter in the
 * launcher session's slot.
 */
#include <string.h>
#include <time.h>

#include "pw.h"
#include "pw_session.h"

int
pw_ott_issue(struct pw_store *st, uint32_t game, uint32_t cafe,
    const uint8_t *pc, pw_ref_t ls, uint64_t now_ms, uint8_t out[PW_KEY_LEN])
{
	struct pw_slot *s;

	pw_store_new_id(st, out);
	if ((s = pw_store_claim(st, out, PW_T_OTT)) == NULL)
		return (-1);
	s->u.ott.game = game;
	s->u.ott.cafe = cafe;
	s->u.ott.issued_ms = now_ms;
	if (pc != NULL)
		memcpy(s->u.ott.pc, pc, PW_KEY_LEN);
	s->u.ott.ls = ls;
	pw_store_publish(s, PW_OTT_ISSUED, 0);
	pw_count(st, PW_C_OTT_ISSUED, 1);
	return (0);
}

/*
 * Idempotent verify.  The verify that consumes an OTT leaves in it what
 * a retry of the same request needs (a verify whose reply was lost is
 * sent again with the same X-Request-ID): the consuming CAS itself puts
 * 31 bits of the request id's keyed tag in the word's high half, and the
 * whole tag, the user and the time follow; the outcome once decided.  A
 * later verify of the OTT compares its own tag with the word's: another
 * id (or none) is OTT_ALREADY_USED at once; the same one waits for the
 * outcome, then compares the whole tag and the user.
 */
#define TAG_SHIFT	1	/* bit 0 of the word's high half: released */

static uint32_t
tag31(const uint8_t *rid)
{
	uint32_t t;

	if (rid == NULL)
		return (0);
	memcpy(&t, rid, sizeof(t));
	return (t >> 1);
}

/* The consuming verify's answer, once decided: at most this long away. */
#define WAIT_US		1000000
#define WAIT_STEP_US	200

static unsigned
await_outcome(struct pw_slot *s, uint64_t w)
{
	struct timespec ts = { 0, WAIT_STEP_US * 1000 };
	unsigned out, i;

	for (i = 0; i < WAIT_US / WAIT_STEP_US; i++) {
		out = atomic_load_explicit(&s->u.ott.outcome,
		    memory_order_acquire);
		if (out != PW_OTT_OUT_PENDING || pw_slot_word(s) != w)
			return (out);
		(void)nanosleep(&ts, NULL);
	}
	return (PW_OTT_OUT_PENDING);
}

/* A verify of a consumed OTT: a retry of the consuming one, or too late. */
static enum pw_verify
consumed(struct pw_store *st, const struct pw_config *cfg, struct pw_slot *s,
    uint64_t w, const struct pw_verify_req *q)
{
	unsigned out;

	if (q->rid == NULL || tag31(q->rid) == 0 ||
	    (PW_W_HI(w) >> TAG_SHIFT) != tag31(q->rid))
		return (PW_V_USED);
	if ((out = await_outcome(s, w)) == PW_OTT_OUT_PENDING)
		return (pw_slot_word(s) == w ? PW_V_IN_PROGRESS : PW_V_RETRY);
	if (memcmp(s->u.ott.rid, q->rid, PW_KEY_LEN) != 0 ||
	    atomic_load(&s->u.ott.consumed_ms) + (uint64_t)cfg->ott_ttl *
	    1000 <= pw_store_now(st))
		return (PW_V_USED);
	if (memcmp(s->u.ott.uid, q->uid, PW_UID_LEN) != 0)
		return (PW_V_ID_REUSED);
	pw_count(st, PW_C_VERIFY_REPEATED, 1);
	if (out == PW_OTT_OUT_NOT_CHARGEABLE)
		return (PW_V_NOT_CHARGEABLE);
	return (s->u.ott.is_cafe ? PW_V_REPEATED_CAFE : PW_V_REPEATED);
}

/* The checks in the API's order, then the one CAS that consumes. */
enum pw_verify
pw_ott_consume(struct pw_store *st, const struct pw_config *cfg,
    const uint8_t ott[PW_KEY_LEN], uint32_t game,
    const struct pw_verify_req *q, struct pw_slot **sp)
{
	struct pw_slot *s;
	enum pw_verify v;
	uint64_t w;
	uint32_t hi;

	if ((s = pw_store_find(st, ott, PW_T_OTT, &w)) == NULL)
		return (PW_V_NOT_FOUND);
	if (s->u.ott.game != game)
		return (PW_V_GAME_MISMATCH);
	for (;;) {
		if (PW_W_STATUS(w) != PW_ST_LIVE)
			return (PW_V_NOT_FOUND);
		if (PW_W_STATE(w) == PW_OTT_CONSUMED) {
			if ((v = consumed(st, cfg, s, w, q)) != PW_V_RETRY)
				return (v);
			w = pw_slot_word(s);
			continue;
		}
		if (s->u.ott.issued_ms + (uint64_t)cfg->ott_ttl * 1000 <=
		    pw_store_now(st))
			return (PW_V_EXPIRED);
		hi = (PW_W_HI(w) & PW_OTT_RELEASED) |
		    tag31(q->rid) << TAG_SHIFT;
		if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_CONSUMED, 0, hi)))
			break;
	}
	/* Ours: the rest of what a retry compares, then (later) the answer. */
	if (q->rid != NULL)
		memcpy(s->u.ott.rid, q->rid, PW_KEY_LEN);
	else
		memset(s->u.ott.rid, 0, PW_KEY_LEN);
	memcpy(s->u.ott.uid, q->uid, PW_UID_LEN);
	atomic_store(&s->u.ott.consumed_ms, pw_store_now(st));
	*sp = s;
	return (PW_V_OK);
}

/* What the consuming verify answered, for its retries (release order). */
void
pw_ott_outcome(struct pw_slot *s, unsigned outcome, int is_cafe)
{
	s->u.ott.is_cafe = (uint8_t)is_cafe;
	atomic_store_explicit(&s->u.ott.outcome, (uint8_t)outcome,
	    memory_order_release);
}

/* Give a consumed OTT back when the session could not be stored. */
void
pw_ott_unconsume(struct pw_slot *s)
{
	uint64_t w;

	w = pw_slot_word(s);
	if (PW_W_STATE(w) == PW_OTT_CONSUMED)
		(void)pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_ISSUED, 0,
		    PW_W_HI(w) & PW_OTT_RELEASED));
}

/*
 * An OTT consumed for good, or expired, no longer counts against its
 * launcher session's ott-per-launcher: the one CAS that sets the
 * released bit decides who gives the unit back, so it is given once.
 */
void
pw_ott_release(struct pw_store *st, struct pw_slot *s)
{
	struct pw_slot *ls;
	uint64_t w;

	w = pw_slot_word(s);
	for (;;) {
		if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != PW_T_OTT ||
		    (PW_W_HI(w) & PW_OTT_RELEASED) != 0)
			return;
		/* Bits 13-16 (expired or not) stay as they are. */
		if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_W_STATE(w),
		    PW_W_AUX(w), PW_W_HI(w) | PW_OTT_RELEASED)))
			break;
	}
	if (s->u.ott.ls != 0 &&
	    (ls = pw_store_deref(st, s->u.ott.ls, PW_T_LS, NULL)) != NULL)
		pw_ott_quota_put(ls);
}

/*
 * The reaper's rules for an OTT: unused past ott-ttl it is marked expired
 * (counted once); at 2 x ott-ttl after its issue, plus a second for
 * clocks that disagree, it may be freed (1), so a used OTT answers
 * OTT_ALREADY_USED, not OTT_NOT_FOUND, for that long.
 */
int
pw_ott_expire(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t w, uint64_t now_ms, uint64_t *due)
{
	uint64_t ttl = (uint64_t)cfg->ott_ttl * 1000;

	if (PW_W_STATE(w) == PW_OTT_ISSUED && !PW_W_OTT_EXPIRED(w)) {
		if (s->u.ott.issued_ms + ttl > now_ms)
			pw_due(due, s->u.ott.issued_ms + ttl);
		else if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_ISSUED, 1,
		    PW_W_HI(w)))) {
			pw_count(st, PW_C_OTT_EXPIRED, 1);
			pw_ott_release(st, s);
		}
	}
	pw_due(due, s->u.ott.issued_ms + 2 * ttl + 1000);
	return (s->u.ott.issued_ms + 2 * ttl + 1000 <= now_ms);
}

/*
 * Take one of a launcher session's ott-per-launcher units; 0 when all
 * are out.
 *
 * A worker killed between this and the OTT's publication keeps one unit
 * of that launcher session taken until the session ends: the cost of
 * counting without a lock.  Argued harmless rather than closed: the
 * unit guards no money (ott-per-launcher bounds unused OTTs, a launcher
 * short of one issues one fewer at a time); it is lost only to a kill in
 * those few instructions, once per kill, and never outlives the launcher
 * session it belongs to (a launcher that restarts, or that
 * launcher-timeout ends, starts with them all).  A recount by the reaper
 * could not tell a dead taker from a live one between the two steps
 * without a lock, and would give a live launcher one unit too many.
 */
int
pw_ott_quota_take(struct pw_slot *s, int64_t max)
{
	uint32_t n;

	n = atomic_load(&s->u.ls.otts);
	do {
		if ((int64_t)n >= max)
			return (0);
	} while (!atomic_compare_exchange_weak(&s->u.ls.otts, &n, n + 1));
	return (1);
}

void
pw_ott_quota_put(struct pw_slot *s)
{
	uint32_t n;

	n = atomic_load(&s->u.ls.otts);
	do {
		if (n == 0)
			return;
	} while (!atomic_compare_exchange_weak(&s->u.ls.otts, &n, n - 1));
}
