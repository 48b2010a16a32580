/*
 * playwavectl status: processes, uptime, the last reload, counters,
 * billing log progress and store occupancy, all read from the store
 * header without locks.  Every exported value comes from the metrics
 * table (include/tbl/metrics.h): the -j keys are the names of GET
 * /metrics without "playwaved_" and a counter's "_total".
 *
 * The exit status is LSB's for an init script's status action
 * (pg_isready is the model): 0 the master runs, 1 it is dead but the
 * store still names it (killed, or crashed), 3 not running (stopped, or
 * never started here), 4 unknown (the store could not be read).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pw.h"
#include "pw_metrics.h"
#include "pw_names.h"
#include "ctl.h"

/* What one pass over the metrics prints: a histogram's label open. */
struct out {
	struct jw	*j;
	const char	*open;		/* the label whose object is open */
	int		 col;		/* text: values on the current line */
	char		 sum[32];	/* text: a histogram label's sum */
};

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

const char *
ctl_metric_key(const struct pw_metric *m, char out[96])
{
	size_t n = strlen(m->name);

	if (n > 6 && strcmp(m->name + n - 6, "_total") == 0)
		n -= 6;
	snprintf(out, 96, "%.*s", (int)n, m->name);
	return (out);
}

static const char *
reload_status(uint32_t s)
{
	return (s == PW_RELOAD_OK ? "ok" : s == PW_RELOAD_FAILED ? "failed" :
	    "none");
}

/*
 * -j: a scalar is a number; a family an object of its labels; a
 * histogram an object of {"count", "sum"} per label.
 */
static void
json_value(void *arg, const struct pw_metric *m, const struct pw_mval *x)
{
	struct out *o = arg;
	char key[96], num[32];

	pw_metric_fmt(x->v, x->div, num);
	if (x->lname == NULL)
		jw_num(o->j, ctl_metric_key(m, key), num);
	else if (m->type != PW_MT_histogram)
		jw_num(o->j, x->lval, num);
	else if (strcmp(x->suffix, "_bucket") == 0) {
		if (o->open != x->lval) {
			jw_open(o->j, x->lval, 0);
			o->open = x->lval;
		}
	} else if (strcmp(x->suffix, "_sum") == 0)
		jw_num(o->j, "sum", num);
	else {
		jw_num(o->j, "count", num);
		jw_close(o->j, 0);
		o->open = NULL;
	}
}

static void
json_metrics(struct ctl *c, struct jw *j)
{
	const struct pw_metric *m;
	struct out o = { j, NULL, 0, "" };
	char key[96];
	size_t i;

	for (i = 0; i < pw_nmetrics; i++) {
		m = &pw_metrics[i];
		if (m->src == PW_MS_VEC)
			jw_open(j, ctl_metric_key(m, key), 0);
		pw_metric_read(&c->st, c->cfg, m, json_value, &o);
		if (m->src == PW_MS_VEC)
			jw_close(j, 0);
	}
}

static void
json_reload(const struct pw_store_hdr *h, struct jw *j)
{
	const struct pw_reload *r = &h->reload;

	jw_open(j, "last_reload", 0);
	jw_str(j, "status", reload_status(atomic_load(&r->status)));
	jw_uint(j, "ms", atomic_load(&r->ms));
	jw_uint(j, "ok_ms", atomic_load(&r->ok_ms));
	jw_uint(j, "count", atomic_load(&r->count));
	if (atomic_load(&r->status) == PW_RELOAD_FAILED)
		jw_str(j, "error", r->error);
	jw_close(j, 0);
}

/* GET /readyz's conditions, as the store answers them (store_ready.c). */
static void
json_ready(struct ctl *c, struct jw *j)
{
	unsigned bad, i;

	bad = pw_store_unready(&c->st);
	jw_bool(j, "ready", bad == 0);
	jw_open(j, "unready", 1);
	for (i = 0; i < PW_NR_COUNT; i++)
		if (bad & (1u << i))
			jw_str(j, NULL, pw_unready_name(i));
	jw_close(j, 1);
}

static void
text_ready(struct ctl *c)
{
	unsigned bad, i;
	const char *sep = "";

	if ((bad = pw_store_unready(&c->st)) == 0) {
		printf("ready              yes\n");
		return;
	}
	printf("ready              no: ");
	for (i = 0; i < PW_NR_COUNT; i++)
		if (bad & (1u << i)) {
			printf("%s%s (%s)", sep, pw_unready_name(i),
			    pw_unready_meaning(i));
			sep = "; ";
		}
	printf("\n");
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

	jw_begin(&j, stdout);
	jw_str(&j, "version", PW_VERSION);
	jw_uint(&j, "store_version", h->version);
	jw_str(&j, "store", c->store_path);
	jw_str(&j, "config", c->conf_from);
	pid = atomic_load(&h->master_pid);
	started = atomic_load(&h->master_started_ms);
	jw_uint(&j, "master_pid", pid);
	jw_bool(&j, "master_alive", ctl_alive(pid));
	jw_uint(&j, "master_started_ms", started);
	jw_uint(&j, "uptime_seconds", ctl_alive(pid) && started != 0 &&
	    now_ms > started ? (now_ms - started) / 1000 : 0);
	jw_uint(&j, "generation", atomic_load(&h->generation));
	json_ready(c, &j);
	json_reload(h, &j);
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
	json_metrics(c, &j);
	logged = atomic_load(&h->logged_seq);
	durable = atomic_load(&h->durable_seq);
	jw_uint(&j, "billing_logged_seq", logged);
	jw_uint(&j, "billing_durable_seq", durable);
	jw_uint(&j, "billing_log_lag", logged > durable ? logged - durable : 0);
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

/*
 * Varnishstat's layout: a scalar on a line of its own with its help; a
 * family's labels and values on one line; a histogram's count and sum
 * per label.
 */
static void
text_value(void *arg, const struct pw_metric *m, const struct pw_mval *x)
{
	struct out *o = arg;
	char key[96], num[32];

	pw_metric_fmt(x->v, x->div, num);
	if (x->lname == NULL) {
		printf("%-44s %14s  %s\n", ctl_metric_key(m, key), num,
		    m->help);
		return;
	}
	if (m->type == PW_MT_histogram && strcmp(x->suffix, "_count") != 0) {
		if (strcmp(x->suffix, "_sum") == 0)
			(void)strlcpy(o->sum, num, sizeof(o->sum));
		return;
	}
	if (o->col++ == 0)
		printf("%-44s", ctl_metric_key(m, key));
	if (m->type == PW_MT_histogram)
		printf(" %s %s (%ss)", x->lval, num, o->sum);
	else
		printf(" %s %s", x->lval, num);
}

static void
text_metrics(struct ctl *c)
{
	struct out o = { NULL, NULL, 0, "" };
	size_t i;

	for (i = 0; i < pw_nmetrics; i++) {
		o.col = 0;
		pw_metric_read(&c->st, c->cfg, &pw_metrics[i], text_value, &o);
		if (o.col > 0)
			printf("\n");
	}
}

static void
text_store(struct ctl *c, uint64_t now_ms)
{
	const struct pw_store_hdr *h = c->st.hdr;
	const struct pw_reload *r = &h->reload;
	uint64_t logged, durable, seen;
	char when[32];

	logged = atomic_load(&h->logged_seq);
	durable = atomic_load(&h->durable_seq);
	printf("billing log        logged_seq %llu  durable_seq %llu  log lag "
	    "%llu\n", (unsigned long long)logged, (unsigned long long)durable,
	    (unsigned long long)(logged > durable ? logged - durable : 0));
	printf("store              %s  slots %llu\n", c->store_path,
	    (unsigned long long)(c->st.mask + 1));
	seen = atomic_load(&h->reaper_seen_ms);
	ctl_iso((uint32_t)(seen / 1000), when);
	printf("reaper             last pass %s (%.1f s ago)\n", when,
	    seen != 0 && now_ms >= seen ? (double)(now_ms - seen) / 1000.0 :
	    0.0);
	text_ready(c);
	if (atomic_load(&r->status) == PW_RELOAD_NONE) {
		printf("last reload        none since the start\n");
		return;
	}
	ctl_iso((uint32_t)(atomic_load(&r->ms) / 1000), when);
	printf("last reload        %s at %s (%u applied since the start)%s%s\n",
	    reload_status(atomic_load(&r->status)), when,
	    atomic_load(&r->count), atomic_load(&r->status) ==
	    PW_RELOAD_FAILED ? ": " : "", atomic_load(&r->status) ==
	    PW_RELOAD_FAILED ? r->error : "");
}

/* The LSB status of the master the store names. */
static int
lsb_status(const struct pw_store_hdr *h)
{
	uint32_t pid = atomic_load(&h->master_pid);

	if (pid == 0)
		return (CTL_LSB_STOPPED);
	return (ctl_alive(pid) ? CTL_LSB_RUNNING : CTL_LSB_DEAD);
}

/* No store at all: never started with this configuration. */
static int
no_store(const struct ctl *c)
{
	struct stat sb;

	if (stat(c->store_path, &sb) == 0 || errno != ENOENT)
		return (0);
	if (c->json)
		printf("{\"version\":\"%s\",\"store\":null,\"master_alive\":"
		    "false}\n", PW_VERSION);
	else
		printf("playwaved is not running: no store %s (%s)\n",
		    c->store_path, c->conf_from);
	return (1);
}

int
cmd_status(struct ctl *c, int argc, char **argv)
{
	const struct pw_store_hdr *h;
	char when[32], up[32];
	uint64_t now_ms, started;
	uint32_t pid;
	int rc;

	if (argc != 1)
		ctl_usage_err("status takes no arguments");
	if (no_store(c))
		return (CTL_LSB_STOPPED);
	ctl_open(c, 0);
	h = c->st.hdr;
	now_ms = pw_now_ms();
	rc = lsb_status(h);
	if (c->json) {
		status_json(c, now_ms);
		return (rc);
	}
	pid = atomic_load(&h->master_pid);
	started = atomic_load(&h->master_started_ms);
	ctl_iso((uint32_t)(started / 1000), when);
	ctl_dur(now_ms > started ? (now_ms - started) / 1000 : 0, up);
	printf("playwavectl %s, store format %u, generation %llu\n",
	    PW_VERSION, h->version,
	    (unsigned long long)atomic_load(&h->generation));
	if (rc == CTL_LSB_RUNNING)
		printf("master             pid %u  running  up %s  since %s\n",
		    pid, up, when);
	else if (rc == CTL_LSB_DEAD)
		printf("master             not running: pid %u in the store is "
		    "gone (killed or crashed)\n", pid);
	else
		printf("master             not running (stopped)\n");
	text_procs(c, now_ms);
	text_metrics(c);
	text_store(c, now_ms);
	return (rc);
}
