/*
 * Counters and gauges from the store header, summed over the per-process
 * cells at read time, in Prometheus text format 0.0.4.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_metrics.h"

struct out {
	char	*buf;
	size_t	 n, len;
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int m;

	if (o->len >= o->n)
		return;
	va_start(ap, fmt);
	m = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (m > 0)
		o->len += (size_t)m < o->n - o->len ? (size_t)m :
		    o->n - o->len - 1;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP playwaved_%s %s\n# TYPE playwaved_%s %s\n", name, help,
	    name, type);
}

static void
counter(struct out *o, const struct pw_store *st, const char *name,
    enum pw_counter c, const char *help)
{
	head(o, name, "counter", help);
	put(o, "playwaved_%s %llu\n", name,
	    (unsigned long long)pw_counter_sum(st, c));
}

static void
gauge(struct out *o, const char *name, unsigned long long v,
    const char *help)
{
	head(o, name, "gauge", help);
	put(o, "playwaved_%s %llu\n", name, v);
}

static void
requests(struct out *o, const struct pw_store *st)
{
	static const char *const ep[] = { "verify", "heartbeat", "end",
	    "check", "launcher_session", "launcher_heartbeat", "launcher_ott",
	    "authenticate", "healthz", "metrics", "other" };
	size_t i;

	head(o, "requests_total", "counter", "Replies sent, by status class.");
	put(o, "playwaved_requests_total{class=\"2xx\"} %llu\n",
	    (unsigned long long)pw_counter_sum(st, PW_C_REQ_2XX));
	put(o, "playwaved_requests_total{class=\"4xx\"} %llu\n",
	    (unsigned long long)pw_counter_sum(st, PW_C_REQ_4XX));
	put(o, "playwaved_requests_total{class=\"5xx\"} %llu\n",
	    (unsigned long long)pw_counter_sum(st, PW_C_REQ_5XX));
	head(o, "endpoint_requests_total", "counter",
	    "Requests routed to each endpoint.");
	for (i = 0; i < sizeof(ep) / sizeof(ep[0]); i++)
		put(o, "playwaved_endpoint_requests_total{endpoint=\"%s\"} "
		    "%llu\n", ep[i], (unsigned long long)pw_counter_sum(st,
		    PW_C_EP_VERIFY + (enum pw_counter)i));
}

static void
sessions(struct out *o, const struct pw_store *st)
{
	static const char *const reason[PW_R_MAX] = { "", "ENDED",
	    "EXPIRED", "NO_BALANCE", "REPLACED", "LAUNCHER_LOST", "ADMIN",
	    "LOST" };
	int i;

	head(o, "game_sessions_ended_total", "counter",
	    "Game sessions ended (END logged), by reason.");
	for (i = 1; i < PW_R_MAX; i++)
		put(o, "playwaved_game_sessions_ended_total{reason=\"%s\"} "
		    "%llu\n", reason[i], (unsigned long long)pw_counter_sum(st,
		    PW_C_GS_ENDED + (enum pw_counter)i));
}

static void
store_gauges(struct out *o, const struct pw_store *st)
{
	static const char *const type[PW_T_MAX] = { "", "ott",
	    "launcher_session", "game_session", "pc", "wallet", "credit",
	    "request_id", "player_token" };
	const struct pw_store_hdr *h = st->hdr;
	int i;

	gauge(o, "store_slots", st->mask + 1, "Slots in the store.");
	head(o, "store_slots_used", "gauge",
	    "Live slots by record type, as of the last reaper pass.");
	for (i = 1; i < PW_T_MAX; i++)
		put(o, "playwaved_store_slots_used{type=\"%s\"} %llu\n",
		    type[i], (unsigned long long)h->gauge[PW_G_LIVE + i]);
	gauge(o, "store_tombstones", h->gauge[PW_G_TOMB],
	    "Freed slots not yet reusable as empty.");
	gauge(o, "store_max_probe", h->max_probe,
	    "Longest probe run any insert needed.");
	gauge(o, "game_sessions_alive", h->gauge[PW_G_GS_ALIVE],
	    "Game sessions not ended.");
	gauge(o, "game_sessions_exhausted", h->gauge[PW_G_GS_EXHAUSTED],
	    "Game sessions in their charge grace.");
	gauge(o, "launcher_sessions_alive", h->gauge[PW_G_LS_ALIVE],
	    "Launcher sessions alive.");
	gauge(o, "billing_pending_events", h->log_pending,
	    "Events waiting because the billing log cannot be written.");
	gauge(o, "billing_unsynced_events", h->logged_seq - h->durable_seq,
	    "Events written but not yet fsync'ed.");
	gauge(o, "billing_last_seq", h->logged_seq,
	    "Sequence number of the last event written.");
}

size_t
pw_metrics_render(const struct pw_store *st, char *buf, size_t n)
{
	struct out o = { buf, n, 0 };
	const struct pw_store_hdr *h = st->hdr;
	uint64_t started;

	buf[0] = '\0';
	requests(&o, st);
	counter(&o, st, "otts_issued_total", PW_C_OTT_ISSUED, "OTTs issued.");
	counter(&o, st, "otts_consumed_total", PW_C_OTT_CONSUMED,
	    "OTTs consumed by a successful verify.");
	counter(&o, st, "otts_expired_total", PW_C_OTT_EXPIRED,
	    "OTTs that reached ott-ttl unused.");
	counter(&o, st, "verify_rejected_total", PW_C_OTT_REJECTED,
	    "Verifies answered is_valid false.");
	counter(&o, st, "game_sessions_started_total", PW_C_GS_STARTED,
	    "Game sessions started.");
	sessions(&o, st);
	counter(&o, st, "launcher_sessions_started_total", PW_C_LS_STARTED,
	    "Launcher sessions started.");
	counter(&o, st, "player_tokens_issued_total", PW_C_PT_ISSUED,
	    "Real-play player tokens issued.");
	counter(&o, st, "billing_events_total", PW_C_BILL_EVENTS,
	    "Billing events written.");
	counter(&o, st, "billing_bytes_total", PW_C_BILL_BYTES,
	    "Bytes appended to the billing log.");
	counter(&o, st, "billing_write_errors_total", PW_C_BILL_ERRORS,
	    "Failed appends to the billing log.");
	counter(&o, st, "store_full_total", PW_C_STORE_FULL,
	    "Inserts refused because the store was full.");
	counter(&o, st, "reaper_passes_total", PW_C_REAP_PASSES,
	    "Reaper passes over the store.");
	counter(&o, st, "connections_refused_total", PW_C_CONN_REFUSED,
	    "Times a worker reached max-connections and stopped accepting.");
	gauge(&o, "reaper_last_pass_microseconds",
	    pw_counter_sum(st, PW_C_REAP_LAST_US),
	    "Duration of the last reaper pass.");
	store_gauges(&o, st);
	started = h->master_started_ms;
	gauge(&o, "uptime_seconds", started ? (pw_now_ms() - started) / 1000 :
	    0, "Seconds since the master started.");
	return (o.len);
}
