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

static void
sample(const struct ctl *c, struct top_sample *s)
{
	int i;

	s->t = mono_s();
	for (i = 0; i < PW_C_COUNT; i++)
		s->ctr[i] = pw_counter_sum(&c->st, (enum pw_counter)i);
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
	sample(c, &t.first);
	t.prev = t.cur = t.first;
	screen_start();
	top_draw(&t);
	for (n = 0; count < 0 || n < count; n++) {
		if (wait_interval(&t))
			break;
		if (t.paused)
			continue;
		t.prev = t.cur;
		sample(c, &t.cur);
		top_draw(&t);
	}
	endwin();
	return (0);
}
