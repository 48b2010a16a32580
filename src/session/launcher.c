/*
 * Launcher sessions: started for a PC (pc.c makes each the PC's current
 * one, replacing the last), then every request of the session proves
 * itself with the session's key and a sequence number the session's
 * replay window accepts once; ended by the reaper when silent or by a
 * newer start on the same PC.
 *
 * A session request writes nothing but its own session's record: no
 * nonce, no quota, no new slot, so running sessions cost the store
 * nothing whatever their rate, and nothing a stranger sends reaches
 * another session's record.
 */
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_names.h"
#include "pw_session.h"

int
pw_ls_end_slot(struct pw_store *st, struct pw_slot *s, unsigned reason,
    uint64_t now_ms)
{
	uint64_t w;

	w = pw_slot_word(s);
	while (PW_W_STATUS(w) == PW_ST_LIVE && PW_W_TYPE(w) == PW_T_LS &&
	    PW_W_STATE(w) == PW_LS_LIVE) {
		if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_LS_ENDED, reason, 0))) {
			atomic_store(&s->u.ls.ended_ms, now_ms);
			pw_store_poke(st);
			return (1);
		}
	}
	return (0);
}

/*
 * At a cafe a PC is (cafe, pc_id): a second start for it replaces the
 * first.  A home launcher is its own PC, keyed by its session id, so a
 * home start never replaces anyone's session whatever pc_id it sends.
 */
int
pw_ls_start_key(struct pw_store *st, const char *pc_id, size_t pclen,
    uint32_t cafe, uint32_t flags, const uint8_t key[PW_KEY_LEN])
{
	struct pw_slot *s, *old;
	uint64_t now;

	if ((s = pw_store_claim(st, key, PW_T_LS)) == NULL)
		return (-1);
	now = pw_store_now(st);
	if (cafe != 0)
		pw_pc_key(s->u.ls.pc, cafe, pc_id, pclen);
	else
		pw_key_derive(s->u.ls.pc, "pc-home", key, PW_KEY_LEN);
	s->u.ls.cafe = cafe;
	s->u.ls.flags = flags;
	s->u.ls.created_ms = now;
	atomic_store(&s->u.ls.last_seen_ms, now);
	pw_store_publish(s, PW_LS_LIVE, 0);
	if (pw_pc_bind(st, s->u.ls.pc, s, &old) == -1) {
		(void)pw_ls_end_slot(st, s, PW_R_ENDED, now);
		return (-1);
	}
	if (old != NULL)
		(void)pw_ls_end_slot(st, old, PW_R_REPLACED, now);
	pw_count(st, PW_C_LS_STARTED, 1);
	return (0);
}

void
pw_ls_session_key(const struct pw_store *st, const uint8_t key[PW_KEY_LEN],
    uint8_t out[PW_SESSION_KEY_LEN])
{
	char id[48];
	size_t n;

	/* The id as the API shows it: lowercase, whatever the client sent. */
	n = pw_id_format(PW_T_LS, key, id, sizeof(id));
	pw_session_key(&st->session_kdf, id, n, out);
	explicit_bzero(id, sizeof(id));
}

/*
 * RFC 4303 3.4.3 with a 32-wide window in one word: the highest seq
 * accepted << 32 | a bitmap (bit i: highest - i accepted).  A seq above
 * the highest slides the window; one inside it is accepted once; one
 * older than the window is refused.  One CAS decides, so of concurrent
 * requests with the same seq exactly one wins.
 */
int
pw_ls_window_accept(struct pw_slot *s, uint32_t seq)
{
	uint64_t w, nw, d;
	uint32_t hi, map;

	w = atomic_load(&s->u.ls.window);
	do {
		hi = (uint32_t)(w >> 32);
		map = (uint32_t)w;
		if (seq > hi) {
			d = seq - hi;
			map = d >= 32 ? 1u : (map << d) | 1u;
			nw = (uint64_t)seq << 32 | map;
		} else {
			d = hi - seq;
			if (d >= 32 || (map & (1u << d)) != 0)
				return (-1);
			nw = w | (1u << d);
		}
	} while (!atomic_compare_exchange_weak(&s->u.ls.window, &w, nw));
	return (0);
}

/*
 * The checks of a session request after its headers were found
 * well-formed, in the API's order: the session known (NOT_FOUND), its
 * signature (BAD_SIGNATURE), its seq fresh in the window (REPLAYED);
 * from here the seq is taken whatever the answer: the cafe it comes
 * from (MISMATCH), the session not ended (ENDED), its rate (RATE).
 */
enum pw_ls_check
pw_ls_request(struct pw_store *st, const struct pw_config *cfg,
    const uint8_t key[PW_KEY_LEN], const struct pw_lsig_session *q,
    uint32_t cafe, struct pw_slot **sp, uint64_t *retry_s)
{
	uint8_t k[PW_SESSION_KEY_LEN];
	struct pw_slot *s;
	uint64_t w;
	int good;

	if ((s = pw_store_find(st, key, PW_T_LS, &w)) == NULL)
		return (PW_LSC_NOT_FOUND);
	pw_ls_session_key(st, key, k);
	good = pw_launcher_session_ok(k, q);
	explicit_bzero(k, sizeof(k));
	if (!good)
		return (PW_LSC_BAD_SIGNATURE);
	if (pw_ls_window_accept(s, pw_launcher_seq(q->seq)) == -1)
		return (PW_LSC_REPLAYED);
	*sp = s;
	if (s->u.ls.cafe != cafe)
		return (PW_LSC_MISMATCH);
	if (PW_W_STATE(pw_slot_word(s)) != PW_LS_LIVE)
		return (PW_LSC_ENDED);
	if (pw_quota_session_rate(s, cfg, retry_s) == -1)
		return (PW_LSC_RATE);
	return (PW_LSC_OK);
}

/* A request of a live session proves the launcher alive. */
void
pw_ls_touch(struct pw_store *st, struct pw_slot *s)
{
	pw_atomic_max64(&s->u.ls.last_seen_ms, pw_store_now(st));
}

/*
 * The reaper's rules for a launcher session: silent for launcher-timeout
 * it ends LAUNCHER_LOST, and so does its PC's game session if the PC is
 * still this launcher's; ended for session-timeout it may be freed (1).
 */
int
pw_ls_expire(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t w, uint64_t now_ms, uint64_t *due)
{
	struct pw_slot *g;
	uint64_t lost, gone;

	lost = atomic_load(&s->u.ls.last_seen_ms) +
	    (uint64_t)cfg->launcher_timeout * 1000;
	if (PW_W_STATE(w) == PW_LS_LIVE && lost <= now_ms &&
	    pw_ls_end_slot(st, s, PW_R_LAUNCHER_LOST, now_ms)) {
		if ((g = pw_pc_game_of(st, s)) != NULL)
			(void)pw_gs_end_slot(st, cfg, g, PW_R_LAUNCHER_LOST,
			    now_ms);
		return (0);
	}
	if (PW_W_STATE(w) == PW_LS_LIVE) {
		pw_due(due, lost);
		return (0);
	}
	gone = atomic_load(&s->u.ls.ended_ms) +
	    (uint64_t)cfg->session_timeout * 1000;
	pw_due(due, gone);
	return (PW_W_STATE(w) == PW_LS_ENDED && gone <= now_ms);
}
