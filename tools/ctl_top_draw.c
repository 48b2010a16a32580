/*
 * The screen of playwavectl top: a header with the master, the store,
 * the reaper and the billing log, then one row per counter (its value,
 * its rate over the last interval and since top started) and per gauge.
 * Row names are those of GET /metrics without "playwaved_" and "_total",
 * as in playwavectl status -j.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "ctl.h"
#include "ctl_top.h"

#define HEADER_LINES	5	/* title, store, reaper, log, blank */

static const struct {
	const char	*name;
	enum pw_counter	 c;
} counter_rows[] = {
	{ "endpoint_requests{verify}", PW_C_EP_VERIFY },
	{ "endpoint_requests{heartbeat}", PW_C_EP_HEARTBEAT },
	{ "endpoint_requests{end}", PW_C_EP_END },
	{ "endpoint_requests{check}", PW_C_EP_CHECK },
	{ "endpoint_requests{launcher_session}", PW_C_EP_LSESSION },
	{ "endpoint_requests{launcher_heartbeat}", PW_C_EP_LHEARTBEAT },
	{ "endpoint_requests{launcher_ott}", PW_C_EP_LOTT },
	{ "endpoint_requests{authenticate}", PW_C_EP_AUTH },
	{ "endpoint_requests{healthz}", PW_C_EP_HEALTH },
	{ "endpoint_requests{metrics}", PW_C_EP_METRICS },
	{ "endpoint_requests{other}", PW_C_EP_OTHER },
	{ "requests{2xx}", PW_C_REQ_2XX },
	{ "requests{4xx}", PW_C_REQ_4XX },
	{ "requests{5xx}", PW_C_REQ_5XX },
	{ "otts_issued", PW_C_OTT_ISSUED },
	{ "otts_consumed", PW_C_OTT_CONSUMED },
	{ "otts_expired", PW_C_OTT_EXPIRED },
	{ "verify_rejected", PW_C_OTT_REJECTED },
	{ "game_sessions_started", PW_C_GS_STARTED },
	{ "launcher_sessions_started", PW_C_LS_STARTED },
	{ "player_tokens_issued", PW_C_PT_ISSUED },
	{ "billing_events", PW_C_BILL_EVENTS },
	{ "billing_write_errors", PW_C_BILL_ERRORS },
	{ "store_full", PW_C_STORE_FULL },
	{ "reaper_passes", PW_C_REAP_PASSES },
	{ "connections_refused", PW_C_CONN_REFUSED }
};
#define NCOUNTER_ROWS	(sizeof(counter_rows) / sizeof(counter_rows[0]))

static const struct {
	const char	*name;
	enum pw_gauge	 g;
} gauge_rows[] = {
	{ "game_sessions_alive", PW_G_GS_ALIVE },
	{ "game_sessions_exhausted", PW_G_GS_EXHAUSTED },
	{ "launcher_sessions_alive", PW_G_LS_ALIVE },
	{ "store_tombstones", PW_G_TOMB },
	{ "store_busy", PW_G_BUSY }
};
#define NGAUGE_ROWS	(sizeof(gauge_rows) / sizeof(gauge_rows[0]))

static double
rate(const struct top_sample *a, const struct top_sample *b,
    enum pw_counter c)
{
	double dt = b->t - a->t;

	if (dt <= 0 || b->ctr[c] < a->ctr[c])
		return (0);
	return ((double)(b->ctr[c] - a->ctr[c]) / dt);
}

static uint64_t
slots_used(const struct pw_store_hdr *h)
{
	uint64_t n = 0;
	int k;

	for (k = 1; k < PW_T_MAX; k++)
		n += atomic_load(&((struct pw_store_hdr *)h)->gauge[PW_G_LIVE +
		    k]);
	return (n);
}

static void
draw_title(const struct top *t, uint64_t now_ms)
{
	const struct pw_store_hdr *h = t->c->st.hdr;
	char when[32], up[32];
	uint64_t started;
	uint32_t pid;

	pid = atomic_load(&((struct pw_store_hdr *)h)->master_pid);
	started = atomic_load(&((struct pw_store_hdr *)h)->master_started_ms);
	ctl_iso((uint32_t)(now_ms / 1000), when);
	ctl_dur(now_ms > started ? (now_ms - started) / 1000 : 0, up);
	if (ctl_alive(pid))
		mvprintw(0, 0, "playwavectl top %s  master %u up %s  %s",
		    PW_VERSION, pid, up, when);
	else
		mvprintw(0, 0, "playwavectl top %s  master not running  %s",
		    PW_VERSION, when);
	if (t->paused) {
		attron(A_REVERSE);
		printw("  PAUSED");
		attroff(A_REVERSE);
	}
	clrtoeol();
}

static void
draw_header(const struct top *t, uint64_t now_ms)
{
	struct pw_store_hdr *h = t->c->st.hdr;
	uint64_t slots, used, logged, durable, seen;

	slots = t->c->st.mask + 1;
	used = slots_used(h);
	mvprintw(1, 0, "store %s  slots %llu  used %llu (%.1f%%)  "
	    "max probe %llu", t->c->store_path, (unsigned long long)slots,
	    (unsigned long long)used, 100.0 * (double)used / (double)slots,
	    (unsigned long long)atomic_load(&h->max_probe));
	clrtoeol();
	seen = atomic_load(&h->reaper_seen_ms);
	mvprintw(2, 0, "reaper last pass %llu us, %.1f s ago",
	    (unsigned long long)t->cur.ctr[PW_C_REAP_LAST_US],
	    seen != 0 && now_ms >= seen ? (double)(now_ms - seen) / 1000.0 :
	    0.0);
	clrtoeol();
	logged = atomic_load(&h->logged_seq);
	durable = atomic_load(&h->durable_seq);
	mvprintw(3, 0, "billing log lag %llu  (logged seq %llu, durable seq "
	    "%llu, pending %llu)", (unsigned long long)(logged > durable ?
	    logged - durable : 0), (unsigned long long)logged,
	    (unsigned long long)durable,
	    (unsigned long long)atomic_load(&h->log_pending));
	clrtoeol();
	move(4, 0);
	clrtoeol();
}

/* Table row i (counters, then gauges) on screen line y. */
static void
draw_row(const struct top *t, size_t i, int y)
{
	const struct pw_store_hdr *h = t->c->st.hdr;
	enum pw_counter c;
	enum pw_gauge g;

	if (i < NCOUNTER_ROWS) {
		c = counter_rows[i].c;
		mvprintw(y, 0, "%-38s %14llu %12.1f %12.1f",
		    counter_rows[i].name, (unsigned long long)t->cur.ctr[c],
		    rate(&t->prev, &t->cur, c), rate(&t->first, &t->cur, c));
	} else {
		g = gauge_rows[i - NCOUNTER_ROWS].g;
		mvprintw(y, 0, "%-38s %14llu %12s %12s",
		    gauge_rows[i - NCOUNTER_ROWS].name, (unsigned long long)
		    atomic_load(&((struct pw_store_hdr *)h)->gauge[g]), "-",
		    "-");
	}
	clrtoeol();
}

void
top_draw(struct top *t)
{
	uint64_t now_ms = pw_now_ms();
	int y, last;
	size_t i;

	t->nrows = (int)(NCOUNTER_ROWS + NGAUGE_ROWS);
	draw_title(t, now_ms);
	draw_header(t, now_ms);
	attron(A_BOLD);
	mvprintw(HEADER_LINES, 0, "%-38s %14s %12s %12s", "NAME", "CURRENT",
	    "PER SEC", "AVG/S");
	attroff(A_BOLD);
	clrtoeol();
	last = LINES - 2;
	for (i = (size_t)t->scroll, y = HEADER_LINES + 1;
	    i < (size_t)t->nrows && y <= last; i++, y++)
		draw_row(t, i, y);
	move(y, 0);
	clrtobot();
	mvprintw(LINES - 1, 0, "q quit  p pause  j/k scroll  refresh %u s",
	    t->interval_ms / 1000);
	clrtoeol();
	refresh();
}
