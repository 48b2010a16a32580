/*
 * rate-limit: GCRA over one shared word per bucket, the
 * theoretical arrival time of the next request.  Lock-free across
 * workers, and a whole second of requests may come as a burst.  Buckets:
 * per API key (game API), per cafe or source address (launcher API) and
 * per game (authenticate).
 */
#include <sys/types.h>

#include <event2/http.h>

#include <stdio.h>

#include "pw.h"
#include "http.h"

#define BURST_US	1000000

/* The launcher's buckets are the first 192 edge words, games the rest. */
#define EDGE_LAUNCHER	(PW_RATE_BUCKETS - PW_MAX_GAMES)
_Static_assert(PW_RATE_BUCKETS > 2 * PW_MAX_GAMES, "edge buckets");

int
http_rate_take(struct pw_req *r, _Atomic uint64_t *tat, uint64_t *retry_s)
{
	uint64_t now, t, nt, step;
	int64_t rate = r->w->cfg->rate_limit;

	if (rate <= 0)
		return (1);
	step = 1000000 / (uint64_t)rate;
	now = pw_mono_us();
	t = atomic_load(tat);
	do {
		/* Ahead of any possible burst: a clock from before a reboot. */
		if (t > now + BURST_US + step)
			t = now;
		nt = (t > now ? t : now) + step;
		if (nt > now + BURST_US) {
			*retry_s = (nt - now - BURST_US + 999999) / 1000000;
			if (*retry_s == 0)
				*retry_s = 1;
			return (0);
		}
	} while (!atomic_compare_exchange_weak(tat, &t, nt));
	return (1);
}

_Atomic uint64_t *
http_rate_launcher(struct pw_req *r)
{
	return (&r->w->st->hdr->edge_tat[r->origin % EDGE_LAUNCHER]);
}

_Atomic uint64_t *
http_rate_game(struct pw_req *r, const struct pw_game *g)
{
	return (&r->w->st->hdr->edge_tat[EDGE_LAUNCHER +
	    (g - r->w->cfg->games) % PW_MAX_GAMES]);
}

void
http_retry_after(struct pw_req *r, uint64_t secs)
{
	char v[24];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)secs);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Retry-After", v);
}
