/*
 * Launcher sessions: started for a PC (pc.c makes each the PC's current
 * one, replacing the last), kept alive by heartbeats, ended by the reaper
 * when silent or by a newer start.
 */
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_session.h"

int
pw_ls_end_slot(struct pw_slot *s, unsigned reason, uint32_t now)
{
	uint64_t w;

	w = pw_slot_word(s);
	while (PW_W_STATUS(w) == PW_ST_LIVE && PW_W_TYPE(w) == PW_T_LS &&
	    PW_W_STATE(w) == PW_LS_LIVE) {
		if (pw_slot_cas(s, &w, PW_W_WITH(w, PW_LS_ENDED, reason, 0))) {
			atomic_store(&s->u.ls.ended_at, now);
			return (1);
		}
	}
	return (0);
}

int
pw_ls_start(struct pw_store *st, const char *pc_id, size_t pclen,
    uint32_t cafe, uint8_t out[PW_KEY_LEN])
{
	pw_store_new_id(st, out);
	return (pw_ls_start_key(st, pc_id, pclen, cafe, out));
}

int
pw_ls_start_key(struct pw_store *st, const char *pc_id, size_t pclen,
    uint32_t cafe, const uint8_t key[PW_KEY_LEN])
{
	struct pw_slot *s, *old;
	uint32_t now;

	if ((s = pw_store_claim(st, key, PW_T_LS)) == NULL)
		return (-1);
	now = pw_now();
	pw_pc_key(s->u.ls.pc, cafe, pc_id, pclen);
	s->u.ls.cafe = cafe;
	s->u.ls.created_ms = pw_now_ms();
	atomic_store(&s->u.ls.last_seen, now);
	pw_store_publish(s, PW_LS_LIVE, 0);
	if (pw_pc_bind(st, s->u.ls.pc, s, &old) == -1) {
		(void)pw_ls_end_slot(s, PW_R_ENDED, now);
		return (-1);
	}
	if (old != NULL)
		(void)pw_ls_end_slot(old, PW_R_REPLACED, now);
	pw_count(st, PW_C_LS_STARTED, 1);
	return (0);
}

/*
 * A session is used only from the cafe it started in (or from outside
 * every cafe, for a non-cafe one); anything else changes nothing.
 */
enum pw_touch
pw_ls_touch(struct pw_store *st, const uint8_t key[PW_KEY_LEN],
    uint32_t cafe, struct pw_slot **sp)
{
	struct pw_slot *s;
	uint64_t w;

	if ((s = pw_store_find(st, key, PW_T_LS, &w)) == NULL)
		return (PW_TOUCH_NOT_FOUND);
	if (s->u.ls.cafe != cafe)
		return (PW_TOUCH_MISMATCH);
	if (PW_W_STATE(w) != PW_LS_LIVE)
		return (PW_TOUCH_ENDED);
	pw_atomic_max32(&s->u.ls.last_seen, pw_now());
	if (sp != NULL)
		*sp = s;
	return (PW_TOUCH_OK);
}

/*
 * The reaper's rules for a launcher session: silent for launcher-timeout
 * it ends LAUNCHER_LOST, and so does its PC's game session if the PC is
 * still this launcher's; ended for session-timeout it may be freed (1).
 */
int
pw_ls_expire(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t w, uint32_t now)
{
	struct pw_slot *g;

	if (PW_W_STATE(w) == PW_LS_LIVE &&
	    atomic_load(&s->u.ls.last_seen) + (uint32_t)cfg->launcher_timeout <=
	    now && pw_ls_end_slot(s, PW_R_LAUNCHER_LOST, now)) {
		if ((g = pw_pc_game_of(st, s)) != NULL)
			(void)pw_gs_end_slot(st, cfg, g, PW_R_LAUNCHER_LOST,
			    pw_now_ms());
		return (0);
	}
	return (PW_W_STATE(w) == PW_LS_ENDED &&
	    atomic_load(&s->u.ls.ended_at) + (uint32_t)cfg->session_timeout <=
	    now);
}
