/*
 * The per-endpoint latency histogram, counted by the process that served
 * the request into its own cell (no cache line shared with another
 * process).  A request is added to the one row whose bound it fits
 * (include/tbl/latency_buckets.h), to the INF row that counts them all,
 * and to the sum: /metrics cumulates the rows into Prometheus's le
 * buckets, so a request costs three adds, not one per bucket.
 */
#include <stdint.h>

#include "pw_store.h"

static const uint64_t bounds[PW_LAT_COUNT] = {
#define PW_LATENCY(sym, us, le)	(us),
#include "tbl/latency_buckets.h"
#undef PW_LATENCY
};

void
pw_latency_observe(struct pw_store *st, unsigned ep, uint64_t us)
{
	struct pw_cell *c = st->cell;
	unsigned b;

	if (c == NULL || ep >= PW_EP_COUNT)
		return;
	for (b = 0; b < PW_LAT_INF && us > bounds[b]; b++)
		;
	if (b < PW_LAT_INF)
		atomic_fetch_add_explicit(&c->lat[ep][b], 1,
		    memory_order_relaxed);
	atomic_fetch_add_explicit(&c->lat[ep][PW_LAT_INF], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&c->lat_sum_us[ep], us,
	    memory_order_relaxed);
}
