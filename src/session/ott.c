/*
 * One-time tokens: issue, consumption by a verify, expiry, and the
 * launcher session's ott-per-launcher quota they count against.  Each
 * change is one CAS on the OTT's slot word; the quota is a counter in the
 * launcher session's slot.
 */
#include <string.h>

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

/* The checks in the API's order, then the one CAS that consumes. */
enum pw_verify
pw_ott_consume(struct pw_store *st, const struct pw_config *cfg,
    const uint8_t ott[PW_KEY_LEN], uint32_t game, struct pw_slot **sp)
{
	struct pw_slot *s;
	uint64_t w;

	if ((s = pw_store_find(st, ott, PW_T_OTT, &w)) == NULL)
		return (PW_V_NOT_FOUND);
	if (s->u.ott.game != game)
		return (PW_V_GAME_MISMATCH);
	for (;;) {
		if (PW_W_STATUS(w) != PW_ST_LIVE)
			return (PW_V_NOT_FOUND);
		if (PW_W_STATE(w) == PW_OTT_CONSUMED)
			return (PW_V_USED);
		if (s->u.ott.issued_ms + (uint64_t)cfg->ott_ttl * 1000 <=
		    pw_store_now(st))
			return (PW_V_EXPIRED);
		if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_CONSUMED, 0,
		    PW_W_HI(w))))
			break;
	}
	*sp = s;
	return (PW_V_OK);
}

/* Give a consumed OTT back when the session could not be stored. */
void
pw_ott_unconsume(struct pw_slot *s)
{
	uint64_t w;

	w = pw_slot_word(s);
	if (PW_W_STATE(w) == PW_OTT_CONSUMED)
		(void)pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_ISSUED, 0,
		    PW_W_HI(w)));
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
