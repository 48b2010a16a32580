/*
 * Game sessions: start from a consumed OTT (ott.c), heartbeat, teleport
 * check and end, as one CAS on the slot word each.  The word carries the state, the
 * end reason and the billed minutes together, so an end and the reaper's
 * charge of a new minute can never both win: whatever END reports is what
 * the billing log will show.
 */
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_session.h"

static const uint8_t nokey[PW_KEY_LEN];

uint64_t
pw_gs_start_ms(const struct pw_slot *s)
{
	return (s->u.gs.start_ms);
}

/* The end's instant, or 0 while the session lives (or its ender died). */
uint64_t
pw_gs_end_ms(const struct pw_slot *s)
{
	uint32_t e;

	e = atomic_load(&((struct pw_slot *)s)->u.gs.ended_ms);
	return (e == 0 ? 0 : pw_gs_start_ms(s) + e - 1);
}

void
pw_gs_set_end(struct pw_slot *s, uint64_t now_ms)
{
	uint64_t start, d;

	start = pw_gs_start_ms(s);
	d = now_ms > start ? now_ms - start : 0;
	/* 49 days of play saturate: that end reads as the latest there is. */
	atomic_store(&s->u.gs.ended_ms, d >= UINT32_MAX - 1 ? UINT32_MAX :
	    (uint32_t)d + 1);
}

/* Minute m starts at start + (m - 1) x unit, exactly, never earlier. */
uint32_t
pw_gs_due(const struct pw_slot *s, uint64_t now_ms, int unit_s)
{
	uint64_t start, m;

	start = pw_gs_start_ms(s);
	if (now_ms <= start || unit_s <= 0)
		return (1);	/* the start's own millisecond owes the first */
	m = (now_ms - start) / ((uint64_t)unit_s * 1000) + 1;
	return (m > 0x3fffffffu ? 0x3fffffffu : (uint32_t)m);
}

uint32_t
pw_gs_owed(const struct pw_slot *s, uint64_t now_ms, int unit_s)
{
	uint32_t due, free_m;

	due = pw_gs_due(s, now_ms, unit_s);
	free_m = atomic_load(&((struct pw_slot *)s)->u.gs.free_minutes);
	return (due > free_m ? due - free_m : 0);
}

/* Kept as ended_ms is: ms after the start, + 1 (0: never exhausted). */
uint64_t
pw_gs_exhausted_ms(const struct pw_slot *s)
{
	uint32_t e;

	e = atomic_load(&((struct pw_slot *)s)->u.gs.exhausted_ms);
	return (e == 0 ? 0 : pw_gs_start_ms(s) + e - 1);
}

void
pw_gs_set_exhausted(struct pw_slot *s, uint64_t now_ms)
{
	uint64_t start, d;

	start = pw_gs_start_ms(s);
	d = now_ms > start ? now_ms - start : 0;
	atomic_store(&s->u.gs.exhausted_ms, d >= UINT32_MAX - 1 ? UINT32_MAX :
	    (uint32_t)d + 1);
}

/*
 * The charge grace is free play.  Exhausted, a session has billed every
 * minute but the one it could not pay (billed + 1, started before the
 * grace); every minute after that one that has started by now_ms started
 * during the grace, and is free: charged neither now nor when a credit
 * ends the grace.  free_minutes only grows, by one CAS, so two callers
 * (the reaper, an end) count each minute once.
 */
uint32_t
pw_gs_grace(struct pw_store *st, struct pw_slot *s, uint64_t w,
    uint64_t now_ms, int unit_s)
{
	uint32_t due, want, cur;

	due = pw_gs_due(s, now_ms, unit_s);
	cur = atomic_load(&s->u.gs.free_minutes);
	if (PW_W_STATE(w) != PW_GS_EXHAUSTED || due <= PW_W_HI(w) + 1)
		return (cur);
	want = due - PW_W_HI(w) - 1;
	while (cur < want)
		if (atomic_compare_exchange_weak(&s->u.gs.free_minutes, &cur,
		    want)) {
			pw_count(st, PW_C_GRACE_MINUTES, want - cur);
			return (want);
		}
	return (cur);
}

/*
 * Hold the minutes started by now_ms and not yet billed; returns how
 * many could be paid for (a cafe out of G-coin pays for fewer).
 */
static uint32_t
end_hold(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t w, uint64_t now_ms)
{
	uint32_t due, billed, n;

	if (cfg == NULL)
		return (0);
	if (PW_W_STATE(w) == PW_GS_EXHAUSTED) {
		/* The grace's minutes up to the end are free too. */
		(void)pw_gs_grace(st, s, w, now_ms, cfg->billing_unit);
		return (0);
	}
	due = pw_gs_owed(s, now_ms, cfg->billing_unit);
	billed = PW_W_HI(w);
	for (n = 0; billed + n < due; n++)
		if (s->u.gs.cafe != 0 && pw_wallet_hold(st, s->u.gs.cafe, cfg,
		    s->u.gs.price) == -1)
			break;
	return (n);
}

static void
end_unhold(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint32_t n)
{
	if (n > 0 && s->u.gs.cafe != 0)
		pw_wallet_unhold(st, s->u.gs.cafe, cfg,
		    (int64_t)n * s->u.gs.price);
}

/*
 * End with the minutes due at the end's own instant, whatever the reaper
 * has billed so far: the word's state, reason and billed count change in
 * one CAS.  A CAS lost to the reaper billing a minute that started after
 * *now_ms moves the instant to the retry's, so that the minutes and the
 * end's time always agree.  Returns PW_TOUCH_OK, _ALREADY (*wp its word)
 * or _NOT_FOUND.
 */
static enum pw_touch
gs_end_at(struct pw_store *st, const struct pw_config *cfg, struct pw_slot *s,
    unsigned reason, uint64_t *now_ms, uint64_t *wp)
{
	uint64_t w, nw, t;
	uint32_t n;

	w = pw_slot_word(s);
	for (;;) {
		if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != PW_T_GS)
			return (PW_TOUCH_NOT_FOUND);
		if (PW_W_STATE(w) == PW_GS_ENDED) {
			if (wp != NULL)
				*wp = w;
			return (PW_TOUCH_ALREADY);
		}
		n = end_hold(st, cfg, s, w, *now_ms);
		nw = PW_W_WITH(w, PW_GS_ENDED, reason, PW_W_HI(w) + n);
		if (pw_slot_cas(s, &w, nw))
			break;
		end_unhold(st, cfg, s, n);
		if ((t = pw_store_now(st)) > *now_ms)
			*now_ms = t;
	}
	pw_gs_set_end(s, *now_ms);
	pw_store_poke(st);	/* its END is owed to the log now */
	if (wp != NULL)
		*wp = nw;
	return (PW_TOUCH_OK);
}

int
pw_gs_end_slot(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, unsigned reason, uint64_t now_ms)
{
	return (gs_end_at(st, cfg, s, reason, &now_ms, NULL) == PW_TOUCH_OK);
}

/*
 * A session's id is keyed to the OTT it consumed (with the store's own
 * secret, so the id tells nothing of the OTT): the log's START then names
 * the OTT too, and start-up reconciliation keeps it consumed (ledger.c).
 */
void
pw_gs_key_of_ott(const struct pw_store *st, const uint8_t ott[PW_KEY_LEN],
    uint8_t key[PW_KEY_LEN])
{
	uint8_t in[sizeof(st->hdr->secret) + PW_KEY_LEN];

	memcpy(in, st->hdr->secret, sizeof(st->hdr->secret));
	memcpy(in + sizeof(st->hdr->secret), ott, PW_KEY_LEN);
	pw_key_derive(key, "gs", in, sizeof(in));
	key[6] = (key[6] & 0x0f) | 0x40;	/* reads as a v4 UUID */
	key[8] = (key[8] & 0x3f) | 0x80;
	pw_uuid_set_shard(key, st->hdr->shard);	/* routed as its OTT */
}

static struct pw_slot *
gs_create(struct pw_store *st, uint32_t cafe, const struct pw_game *g,
    const uint8_t uid[PW_UID_LEN], const uint8_t ott[PW_KEY_LEN],
    uint8_t key[PW_KEY_LEN])
{
	struct pw_slot *s;
	uint64_t now;

	pw_gs_key_of_ott(st, ott, key);
	if ((s = pw_store_claim(st, key, PW_T_GS)) == NULL)
		return (NULL);
	now = pw_store_now(st);
	s->u.gs.game = g->hash;
	s->u.gs.cafe = cafe;
	s->u.gs.start_ms = now;
	s->u.gs.start_wall_ms = pw_now_ms();
	atomic_store(&s->u.gs.last_seen_ms, now);
	s->u.gs.price = cafe != 0 ? (uint32_t)g->price : 0;
	memcpy(s->u.gs.uid, uid, PW_UID_LEN);
	/* The first minute is owed from the start. */
	pw_store_publish(s, PW_GS_LIVE, 1);
	return (s);
}

void
pw_verify_rid_tag(const struct pw_store *st, const char *rid,
    uint8_t tag[PW_KEY_LEN])
{
	pw_key_derive_keyed(st, "verify-rid", rid, strlen(rid), tag);
}

/* A retry answered from the consumed OTT: nothing changes. */
static enum pw_verify
repeated(const struct pw_store *st, enum pw_verify v,
    const uint8_t ott[PW_KEY_LEN], uint8_t key[PW_KEY_LEN], int *is_cafe)
{
	if (v != PW_V_REPEATED && v != PW_V_REPEATED_CAFE)
		return (v);
	pw_gs_key_of_ott(st, ott, key);
	*is_cafe = v == PW_V_REPEATED_CAFE;
	return (PW_V_OK);
}

enum pw_verify
pw_gs_verify(struct pw_store *st, const struct pw_config *cfg,
    const uint8_t ott[PW_KEY_LEN], const struct pw_game *g,
    const struct pw_verify_req *q, uint8_t key[PW_KEY_LEN], int *is_cafe)
{
	const uint8_t *uid = q->uid;
	struct pw_slot *o, *s, *old;
	enum pw_verify v;
	uint32_t cafe;

	if ((v = pw_ott_consume(st, cfg, ott, g->hash, q, &o)) != PW_V_OK) {
		if (v != PW_V_REPEATED && v != PW_V_REPEATED_CAFE)
			pw_count(st, PW_C_OTT_REJECTED, 1);
		return (repeated(st, v, ott, key, is_cafe));
	}
	cafe = o->u.ott.cafe;
	if (cafe != 0 && pw_config_cafe_by_hash(cfg, cafe) == NULL)
		cafe = 0;	/* the cafe left the config: bill nobody */
	if (cafe != 0 && pw_wallet_hold(st, cafe, cfg, g->price) == -1) {
		pw_ott_outcome(o, PW_OTT_OUT_NOT_CHARGEABLE, 1);
		pw_ott_release(st, o);
		return (PW_V_NOT_CHARGEABLE);
	}
	if ((s = gs_create(st, cafe, g, uid, ott, key)) == NULL) {
		if (cafe != 0)
			pw_wallet_unhold(st, cafe, cfg, g->price);
		pw_ott_unconsume(o);
		return (PW_V_FULL);
	}
	pw_ott_outcome(o, PW_OTT_OUT_VALID, cafe != 0);
	pw_ott_release(st, o);
	pw_count(st, PW_C_OTT_CONSUMED, 1);
	pw_count(st, PW_C_GS_STARTED, 1);
	if (memcmp(o->u.ott.pc, nokey, PW_KEY_LEN) != 0 &&
	    pw_pc_bind(st, o->u.ott.pc, s, &old) == 0 && old != NULL)
		(void)pw_gs_end_slot(st, cfg, old, PW_R_REPLACED,
		    pw_store_now(st));
	*is_cafe = cafe != 0;
	return (PW_V_OK);
}

void
pw_gs_info(const struct pw_slot *s, uint64_t w, uint64_t now_ms,
    struct pw_gs_info *info)
{
	uint64_t end, start;

	memset(info, 0, sizeof(*info));
	end = now_ms;
	if (PW_W_STATE(w) == PW_GS_ENDED) {
		info->reason = PW_W_REASON(w);
		if ((end = pw_gs_end_ms(s)) == 0)
			end = now_ms;
	}
	start = pw_gs_start_ms(s);
	/* The play duration: elapsed milliseconds / 1000, rounded down. */
	info->duration = end > start ? (uint32_t)((end - start) / 1000) : 0;
	info->is_cafe = s->u.gs.cafe != 0;
	info->billed = PW_W_HI(w);
	info->charged = (int64_t)info->billed * s->u.gs.price;
}

static struct pw_slot *
gs_lookup(struct pw_store *st, const uint8_t key[PW_KEY_LEN], uint32_t game,
    const uint8_t *uid, uint64_t *w, enum pw_touch *t)
{
	struct pw_slot *s;

	if ((s = pw_store_find(st, key, PW_T_GS, w)) == NULL) {
		*t = PW_TOUCH_NOT_FOUND;
		return (NULL);
	}
	/* Another game's or user's session is not yours to learn about. */
	if ((game != 0 && s->u.gs.game != game) ||
	    (uid != NULL && memcmp(s->u.gs.uid, uid, PW_UID_LEN) != 0)) {
		*t = PW_TOUCH_MISMATCH;
		return (NULL);
	}
	return (s);
}

enum pw_touch
pw_gs_touch(struct pw_store *st, const uint8_t key[PW_KEY_LEN], uint32_t game,
    const uint8_t *uid, struct pw_gs_info *info)
{
	struct pw_slot *s;
	enum pw_touch t;
	uint64_t w, now;

	if ((s = gs_lookup(st, key, game, uid, &w, &t)) == NULL)
		return (t);
	now = pw_store_now(st);
	pw_gs_info(s, w, now, info);
	if (PW_W_STATE(w) == PW_GS_ENDED)
		return (PW_W_REASON(w) == PW_R_REPLACED ? PW_TOUCH_REPLACED :
		    PW_TOUCH_ENDED);
	pw_atomic_max64(&s->u.gs.last_seen_ms, now);
	return (PW_W_STATE(w) == PW_GS_EXHAUSTED ? PW_TOUCH_EXHAUSTED : PW_TOUCH_OK);
}

enum pw_touch
pw_gs_end(struct pw_store *st, const struct pw_config *cfg,
    const uint8_t key[PW_KEY_LEN], uint32_t game, unsigned reason,
    struct pw_gs_info *info)
{
	struct pw_slot *s;
	enum pw_touch t;
	uint64_t w, now;

	if ((s = gs_lookup(st, key, game, NULL, &w, &t)) == NULL)
		return (t);
	now = pw_store_now(st);
	if ((t = gs_end_at(st, cfg, s, reason, &now, &w)) == PW_TOUCH_ALREADY)
		info->reason = PW_W_REASON(w);
	if (t != PW_TOUCH_OK)
		return (t);
	pw_gs_info(s, w, now, info);
	return (PW_TOUCH_OK);
}

/*
 * A game session silent for session-timeout ends EXPIRED; 1 if it did,
 * else *due gets its expiry (its minutes and grace are the reaper's).
 */
int
pw_gs_expire(struct pw_store *st, const struct pw_config *cfg,
    struct pw_slot *s, uint64_t w, uint64_t now_ms, uint64_t *due)
{
	uint64_t t;

	if (PW_W_STATE(w) == PW_GS_ENDED)
		return (0);
	t = atomic_load(&s->u.gs.last_seen_ms) +
	    (uint64_t)cfg->session_timeout * 1000;
	if (t <= now_ms && pw_gs_end_slot(st, cfg, s, PW_R_EXPIRED, now_ms))
		return (1);
	pw_due(due, t);
	return (0);
}
