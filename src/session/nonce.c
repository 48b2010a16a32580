/*
 * The replay cache of signed launcher requests: a PW_T_NONCE
 * record per accepted X-Nonce, in the shared store, so it holds across
 * workers and survives any worker's death.  A timestamp accepted now
 * stays acceptable for at most 2 x PW_LAUNCHER_SKEW, so that is how long
 * a nonce is kept; the reaper frees it after.
 *
 * Only a request whose signature is right gets this far, but every
 * launcher holds the secret, so the cache must not become a way to fill
 * the store.  Inserts are metered by two GCRA quotas over the keep
 * window, one per cafe (or source address) bucket and one over all:
 * a bucket admits at most slots/64 nonces per window plus the same again
 * as burst, everything together at most slots/8 plus burst, so nonce
 * records never hold more than a quarter of the store (plus what the
 * reaper has not freed yet, about a second's worth), and one source
 * never more than a thirty-second.  A refused insert is a 429; a replay
 * never inserts anything.  The quota words are clocked in wall ms and
 * reset when they lie impossibly far ahead (a clock set back, a reboot).
 */
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_session.h"

#define KEEP_S		(2 * PW_LAUNCHER_SKEW)
#define KEEP_MS		((uint64_t)KEEP_S * 1000)

static void
nonce_key(uint8_t key[PW_KEY_LEN], const char *nonce)
{
	pw_key_derive(key, "nonce", nonce, strlen(nonce));
}

int
pw_nonce_seen(struct pw_store *st, const char *nonce)
{
	uint8_t key[PW_KEY_LEN];

	nonce_key(key, nonce);
	return (pw_store_find(st, key, PW_T_NONCE, NULL) != NULL);
}

uint64_t
pw_nonce_quota(const struct pw_store *st, int global)
{
	uint64_t n = st->mask + 1;

	return (global ? (n / 8 > 64 ? n / 8 : 64) :
	    (n / 64 > 16 ? n / 64 : 16));
}

/* Take one unit of a GCRA word; 0 and *retry_ms when none is left. */
static int
take(_Atomic uint64_t *tat, uint64_t quota, uint64_t now, uint64_t *retry)
{
	uint64_t t, nt, step = KEEP_MS / quota;

	t = atomic_load(tat);
	do {
		if (t > now + KEEP_MS + step)
			t = now;
		nt = (t > now ? t : now) + step;
		if (nt > now + KEEP_MS) {
			*retry = nt - now - KEEP_MS;
			return (0);
		}
	} while (!atomic_compare_exchange_weak(tat, &t, nt));
	return (1);
}

/* Units a refused insert took are given back: they bought nothing. */
static void
quota_give_back(struct pw_store *st, uint32_t source, int global)
{
	atomic_fetch_sub(&st->hdr->nonce_tat[source % PW_RATE_BUCKETS],
	    KEEP_MS / pw_nonce_quota(st, 0));
	if (global)
		atomic_fetch_sub(&st->hdr->nonce_tat[PW_RATE_BUCKETS],
		    KEEP_MS / pw_nonce_quota(st, 1));
}

static int
quota_take(struct pw_store *st, uint32_t source, uint64_t now_ms,
    uint64_t *retry_s)
{
	uint64_t ms;

	if (!take(&st->hdr->nonce_tat[source % PW_RATE_BUCKETS],
	    pw_nonce_quota(st, 0), now_ms, &ms)) {
		*retry_s = ms / 1000 + 1;
		return (0);
	}
	if (!take(&st->hdr->nonce_tat[PW_RATE_BUCKETS], pw_nonce_quota(st, 1),
	    now_ms, &ms)) {
		quota_give_back(st, source, 0);
		*retry_s = ms / 1000 + 1;
		return (0);
	}
	return (1);
}

enum pw_nonce_result
pw_nonce_remember(struct pw_store *st, const char *nonce, uint32_t source,
    uint64_t now_ms, uint64_t *retry_s)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	nonce_key(key, nonce);
	if (pw_store_find(st, key, PW_T_NONCE, NULL) != NULL)
		return (PW_NC_REPLAY);
	if (!quota_take(st, source, now_ms, retry_s))
		return (PW_NC_QUOTA);
	switch (pw_store_claim_unique(st, key, PW_T_NONCE, &s)) {
	case PW_INS_NEW:
		break;
	case PW_INS_EXISTS:
		quota_give_back(st, source, 1);
		return (PW_NC_REPLAY);
	default:
		quota_give_back(st, source, 1);
		return (PW_NC_FULL);
	}
	s->u.nc.until = now_ms / 1000 + KEEP_S;
	s->u.nc.source = source;
	pw_store_publish(s, 0, 0);
	return (PW_NC_NEW);
}

/* The reaper's question: may this nonce record go? */
int
pw_nonce_expire(const struct pw_slot *s, uint32_t now)
{
	return (s->u.nc.until < (uint64_t)now);
}
