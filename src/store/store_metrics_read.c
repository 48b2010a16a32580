/*
 * The exported values, as include/tbl/metrics.h lists them, read from
 * the store header without locks: counters summed over the per-process
 * cells, gauges as the reaper last set them, the header's own fields.
 * Renderers (/metrics, playwavectl status and top) only format.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_config.h"
#include "pw_metrics.h"
#include "pw_names.h"

#define CELL(c, d)	PW_MS_CELL, PW_C_##c, (d)
#define GAUGE(g)	PW_MS_GAUGE, PW_G_##g, 1
#define HDR(h, d)	PW_MS_HDR, PW_H_##h, (d)
#define VEC(v)		PW_MS_VEC, PW_V_##v, 1

const struct pw_metric pw_metrics[] = {
#define PW_METRIC(name, type, src, help)	{ name, PW_MT_##type, src, help },
#include "tbl/metrics.h"
#undef PW_METRIC
};
const size_t pw_nmetrics = sizeof(pw_metrics) / sizeof(pw_metrics[0]);

static const char *const lat_le[PW_LAT_COUNT] = {
#define PW_LATENCY(sym, us, le)	le,
#include "tbl/latency_buckets.h"
#undef PW_LATENCY
};

const char *
pw_metric_fmt(uint64_t v, uint32_t div, char out[32])
{
	char frac[16];
	uint64_t r;
	uint32_t d;
	int i;

	snprintf(out, 32, "%llu", (unsigned long long)(div > 1 ? v / div : v));
	if (div <= 1)
		return (out);
	/* The remainder, one decimal digit per power of ten in div. */
	for (i = 0, r = v % div, d = div; d > 1 && i < 15; d /= 10)
		frac[i++] = '0';
	frac[i] = '\0';
	while (r > 0 && i > 0) {
		frac[--i] = (char)('0' + r % 10);
		r /= 10;
	}
	(void)strlcat(out, ".", 32);
	(void)strlcat(out, frac, 32);
	return (out);
}

static void
one(const struct pw_metric *m, pw_memit emit, void *arg, const char *lname,
    const char *lval, uint64_t v)
{
	struct pw_mval x = { lname, lval, "", NULL, v, m->div };

	emit(arg, m, &x);
}

static uint64_t
hdr_value(const struct pw_store *st, enum pw_mhdr h)
{
	struct pw_store_hdr *hd = st->hdr;
	uint64_t a, b;

	switch (h) {
	case PW_H_START_TIME:
		return (atomic_load(&hd->master_started_ms));
	case PW_H_RECONCILED:
		return ((atomic_load(&hd->ready) & PW_READY_RECONCILED) != 0);
	case PW_H_RELOAD_OK:
		return (atomic_load(&hd->reload.status) != PW_RELOAD_FAILED);
	case PW_H_RELOAD_OK_TIME:
		a = atomic_load(&hd->reload.ok_ms);
		return (a != 0 ? a : atomic_load(&hd->master_started_ms));
	case PW_H_RELOADS:
		return (atomic_load(&hd->reload.count));
	case PW_H_LOG_PENDING:
		return (atomic_load(&hd->log_pending));
	case PW_H_LOG_UNSYNCED:
		a = atomic_load(&hd->logged_seq);
		b = atomic_load(&hd->durable_seq);
		return (a > b ? a - b : 0);
	case PW_H_LAST_SEQ:
		return (atomic_load(&hd->logged_seq));
	case PW_H_REAPER_SEEN:
		return (atomic_load(&hd->reaper_seen_ms));
	case PW_H_SLOTS:
		return (st->mask + 1);
	case PW_H_MAX_PROBE:
		return (atomic_load(&hd->max_probe));
	case PW_H_CKPT_SEQ:
		return (atomic_load(&hd->ckpt_seq));
	case PW_H_RECON_EVENTS:
		return (hd->recon.to_seq - hd->recon.from_seq);
	case PW_H_RECON_US:
		return (hd->recon.us);
	}
	return (0);
}

/* Rows cumulated into le buckets, summed over every process's cell. */
static void
latency(const struct pw_store *st, const struct pw_metric *m, pw_memit emit,
    void *arg)
{
	struct pw_mval x;
	uint64_t cum, sum, row;
	unsigned ep, b;
	int i;

	for (ep = 0; ep < pw_endpoint_count(); ep++) {
		memset(&x, 0, sizeof(x));
		x.lname = "endpoint";
		x.lval = pw_endpoint_name(ep);
		x.div = 1;
		for (cum = 0, b = 0; b < PW_LAT_COUNT; b++) {
			for (row = 0, i = 0; i < PW_NCELLS; i++)
				row += atomic_load_explicit(
				    &st->hdr->cells[i].lat[ep][b],
				    memory_order_relaxed);
			/* The INF row already counts every request. */
			cum = b == PW_LAT_INF ? (row > cum ? row : cum) :
			    cum + row;
			x.suffix = "_bucket";
			x.le = lat_le[b];
			x.v = cum;
			emit(arg, m, &x);
		}
		for (sum = 0, i = 0; i < PW_NCELLS; i++)
			sum += atomic_load_explicit(
			    &st->hdr->cells[i].lat_sum_us[ep],
			    memory_order_relaxed);
		x.le = NULL;
		x.suffix = "_sum";
		x.v = sum;
		x.div = 1000000;
		emit(arg, m, &x);
		x.suffix = "_count";
		x.v = cum;
		x.div = 1;
		emit(arg, m, &x);
	}
}

/* What the last start-up reconciliation changed (reconcile.c). */
static void
recon(const struct pw_store *st, const struct pw_metric *m, pw_memit emit,
    void *arg)
{
	const struct pw_recon *n = &st->hdr->recon;
	const struct {
		const char	*what;
		uint64_t	 v;
	} f[] = {
		{ "ended", n->ended }, { "minutes", n->minutes },
		{ "marks", n->marks }, { "wallets", n->wallets },
		{ "otts", n->otts }, { "credits", n->credits },
		{ "lost", n->lost }, { "holes", n->mended }
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		one(m, emit, arg, "what", f[i].what, f[i].v);
}

/*
 * A cafe's state, looked up only: pw_cafe_state() claims an entry for a
 * cafe it does not find, which a reader (playwavectl maps the store
 * read-only) must never do.
 */
static const struct pw_cafe_state *
cafe_find(const struct pw_store *st, uint32_t hash)
{
	const struct pw_cafe_state *c;
	uint32_t h;
	unsigned i, n;

	for (n = 0, i = hash; n < PW_CAFE_SLOTS; n++, i++) {
		c = &st->hdr->cafes[i % PW_CAFE_SLOTS];
		if ((h = atomic_load(&((struct pw_cafe_state *)c)->hash)) ==
		    hash)
			return (c);
		if (h == 0)
			break;
	}
	return (NULL);
}

/* Starts signed with the home key at each cafe (a rollout's). */
static void
cafe_home(struct pw_store *st, const struct pw_config *cfg,
    const struct pw_metric *m, pw_memit emit, void *arg)
{
	const struct pw_cafe_state *c;
	int i;

	for (i = 0; cfg != NULL && i < cfg->ncafes; i++) {
		c = cafe_find(st, cfg->cafes[i].hash);
		one(m, emit, arg, "cafe", cfg->cafes[i].id, c == NULL ? 0 :
		    atomic_load(&((struct pw_cafe_state *)c)->home_key_starts));
	}
}

static void
vec(struct pw_store *st, const struct pw_config *cfg,
    const struct pw_metric *m, pw_memit emit, void *arg)
{
	unsigned i;

	switch ((enum pw_mvec)m->arg) {
	case PW_V_BUILD:
		one(m, emit, arg, "version", PW_VERSION, 1);
		break;
	case PW_V_CLASS:
#define PW_CLASS(sym, name)						\
		one(m, emit, arg, "class", name, pw_counter_sum(st,	\
		    PW_C_REQ_##sym));
#include "tbl/status_classes.h"
#undef PW_CLASS
		break;
	case PW_V_ENDPOINT:
		for (i = 0; i < pw_endpoint_count(); i++)
			one(m, emit, arg, "endpoint", pw_endpoint_name(i),
			    pw_counter_sum(st, (enum pw_counter)(PW_C_EP_VERIFY +
			    i)));
		break;
	case PW_V_LATENCY:
		latency(st, m, emit, arg);
		break;
	case PW_V_ENDED:
		for (i = 1; i < PW_R_MAX; i++)
			one(m, emit, arg, "reason", pw_reason_name(i),
			    pw_counter_sum(st, (enum pw_counter)(PW_C_GS_ENDED +
			    i)));
		break;
	case PW_V_CAFE_HOME:
		cafe_home(st, cfg, m, emit, arg);
		break;
	case PW_V_SLOTS_USED:
		for (i = 1; i < PW_T_MAX; i++)
			one(m, emit, arg, "type", pw_type_name(i),
			    atomic_load(&st->hdr->gauge[PW_G_LIVE + i]));
		break;
	case PW_V_RECON:
		recon(st, m, emit, arg);
		break;
	}
}

void
pw_metric_read(struct pw_store *st, const struct pw_config *cfg,
    const struct pw_metric *m, pw_memit emit, void *arg)
{
	switch (m->src) {
	case PW_MS_CELL:
		one(m, emit, arg, NULL, NULL,
		    pw_counter_sum(st, (enum pw_counter)m->arg));
		break;
	case PW_MS_GAUGE:
		one(m, emit, arg, NULL, NULL,
		    atomic_load(&st->hdr->gauge[m->arg]));
		break;
	case PW_MS_HDR:
		one(m, emit, arg, NULL, NULL, hdr_value(st,
		    (enum pw_mhdr)m->arg));
		break;
	case PW_MS_VEC:
		vec(st, cfg, m, emit, arg);
		break;
	}
}
