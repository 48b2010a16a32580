/*
 * storebench's timed operations on the store, each over a range of the
 * prepared keys, returning how many failed.
 */
#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "pw_session.h"
#include "pw_store.h"
#include "storebench.h"

size_t
op_insert(struct ctx *c, size_t lo, size_t hi)
{
	struct pw_slot *s;
	size_t i, fails = 0;

	for (i = lo; i < hi; i++) {
		if ((s = pw_store_claim(&c->st, c->keys[i], PW_T_GS)) == NULL) {
			fails++;
			continue;
		}
		s->u.gs.game = 1;	/* made real by sessions_as_billed() */
		s->u.gs.cafe = 1;
		s->u.gs.start_ms = c->now;
		atomic_store(&s->u.gs.last_seen_ms, c->now);
		atomic_store(&s->u.gs.logged, PW_LOGGED_START | 1);
		pw_store_publish(s, PW_GS_LIVE, 1);
	}
	return (fails);
}

size_t
op_lookup(struct ctx *c, size_t lo, size_t hi)
{
	size_t i, fails = 0;

	for (i = lo; i < hi; i++)
		if (pw_store_find(&c->st, c->keys[i], PW_T_GS, NULL) == NULL)
			fails++;
	return (fails);
}

/* What a heartbeat does to the store: find, then raise last-seen. */
size_t
op_heartbeat(struct ctx *c, size_t lo, size_t hi)
{
	struct pw_slot *s;
	size_t i, fails = 0;

	for (i = lo; i < hi; i++) {
		if ((s = pw_store_find(&c->st, c->keys[i], PW_T_GS, NULL)) ==
		    NULL) {
			fails++;
			continue;
		}
		pw_atomic_max64(&s->u.gs.last_seen_ms, c->stamp);
	}
	return (fails);
}

size_t
op_ott_insert(struct ctx *c, size_t lo, size_t hi)
{
	struct pw_slot *s;
	size_t i, fails = 0;

	for (i = lo; i < hi; i++) {
		if ((s = pw_store_claim(&c->st, c->otts[i], PW_T_OTT)) ==
		    NULL) {
			fails++;
			continue;
		}
		s->u.ott.game = 1;
		s->u.ott.issued_ms = c->now;
		pw_store_publish(s, PW_OTT_ISSUED, 0);
	}
	return (fails);
}

/* The consuming half of a verify: find the OTT, CAS it to consumed. */
size_t
op_consume(struct ctx *c, size_t lo, size_t hi)
{
	struct pw_slot *s;
	uint64_t w;
	size_t i, fails = 0;

	for (i = lo; i < hi; i++) {
		if ((s = pw_store_find(&c->st, c->otts[i], PW_T_OTT, &w)) ==
		    NULL || PW_W_STATE(w) != PW_OTT_ISSUED ||
		    !pw_slot_cas(s, &w, PW_W_WITH(w, PW_OTT_CONSUMED, 0, 0)))
			fails++;
	}
	return (fails);
}

/* --- running them in one and in two processes ------------------------ */
