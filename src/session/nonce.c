/*
 * The replay cache of launcher session starts: a PW_T_NONCE record per
 * accepted X-Nonce, in the shared store, so it holds across workers and
 * survives any worker's death.  A timestamp accepted now stays acceptable
 * for at most 2 x PW_LAUNCHER_SKEW, so that is how long a nonce is kept;
 * the reaper frees it after.
 *
 * Only starts write nonces, and only a start that passed its signature,
 * its key's network and its quota (launcher_start.c): the quotas bound
 * how many nonce records exist, so the cache can never fill the store.
 * Requests of a running session are guarded by the session's own replay
 * window and write nothing here.
 */
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_session.h"

#define KEEP_MS		((uint64_t)2 * PW_LAUNCHER_SKEW * 1000)

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

enum pw_nonce_result
pw_nonce_remember(struct pw_store *st, const char *nonce, uint64_t now_ms)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	nonce_key(key, nonce);
	switch (pw_store_claim_unique(st, key, PW_T_NONCE, &s)) {
	case PW_INS_NEW:
		break;
	case PW_INS_EXISTS:
		return (PW_NC_REPLAY);
	default:
		return (PW_NC_FULL);
	}
	s->u.nc.until_ms = now_ms + KEEP_MS;
	pw_store_publish(s, 0, 0);
	return (PW_NC_NEW);
}

/* The reaper's question: may this nonce record go? */
int
pw_nonce_expire(const struct pw_slot *s, uint64_t now_ms, uint64_t *due)
{
	pw_due(due, s->u.nc.until_ms + 1);
	return (s->u.nc.until_ms < now_ms);
}
