/*
 * playwavectl top [-i SECS] [-n COUNT]: a live screen of the daemon's
 * counters, rates and gauges, as varnishstat's curses mode.  The store is
 * mapped read-only and sampled once an interval; keys are read in
 * between so that q and p answer at once.  -n bounds the number of
 * refreshes (scripts, tests); without it top runs until q.
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_metrics.h"
#include "ctl.h"
#include "ctl_top.h"

#define KEY_POLL_MS	100

static double
mono_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		ctl_die("clock_gettime: %s", strerror(errno));
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * Values that stay as they were at the start (the version, the start
 * time, what the reconciliation did, the store's size) are status's,
 * not rows of a screen that shows what moves; nor are the histogram's
 * buckets.
 */
static int
top_static(const struct pw_metric *m)
{
	if (m->type == PW_MT_histogram)
		return (1);
	if (m->src == PW_MS_VEC)
		return (m->arg == PW_V_BUILD || m->arg == PW_V_RECON);
	if (m->src != PW_MS_HDR)
		return (0);
	switch (m->arg) {
	case PW_H_START_TIME:
	case PW_H_RECONCILED:
	case PW_H_RELOAD_OK_TIME:
	case PW_H_RECON_EVENTS:
	case PW_H_RECON_US:
	case PW_H_SLOTS:
	case PW_H_REAPER_SEEN:
		return (1);
	}
	return (0);
}

/* One value of the metrics table: a row of the screen. */
static void
row(void *arg, const struct pw_metric *m, const struct pw_mval *x)
{
	struct top *t = ((void **)arg)[0];
	struct top_sample *s = ((void **)arg)[1];
	struct top_row *r;
	char key[96];

	if (top_static(m) || s->n == TOP_MAX_ROWS)
		return;
	r = &t->rows[s->n];
	if (x->lname != NULL)
		snprintf(r->name, sizeof(r->name), "%s{%s}",
		    ctl_metric_key(m, key), x->lval);
	else
		snprintf(r->name, sizeof(r->name), "%s", ctl_metric_key(m, key));
	r->counter = m->type == PW_MT_counter;
	r->div = x->div;
	s->v[s->n++] = x->v;
}

void
top_sample(struct top *t, struct top_sample *s)
{
	void *arg[2] = { t, s };
	size_t i;

	s->t = mono_s();
	s->n = 0;
	for (i = 0; i < pw_nmetrics; i++)
		pw_metric_read(&t->c->st, t->c->cfg, &pw_metrics[i], row, arg);
	t->nrows = s->n;
}

static void
parse_args(struct top *t, int argc, char **argv, long *count)
{
	const char *errstr;
	int i;

	t->interval_ms = 1000;
	*count = -1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
			t->interval_ms = (unsigned)strtonum(argv[++i], 1, 3600,
			    &errstr) * 1000;
			if (errstr != NULL)
				ctl_usage_err("top -i %s: %s", argv[i], errstr);
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			*count = (long)strtonum(argv[++i], 1, 1L << 30, &errstr);
			if (errstr != NULL)
				ctl_usage_err("top -n %s: %s", argv[i], errstr);
		} else
			ctl_usage_err("top: bad argument %s", argv[i]);
	}
}

static void
screen_start(void)
{
	if (initscr() == NULL)
		ctl_die("top: cannot initialise the terminal");
	if (cbreak() == ERR || noecho() == ERR ||
	    keypad(stdscr, TRUE) == ERR) {
		endwin();
		ctl_die("top: cannot set the terminal's modes");
	}
	(void)curs_set(0);	/* not every terminal can hide it */
	timeout(KEY_POLL_MS);
}

/* One key; 1 when top should stop. */
static int
key(struct top *t, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return (1);
	case 'p':
	case 'P':
	case ' ':
		t->paused = !t->paused;
		top_draw(t);
		break;
	case KEY_DOWN:
	case 'j':
		if (t->scroll + 1 < t->nrows)
			t->scroll++;
		top_draw(t);
		break;
	case KEY_UP:
	case 'k':
		if (t->scroll > 0)
			t->scroll--;
		top_draw(t);
		break;
	case KEY_RESIZE:
		top_draw(t);
		break;
	}
	return (0);
}

/* Wait out one interval, reading keys; 1 when q was pressed. */
static int
wait_interval(struct top *t)
{
	double until;
	int ch;

	until = mono_s() + t->interval_ms / 1000.0;
	while (mono_s() < until)
		if ((ch = getch()) != ERR && key(t, ch))
			return (1);
	return (0);
}

int
cmd_top(struct ctl *c, int argc, char **argv)
{
	struct top t;
	long count, n;

	memset(&t, 0, sizeof(t));
	t.c = c;
	parse_args(&t, argc, argv, &count);
	if (c->json)
		ctl_usage_err("top is a screen: for JSON use status -j");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		ctl_die("top needs a terminal; status shows one snapshot");
	ctl_open(c, 0);
	top_sample(&t, &t.first);
	t.prev = t.cur = t.first;
	screen_start();
	top_draw(&t);
	for (n = 0; count < 0 || n < count; n++) {
		if (wait_interval(&t))
			break;
		if (t.paused)
			continue;
		t.prev = t.cur;
		top_sample(&t, &t.cur);
		top_draw(&t);
	}
	endwin();
	return (0);
}
