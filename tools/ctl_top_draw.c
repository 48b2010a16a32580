/*
 * The screen of playwavectl top: a header with the master, the store,
 * the reaper and the billing log, then one row per counter (its value,
 * its rate over the last interval and since top started) and per gauge.
 * Rows are the metrics table's (include/tbl/metrics.h), named as GET
 * /metrics names them without "playwaved_" and "_total", as in
 * playwavectl status -j; only counters get a rate.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_metrics.h"
#include "ctl.h"
#include "ctl_top.h"

#define HEADER_LINES	5	/* title, store, reaper, log, blank */

static double
rate(const struct top_sample *a, const struct top_sample *b, int i)
{
	double dt = b->t - a->t;

	if (dt <= 0 || i >= a->n || b->v[i] < a->v[i])
		return (0);
	return ((double)(b->v[i] - a->v[i]) / dt);
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
	mvprintw(2, 0, "reaper last pass %.1f s ago",
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

/* Table row i on screen line y. */
static void
draw_row(const struct top *t, int i, int y)
{
	const struct top_row *r = &t->rows[i];
	char num[32];

	pw_metric_fmt(t->cur.v[i], r->div, num);
	if (r->counter)
		mvprintw(y, 0, "%-44s %14s %12.1f %12.1f", r->name, num,
		    rate(&t->prev, &t->cur, i), rate(&t->first, &t->cur, i));
	else
		mvprintw(y, 0, "%-44s %14s %12s %12s", r->name, num, "-", "-");
	clrtoeol();
}

void
top_draw(struct top *t)
{
	uint64_t now_ms = pw_now_ms();
	int i, y, last;

	draw_title(t, now_ms);
	draw_header(t, now_ms);
	attron(A_BOLD);
	mvprintw(HEADER_LINES, 0, "%-44s %14s %12s %12s", "NAME", "CURRENT",
	    "PER SEC", "AVG/S");
	attroff(A_BOLD);
	clrtoeol();
	last = LINES - 2;
	for (i = t->scroll, y = HEADER_LINES + 1; i < t->nrows && y <= last;
	    i++, y++)
		draw_row(t, i, y);
	move(y, 0);
	clrtobot();
	mvprintw(LINES - 1, 0, "q quit  p pause  j/k scroll  refresh %u s",
	    t->interval_ms / 1000);
	clrtoeol();
	refresh();
}
