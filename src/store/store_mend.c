/*
 * Mending probe runs after a power cut (see pw_store_mend in pw_store.h).
 * A lookup stops at the first EMPTY slot from a key's home: a key stored
 * beyond a slot whose page came back older than the key's own page
 * (empty there, filled when the key was inserted) would be invisible,
 * and a second copy of a unique key could be inserted.  A tombstone in
 * that slot keeps the run whole; the reaper compacts it later as usual.
 */
#include <sys/types.h>

#include "pw_store.h"

static uint64_t
mend_run(struct pw_store *st, uint64_t home, uint64_t at)
{
	struct pw_slot *s;
	uint64_t i, w, n = 0;

	for (i = home; i != at; i = (i + 1) & st->mask) {
		s = &st->slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) == PW_ST_EMPTY && pw_slot_cas(s, &w,
		    PW_W_MAKE(PW_ST_TOMB, 0, 0, 0, 0, 0)))
			n++;
	}
	return (n);
}

uint64_t
pw_store_mend(struct pw_store *st)
{
	struct pw_slot *s;
	uint64_t i, w, home, n = 0;

	for (i = 0; i <= st->mask; i++) {
		s = &st->slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) != PW_ST_LIVE)
			continue;
		home = pw_store_home(st, s->key);
		/* Farther than any insert probes: not reachable anyway. */
		if (((i - home) & st->mask) < PW_MAX_PROBE)
			n += mend_run(st, home, i);
	}
	return (n);
}
