/*
 * rate-limit of the game API and of authenticate: GCRA over one shared
 * word per API key (by game and key index) and per game, each exact.
 * Lock-free across workers; a whole second of requests may come as a
 * burst.  The launcher API's rates live with its quotas (quota.c).
 */
#include <sys/types.h>

#include "pw.h"
#include "pw_gcra.h"
#include "http.h"

#define BURST_US	1000000

_Static_assert(PW_API_KEY_SLOTS >= PW_MAX_GAMES * PW_MAX_KEYS, "api rates");
_Static_assert(PW_GAME_SLOTS >= PW_MAX_GAMES, "game rates");

int
http_rate_take(struct pw_req *r, _Atomic uint64_t *tat, uint64_t *retry_s)
{
	uint64_t retry;
	int64_t rate = r->w->cfg->rate_limit;

	if (rate <= 0)
		return (1);
	if (pw_gcra_take(tat, pw_mono_us(), 1000000 / (uint64_t)rate, BURST_US,
	    &retry))
		return (1);
	*retry_s = (retry + 999999) / 1000000;
	if (*retry_s == 0)
		*retry_s = 1;
	return (0);
}

_Atomic uint64_t *
http_rate_api_key(struct pw_req *r)
{
	return (&r->w->st->hdr->api_tat[(r->game - r->w->cfg->games) *
	    PW_MAX_KEYS + r->key_index]);
}

_Atomic uint64_t *
http_rate_game(struct pw_req *r, const struct pw_game *g)
{
	return (&r->w->st->hdr->auth_tat[g - r->w->cfg->games]);
}
