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

/*
 * Every row comes from the tables of include/tbl, so that a counter added
 * there shows here under its /metrics name.  Counters of kind gauge (a
 * value set, not added to) get no rate.
 */
static const struct {
	const char	*name;
	enum pw_counter	 c;
	int		 gauge;
} counter_rows[] = {
#define PW_ENDPOINT(sym, name, ...)					\
	{ "endpoint_requests{" name "}", PW_C_EP_##sym, 0 },
#include "tbl/endpoints.h"
#undef PW_ENDPOINT
#define PW_CLASS(sym, name)						\
	{ "requests{" name "}", PW_C_REQ_##sym, 0 },
#include "tbl/status_classes.h"
#undef PW_CLASS
#define TOP_KIND_counter	0
#define TOP_KIND_gauge		1
#define PW_COUNTER(sym, name, kind, help)				\
	{ name, PW_C_##sym, TOP_KIND_##kind },
#include "tbl/counters.h"
#undef PW_COUNTER
#define PW_REASON(sym)							\
	{ "game_sessions_ended{" #sym "}", PW_C_GS_ENDED + PW_R_##sym, 0 },
#include "tbl/end_reasons.h"
#undef PW_REASON
};
#define NCOUNTER_ROWS	(sizeof(counter_rows) / sizeof(counter_rows[0]))

static const struct {
	const char	*name;
	enum pw_gauge	 g;
} gauge_rows[] = {
#define PW_GAUGE(sym, name, help)	{ name, PW_G_##sym },
#include "tbl/gauges.h"
#undef PW_GAUGE
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

	if (i < NCOUNTER_ROWS && counter_rows[i].gauge) {
		c = counter_rows[i].c;
		mvprintw(y, 0, "%-38s %14llu %12s %12s", counter_rows[i].name,
		    (unsigned long long)t->cur.ctr[c], "-", "-");
	} else if (i < NCOUNTER_ROWS) {
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
