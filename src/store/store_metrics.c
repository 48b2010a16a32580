/*
 * Counters and gauges from the store header, summed over the per-process
 * cells at read time, in Prometheus text format 0.0.4.  Every name and
 * help text comes from include/tbl/.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_buf.h"
#include "pw_metrics.h"
#include "pw_config.h"
#include "pw_names.h"

static void
head(struct pw_buf *o, const char *name, const char *type, const char *help)
{
	pw_buf_add(o, "# HELP playwaved_%s %s\n# TYPE playwaved_%s %s\n",
	    name, help, name, type);
}

static void
scalar(struct pw_buf *o, const char *name, const char *type,
    unsigned long long v, const char *help)
{
	const char *sfx = strcmp(type, "counter") == 0 ? "_total" : "";

	pw_buf_add(o, "# HELP playwaved_%s%s %s\n# TYPE playwaved_%s%s %s\n"
	    "playwaved_%s%s %llu\n", name, sfx, help, name, sfx, type, name,
	    sfx, v);
}

static unsigned long long
sum(const struct pw_store *st, enum pw_counter c)
{
	return ((unsigned long long)pw_counter_sum(st, c));
}

static void
vectors(struct pw_buf *o, const struct pw_store *st)
{
	unsigned i;

	head(o, "requests_total", "counter", "Replies sent, by status class.");
#define PW_CLASS(sym, name)						\
	pw_buf_add(o, "playwaved_requests_total{class=\"%s\"} %llu\n",	\
	    name, sum(st, PW_C_REQ_##sym));
#include "tbl/status_classes.h"
#undef PW_CLASS
	head(o, "endpoint_requests_total", "counter",
	    "Requests routed to each endpoint.");
	for (i = 0; i < pw_endpoint_count(); i++)
		pw_buf_add(o, "playwaved_endpoint_requests_total{endpoint="
		    "\"%s\"} %llu\n", pw_endpoint_name(i), sum(st,
		    (enum pw_counter)(PW_C_EP_VERIFY + i)));
	head(o, "game_sessions_ended_total", "counter",
	    "Game sessions ended (END logged), by reason.");
	for (i = 1; i < PW_R_MAX; i++)
		pw_buf_add(o, "playwaved_game_sessions_ended_total{reason="
		    "\"%s\"} %llu\n", pw_reason_name(i), sum(st,
		    (enum pw_counter)(PW_C_GS_ENDED + i)));
}

/* What the last start-up reconciliation changed (reconcile.c). */
static void
reconcile(struct pw_buf *o, const struct pw_store *st)
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

	head(o, "reconcile_changes", "gauge", "What the last start-up "
	    "reconciliation changed for the store to agree with the log.");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		pw_buf_add(o, "playwaved_reconcile_changes{what=\"%s\"} %llu\n",
		    f[i].what, (unsigned long long)f[i].v);
	scalar(o, "reconcile_log_events", "gauge", n->to_seq - n->from_seq,
	    "Billing events the last start-up reconciliation read.");
	scalar(o, "reconcile_microseconds", "gauge", n->us,
	    "Duration of the last start-up reconciliation.");
	scalar(o, "store_checkpoint_seq", "gauge", st->hdr->ckpt_seq,
	    "Billing seq every page of the store on disk reflects.");
}

static void
store_gauges(struct pw_buf *o, const struct pw_store *st)
{
	const struct pw_store_hdr *h = st->hdr;
	unsigned i;

	scalar(o, "store_slots", "gauge", st->mask + 1, "Slots in the store.");
	head(o, "store_slots_used", "gauge",
	    "Live slots by record type, as of the last reaper pass.");
	for (i = 1; i < PW_T_MAX; i++)
		pw_buf_add(o, "playwaved_store_slots_used{type=\"%s\"} %llu\n",
		    pw_type_name(i), (unsigned long long)h->gauge[PW_G_LIVE + i]);
#define PW_GAUGE(sym, name, help)					\
	scalar(o, name, "gauge", h->gauge[PW_G_##sym], help);
#include "tbl/gauges.h"
#undef PW_GAUGE
	scalar(o, "store_max_probe", "gauge", h->max_probe,
	    "Longest probe run any insert needed.");
	scalar(o, "billing_pending_events", "gauge", h->log_pending,
	    "Events waiting because the billing log cannot be written.");
	scalar(o, "billing_unsynced_events", "gauge",
	    h->logged_seq > h->durable_seq ? h->logged_seq - h->durable_seq :
	    0, "Events the store counts as logged that are not yet fsync'ed "
	    "(0: it counts them only once they are).");
	scalar(o, "billing_last_seq", "gauge", h->logged_seq,
	    "Sequence number of the last event logged and counted in the "
	    "store.");
}

/*
 * Per cafe, from the header's cafe table: starts signed with the home
 * key, which only a cafe without a launcher-key (a rollout) accepts.
 */
static void
cafes(struct pw_buf *o, struct pw_store *st, const struct pw_config *cfg)
{
	struct pw_cafe_state *c;
	int i;

	if (cfg == NULL || cfg->ncafes == 0)
		return;
	head(o, "cafe_home_key_starts_total", "counter", "Launcher sessions "
	    "started at a cafe with the home key (a cafe without a "
	    "launcher-key).");
	for (i = 0; i < cfg->ncafes; i++) {
		c = pw_cafe_state(st, cfg->cafes[i].hash);
		pw_buf_add(o, "playwaved_cafe_home_key_starts_total{cafe=\"%s\"} "
		    "%llu\n", cfg->cafes[i].id, c == NULL ? 0ULL :
		    (unsigned long long)atomic_load(&c->home_key_starts));
	}
}

size_t
pw_metrics_render(struct pw_store *st, const struct pw_config *cfg,
    char *buf, size_t n)
{
	struct pw_buf o;
	uint64_t started;

	pw_buf_init(&o, buf, n);
	vectors(&o, st);
	cafes(&o, st, cfg);
#define PW_COUNTER(sym, name, kind, help)				\
	scalar(&o, name, #kind, sum(st, PW_C_##sym), help);
#include "tbl/counters.h"
#undef PW_COUNTER
	store_gauges(&o, st);
	reconcile(&o, st);
	started = st->hdr->master_started_ms;
	scalar(&o, "uptime_seconds", "gauge", started ?
	    (pw_now_ms() - started) / 1000 : 0,
	    "Seconds since the master started.");
	return (o.len);
}
