/*
 * Whether this shard should take traffic: the conditions of
 * include/tbl/readiness.h, read from the header alone (a few atomic loads,
 * no scan), so a balancer may ask as often as it likes.  Every duration is
 * on the store clock: a step of the wall clock neither hides a stalled
 * reaper nor fakes one.
 */
#include <stdint.h>

#include "pw_store.h"

static const char *const names[PW_NR_COUNT] = {
#define PW_UNREADY(sym, name, meaning)	[PW_NR_##sym] = (name),
#include "tbl/readiness.h"
#undef PW_UNREADY
};

static const char *const meanings[PW_NR_COUNT] = {
#define PW_UNREADY(sym, name, meaning)	[PW_NR_##sym] = (meaning),
#include "tbl/readiness.h"
#undef PW_UNREADY
};

const char *
pw_unready_name(unsigned c)
{
	return (c < PW_NR_COUNT ? names[c] : "unknown");
}

const char *
pw_unready_meaning(unsigned c)
{
	return (c < PW_NR_COUNT ? meanings[c] : "unknown");
}

/*
 * Slots in use as of the reaper's last pass: every live record and every
 * claim not yet published.  Tombstones are not counted: an insert reuses
 * them.
 */
static uint64_t
slots_used(const struct pw_store_hdr *hd)
{
	uint64_t n;
	unsigned t;

	n = atomic_load_explicit(&hd->gauge[PW_G_BUSY], memory_order_relaxed);
	for (t = 1; t < PW_T_MAX; t++)
		n += atomic_load_explicit(&hd->gauge[PW_G_LIVE + t],
		    memory_order_relaxed);
	return (n);
}

unsigned
pw_store_unready(const struct pw_store *st)
{
	const struct pw_store_hdr *hd = st->hdr;
	uint64_t last, now;
	unsigned bad = 0;

	if ((atomic_load(&hd->ready) & PW_READY_RECONCILED) == 0)
		bad |= 1u << PW_NR_RECONCILE;
	last = atomic_load(&hd->clock.last_ms);
	now = pw_store_now(st);
	if (last == 0 || now > last + PW_READY_REAPER_MS)
		bad |= 1u << PW_NR_REAPER;
	if (atomic_load(&hd->ledger.write_errno) != 0)
		bad |= 1u << PW_NR_LOG_ERROR;
	if (atomic_load(&hd->log_pending) >= PW_READY_BACKLOG)
		bad |= 1u << PW_NR_BACKLOG;
	if (slots_used(hd) * 100 >= (st->mask + 1) * PW_READY_FULL_PCT)
		bad |= 1u << PW_NR_STORE_FULL;
	return (bad);
}
