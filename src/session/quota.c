/*
 * Launcher start quotas and rates, each owned by someone: a cafe's state
 * is that cafe's alone, found by its id hash in the header's cafe table;
 * a home-key start counts against its source prefix (/24, /56), placed
 * in the prefix table by the store's keyed hash, and against one quota
 * over every home start.  Nothing a stranger sends touches a cafe's
 * entry, so no flood of home-key or other cafes' starts refuses a cafe's
 * start.  Requests of running sessions take no quota at all.
 *
 * Quotas are GCRA words on the store clock in ms (n per PW_QUOTA_WINDOW,
 * burst the whole window); rates on the monotonic clock in us (rate-limit
 * per second, burst one second).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include <sodium.h>

#include "pw.h"
#include "pw_gcra.h"
#include "pw_session.h"

#define WINDOW_MS	((uint64_t)PW_QUOTA_WINDOW * 1000)
#define RATE_BURST_US	1000000ull
#define PROBES		128

_Static_assert(PW_HOME_PREFIXES >= 2 * PW_HOME_TOTAL_MAX, "prefix table");
_Static_assert(PW_CAFE_SLOTS >= 2 * PW_MAX_CAFES, "cafe table");

static int
state_idle(_Atomic uint64_t *quota, _Atomic uint64_t *rate, uint64_t now_ms,
    uint64_t now_us)
{
	return (atomic_load(quota) <= now_ms && atomic_load(rate) <= now_us);
}

uint64_t
pw_prefix_key(const struct pw_store *st, const struct sockaddr *sa)
{
	uint8_t in[1 + 7], h[crypto_shorthash_BYTES];
	uint64_t k;

	memset(in, 0, sizeof(in));
	if (sa->sa_family == AF_INET6) {
		in[0] = 6;	/* a /56: the first seven bytes */
		memcpy(in + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    7);
	} else {
		in[0] = 4;	/* a /24 */
		memcpy(in + 1, &((const struct sockaddr_in *)sa)->sin_addr, 3);
	}
	(void)crypto_shorthash(h, in, sizeof(in), st->hdr->place_key);
	memcpy(&k, h, sizeof(k));
	return (k != 0 ? k : 1);
}

/*
 * The entry of a prefix: found, claimed free, or taken over from a
 * prefix whose quota and rate are both back to full (it has nothing left
 * to remember).  NULL when none is within reach: the table is full.
 */
static struct pw_prefix_state *
prefix_state(struct pw_store *st, uint64_t key, uint64_t now_ms,
    uint64_t now_us)
{
	struct pw_prefix_state *p;
	uint64_t k;
	unsigned i, n;

	for (n = 0, i = (unsigned)key; n < PROBES; n++, i++) {
		p = &st->hdr->prefixes[i % PW_HOME_PREFIXES];
		k = atomic_load(&p->key);
		if (k == key)
			return (p);
		if ((k == 0 || state_idle(&p->quota_tat, &p->rate_tat, now_ms,
		    now_us)) && atomic_compare_exchange_strong(&p->key, &k,
		    key))
			return (p);
		if (k == key)
			return (p);
	}
	return (NULL);
}

static uint64_t
to_s(uint64_t ms)
{
	return (ms / 1000 + 1);
}

/*
 * A start's quota (and its rate, with rate-limit on): 0, or -1 with
 * *retry_s and the counter of what refused it.  Units taken before a
 * refusal are given back: a refused start costs nothing.
 */
int
pw_quota_start(struct pw_store *st, const struct pw_config *cfg,
    const struct pw_cafe *cafe, uint64_t prefix, uint64_t now_ms,
    uint64_t *retry_s)
{
	struct pw_cafe_state *c;
	struct pw_prefix_state *p;
	uint64_t retry, qstep, tstep, rstep, now_us = pw_mono_us();

	rstep = cfg->rate_limit > 0 ? 1000000 / (uint64_t)cfg->rate_limit : 0;
	if (cafe != NULL) {
		if ((c = pw_cafe_state(st, cafe->hash)) == NULL) {
			pw_count(st, PW_C_LS_OVER_CAFE_QUOTA, 1);
			*retry_s = PW_QUOTA_WINDOW / 10;
			return (-1);
		}
		qstep = WINDOW_MS / (uint64_t)cafe->start_quota;
		if (!pw_gcra_take(&c->quota_tat, now_ms, qstep, WINDOW_MS,
		    &retry)) {
			pw_count(st, PW_C_LS_OVER_CAFE_QUOTA, 1);
			*retry_s = to_s(retry);
			return (-1);
		}
		if (rstep > 0 && !pw_gcra_take(&c->rate_tat, now_us, rstep,
		    RATE_BURST_US, &retry)) {
			pw_gcra_give_back(&c->quota_tat, qstep);
			*retry_s = to_s(retry / 1000);
			return (-1);
		}
		return (0);
	}
	if (cfg->home_start_quota == 0 || cfg->home_start_total == 0 ||
	    (p = prefix_state(st, prefix, now_ms, now_us)) == NULL)
		goto full;
	qstep = WINDOW_MS / (uint64_t)cfg->home_start_quota;
	tstep = WINDOW_MS / (uint64_t)cfg->home_start_total;
	if (!pw_gcra_take(&p->quota_tat, now_ms, qstep, WINDOW_MS, &retry))
		goto over;
	if (!pw_gcra_take(&st->hdr->home_total_tat, now_ms, tstep, WINDOW_MS,
	    &retry)) {
		pw_gcra_give_back(&p->quota_tat, qstep);
		goto over;
	}
	if (rstep > 0 && !pw_gcra_take(&p->rate_tat, now_us, rstep,
	    RATE_BURST_US, &retry)) {
		pw_gcra_give_back(&p->quota_tat, qstep);
		pw_gcra_give_back(&st->hdr->home_total_tat, tstep);
		*retry_s = to_s(retry / 1000);
		return (-1);
	}
	return (0);
full:
	retry = WINDOW_MS / 10;
over:
	pw_count(st, PW_C_LS_OVER_HOME_QUOTA, 1);
	*retry_s = to_s(retry);
	return (-1);
}

/* rate-limit of a running session's requests, in its own record. */
int
pw_quota_session_rate(struct pw_slot *ls, const struct pw_config *cfg,
    uint64_t *retry_s)
{
	uint64_t retry;

	if (cfg->rate_limit <= 0)
		return (0);
	if (pw_gcra_take(&ls->u.ls.rate_tat, pw_mono_us(),
	    1000000 / (uint64_t)cfg->rate_limit, RATE_BURST_US, &retry))
		return (0);
	*retry_s = to_s(retry / 1000);
	return (-1);
}
