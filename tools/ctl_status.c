/*
 * playwavectl status: processes, uptime, counters, billing log progress
 * and store occupancy, all read from the store header without locks.
 * The -j keys follow the names of GET /metrics (pw_metrics.h) without
 * their "playwaved_" prefix and "_total" suffix.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_names.h"
#include "ctl.h"

static uint64_t
sum(const struct ctl *c, enum pw_counter n)
{
	return (pw_counter_sum(&c->st, n));
}

/* The procs table: workers 0..nprocs-1, then the reaper. */
static const struct pw_proc *
proc_at(const struct ctl *c, uint32_t i, int *reaper)
{
	const struct pw_store_hdr *h = c->st.hdr;
	uint32_t n;

	n = h->nprocs < PW_MAX_WORKERS ? h->nprocs : PW_MAX_WORKERS;
	*reaper = i == n;
	if (i > n)
		return (NULL);
	return (&h->procs[i == n ? PW_MAX_WORKERS : i]);
}

static void
status_json(struct ctl *c, uint64_t now_ms)
{
	const struct pw_store_hdr *h = c->st.hdr;
	const struct pw_proc *p;
	uint64_t logged, durable, started;
	uint32_t pid, i;
	struct jw j;
	int reaper;
	size_t k;

	jw_begin(&j, stdout);
	jw_str(&j, "version", PW_VERSION);
	jw_uint(&j, "store_version", h->version);
	jw_str(&j, "store", c->store_path);
	pid = atomic_load(&h->master_pid);
	started = atomic_load(&h->master_started_ms);
	jw_uint(&j, "master_pid", pid);
	jw_bool(&j, "master_alive", ctl_alive(pid));
	jw_uint(&j, "master_started_ms", started);
	jw_uint(&j, "uptime_seconds", ctl_alive(pid) && started != 0 &&
	    now_ms > started ? (now_ms - started) / 1000 : 0);
	jw_uint(&j, "generation", atomic_load(&h->generation));
	jw_open(&j, "processes", 1);
	for (i = 0; (p = proc_at(c, i, &reaper)) != NULL; i++) {
		if (p->kind == PW_PROC_NONE)
			continue;
		pid = atomic_load(&((struct pw_proc *)p)->pid);
		jw_open(&j, NULL, 0);
		jw_str(&j, "kind", reaper ? "reaper" : "worker");
		if (!reaper)
			jw_uint(&j, "index", p->index);
		jw_uint(&j, "pid", pid);
		jw_bool(&j, "alive", ctl_alive(pid));
		jw_uint(&j, "restarts", p->restarts);
		jw_uint(&j, "started_ms", p->started_ms);
		jw_close(&j, 0);
	}
	jw_close(&j, 1);
#define PW_CLASS(sym, name)						\
	jw_uint(&j, "requests_" name, sum(c, PW_C_REQ_##sym));
#include "tbl/status_classes.h"
#undef PW_CLASS
#define PW_COUNTER(sym, name, kind, help)				\
	jw_uint(&j, name, sum(c, PW_C_##sym));
#include "tbl/counters.h"
#undef PW_COUNTER
	jw_open(&j, "endpoint_requests", 0);
	for (k = 0; k < pw_endpoint_count(); k++)
		jw_uint(&j, pw_endpoint_name((unsigned)k), sum(c,
		    PW_C_EP_VERIFY + (enum pw_counter)k));
	jw_close(&j, 0);
#define PW_GAUGE(sym, name, help)					\
	jw_uint(&j, name, h->gauge[PW_G_##sym]);
#include "tbl/gauges.h"
#undef PW_GAUGE
	jw_open(&j, "game_sessions_ended", 0);
	for (k = 1; k < PW_R_MAX; k++)
		jw_uint(&j, pw_reason_name((unsigned)k), sum(c, PW_C_GS_ENDED +
		    (enum pw_counter)k));
	jw_close(&j, 0);
	logged = atomic_load(&h->logged_seq);
	durable = atomic_load(&h->durable_seq);
	jw_uint(&j, "billing_logged_seq", logged);
	jw_uint(&j, "billing_durable_seq", durable);
	jw_uint(&j, "billing_pending_events", atomic_load(&h->log_pending));
	jw_uint(&j, "billing_log_lag", logged > durable ? logged - durable : 0);
	jw_uint(&j, "store_slots", c->st.mask + 1);
	jw_open(&j, "store_slots_used", 0);
	for (k = 1; k < PW_T_MAX; k++)
		jw_uint(&j, pw_type_name((unsigned)k), h->gauge[PW_G_LIVE + k]);
	jw_close(&j, 0);
	jw_uint(&j, "store_max_probe", atomic_load(&h->max_probe));
	jw_uint(&j, "reaper_last_pass_ms", atomic_load(&h->reaper_seen_ms));
	jw_end(&j);
}

static void
text_procs(struct ctl *c, uint64_t now_ms)
{
	const struct pw_proc *p;
	char name[32], when[32], up[32];
	uint32_t pid, i;
	int reaper;

	printf("%-10s %8s %-5s %8s  %-20s %s\n", "PROCESS", "PID", "ALIVE",
	    "RESTARTS", "STARTED", "UP");
	for (i = 0; (p = proc_at(c, i, &reaper)) != NULL; i++) {
		if (p->kind == PW_PROC_NONE)
			continue;
		pid = atomic_load(&((struct pw_proc *)p)->pid);
		if (reaper)
			snprintf(name, sizeof(name), "reaper");
		else
			snprintf(name, sizeof(name), "worker %u", p->index);
		ctl_iso((uint32_t)(p->started_ms / 1000), when);
		ctl_dur(now_ms > p->started_ms ? (now_ms - p->started_ms) /
		    1000 : 0, up);
		printf("%-10s %8u %-5s %8u  %-20s %s\n", name, pid,
		    ctl_alive(pid) ? "yes" : "no", p->restarts, when,
		    ctl_alive(pid) ? up : "-");
	}
}

/* Varnishstat's layout: one line per counter, its name, value and help. */
static void
text_counters(struct ctl *c)
{
	const struct pw_store_hdr *h = c->st.hdr;
	unsigned k;

	printf("requests          ");
#define PW_CLASS(sym, name)						\
	printf(" %s %llu", name, (unsigned long long)sum(c, PW_C_REQ_##sym));
#include "tbl/status_classes.h"
#undef PW_CLASS
	printf("\nendpoints         ");
	for (k = 0; k < pw_endpoint_count(); k++)
		printf(" %s %llu", pw_endpoint_name(k),
		    (unsigned long long)sum(c, PW_C_EP_VERIFY +
		    (enum pw_counter)k));
	printf("\nsessions ended    ");
	for (k = 1; k < PW_R_MAX; k++)
		printf(" %s %llu", pw_reason_name(k),
		    (unsigned long long)sum(c, PW_C_GS_ENDED +
		    (enum pw_counter)k));
	printf("\n");
#define PW_COUNTER(sym, name, kind, help)				\
	printf("%-32s %14llu  %s\n", name,				\
	    (unsigned long long)sum(c, PW_C_##sym), help);
#include "tbl/counters.h"
#undef PW_COUNTER
#define PW_GAUGE(sym, name, help)					\
	printf("%-32s %14llu  %s\n", name,				\
	    (unsigned long long)h->gauge[PW_G_##sym], help);
#include "tbl/gauges.h"
#undef PW_GAUGE
}

static void
text_store(struct ctl *c, uint64_t now_ms)
{
	const struct pw_store_hdr *h = c->st.hdr;
	uint64_t logged, durable, seen;
	char when[32];
	size_t k;

	logged = atomic_load(&h->logged_seq);
	durable = atomic_load(&h->durable_seq);
	printf("billing log        events %llu  logged_seq %llu  durable_seq "
	    "%llu  pending %llu  log lag %llu  write errors %llu\n",
	    (unsigned long long)sum(c, PW_C_BILL_EVENTS),
	    (unsigned long long)logged, (unsigned long long)durable,
	    (unsigned long long)atomic_load(&h->log_pending),
	    (unsigned long long)(logged > durable ? logged - durable : 0),
	    (unsigned long long)sum(c, PW_C_BILL_ERRORS));
	printf("store              %s  slots %llu  used:", c->store_path,
	    (unsigned long long)(c->st.mask + 1));
	for (k = 1; k < PW_T_MAX; k++)
		printf(" %s %llu", pw_type_name((unsigned)k),
		    (unsigned long long)h->gauge[PW_G_LIVE + k]);
	printf("  max probe %llu\n",
	    (unsigned long long)atomic_load(&h->max_probe));
	seen = atomic_load(&h->reaper_seen_ms);
	ctl_iso((uint32_t)(seen / 1000), when);
	printf("reaper             last pass %s (%.1f s ago, took %llu us)  "
	    "passes %llu\n", when, seen != 0 && now_ms >= seen ?
	    (double)(now_ms - seen) / 1000.0 : 0.0,
	    (unsigned long long)sum(c, PW_C_REAP_LAST_US),
	    (unsigned long long)sum(c, PW_C_REAP_PASSES));
}

int
cmd_status(struct ctl *c, int argc, char **argv)
{
	const struct pw_store_hdr *h;
	char when[32], up[32];
	uint64_t now_ms, started;
	uint32_t pid;

	if (argc != 1)
		ctl_usage_err("status takes no arguments");
	ctl_open(c, 0);
	h = c->st.hdr;
	now_ms = pw_now_ms();
	if (c->json) {
		status_json(c, now_ms);
		return (0);
	}
	pid = atomic_load(&h->master_pid);
	started = atomic_load(&h->master_started_ms);
	ctl_iso((uint32_t)(started / 1000), when);
	ctl_dur(now_ms > started ? (now_ms - started) / 1000 : 0, up);
	printf("playwavectl %s, store format %u, generation %llu\n",
	    PW_VERSION, h->version,
	    (unsigned long long)atomic_load(&h->generation));
	if (ctl_alive(pid))
		printf("master             pid %u  running  up %s  since %s\n",
		    pid, up, when);
	else
		printf("master             not running%s\n", pid != 0 ?
		    " (pid in the store is gone)" : "");
	text_procs(c, now_ms);
	text_counters(c);
	text_store(c, now_ms);
	return (0);
}
