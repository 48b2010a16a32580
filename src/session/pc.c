/*
 * PC records: a pc_id's current launcher session and game session.  A
 * newer one of either kind replaces the older, with one
 * atomic exchange of the reference, so of two racing binds both end up
 * ordered and exactly one is current.
 */
#include <string.h>

#include "pw.h"
#include "pw_session.h"

/*
 * A PC is (cafe, pc_id): the cafe hash (0: none) leads the derived
 * name, so "PC-12" at home and at seoul-01 are two records.
 */
void
pw_pc_key(uint8_t key[PW_KEY_LEN], uint32_t cafe, const char *pc_id,
    size_t len)
{
	uint8_t name[4 + 64];

	if (len > 64)
		len = 64;
	name[0] = (uint8_t)(cafe >> 24);
	name[1] = (uint8_t)(cafe >> 16);
	name[2] = (uint8_t)(cafe >> 8);
	name[3] = (uint8_t)cafe;
	memcpy(name + 4, pc_id, len);
	pw_key_derive(key, "pc", name, 4 + len);
}

/*
 * Bind s as the PC's current one of its kind.  The slot it displaced, if
 * any and still of that kind, is returned in *displaced for the caller to
 * end with reason REPLACED: each kind's owner ends its own sessions.
 */
int
pw_pc_bind(struct pw_store *st, const uint8_t pc[PW_KEY_LEN],
    struct pw_slot *s, struct pw_slot **displaced)
{
	struct pw_slot *p, *old;
	_Atomic pw_ref_t *field;
	unsigned type;
	pw_ref_t prev;
	enum pw_ins ins;

	*displaced = NULL;
	type = PW_W_TYPE(pw_slot_word(s));
	if ((ins = pw_store_claim_unique(st, pc, PW_T_PC, &p)) == PW_INS_FULL)
		return (-1);
	field = type == PW_T_GS ? &p->u.pc.gs : &p->u.pc.ls;
	atomic_store(&p->u.pc.touched_ms, pw_store_now(st));
	if (ins == PW_INS_NEW) {
		atomic_store(field, pw_store_ref(st, s));
		pw_store_publish(p, 0, 0);
		return (0);
	}
	prev = atomic_exchange(field, pw_store_ref(st, s));
	if ((old = pw_store_deref(st, prev, type, NULL)) != NULL && old != s)
		*displaced = old;
	return (0);
}

/* The game session of ls's PC, if that PC's launcher is still ls. */
struct pw_slot *
pw_pc_game_of(struct pw_store *st, struct pw_slot *ls)
{
	struct pw_slot *p;

	if ((p = pw_store_find(st, ls->u.ls.pc, PW_T_PC, NULL)) == NULL ||
	    atomic_load(&p->u.pc.ls) != pw_store_ref(st, ls))
		return (NULL);
	return (pw_store_deref(st, atomic_load(&p->u.pc.gs), PW_T_GS, NULL));
}

static int
ref_alive(struct pw_store *st, pw_ref_t ref, unsigned type)
{
	struct pw_slot *s;
	uint64_t w;

	if ((s = pw_store_deref(st, ref, type, &w)) == NULL)
		return (0);
	return (type == PW_T_LS ? PW_W_STATE(w) == PW_LS_LIVE :
	    PW_W_STATE(w) != PW_GS_ENDED);
}

/*
 * A PC record may be freed (1) once neither of its sessions lives.
 * Workers hold a PC slot only for the few instructions of a bind; waiting
 * out both timeouts since the last bind makes reuse under a stalled
 * binder practically impossible.
 */
int
pw_pc_expire(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t now_ms, uint64_t *due)
{
	uint64_t t;

	/* Its sessions' ends poke the reaper: its own time is all it has. */
	t = atomic_load(&s->u.pc.touched_ms) +
	    (uint64_t)(cfg->session_timeout + cfg->launcher_timeout) * 1000;
	if (t > now_ms) {
		pw_due(due, t);
		return (0);
	}
	return (!ref_alive(st, atomic_load(&s->u.pc.ls), PW_T_LS) &&
	    !ref_alive(st, atomic_load(&s->u.pc.gs), PW_T_GS));
}
