/*
 * PC records: a pc_id's current launcher session and game session.  A
 * newer one of either kind replaces the older, with one
 * atomic exchange of the reference, so of two racing binds both end up
 * ordered and exactly one is current.
 */
#include <string.h>

#include "pw.h"
#include "pw_session.h"

void
pw_pc_key(uint8_t key[PW_KEY_LEN], const char *pc_id, size_t len)
{
	pw_key_derive(key, "pc", pc_id, len);
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
	atomic_store(&p->u.pc.touched, pw_now());
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
