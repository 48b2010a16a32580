/*
 * playwavectl log report [--from D|SEQ] [--to D|SEQ] [--tz ZONE] [--csv]
 * [--archive DIR] [FILE]: settlement totals of the billing log per day,
 * wallet and game, across its segments.  The log is read through
 * src/billing (logset.c) like every other reader; this file only filters
 * and adds up.  Rows come out of ctl_report_out.c.
 *
 * What is counted, per (day, wallet, game) of each event's own time:
 *	sessions	START events
 *	minutes		CHARGE events, one per billed minute; a session
 *			with no wallet (not at a cafe) is never charged,
 *			so its END's billed minutes count instead
 *	charged		the amounts of CHARGE events
 *	credits		the amounts of CREDIT events (no game)
 *	debits		the amounts of DEBIT events (no game): money moved
 *			out of the wallet (to another shard), not revenue
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "ctl.h"
#include "ctl_report.h"

#define BOUND_NONE	0
#define BOUND_DAY	1
#define BOUND_SEQ	2

struct bound {
	int		 kind;
	uint32_t	 day;		/* yyyymmdd */
	uint64_t	 seq;
};

struct report {
	struct rep_rows	 rows;
	struct bound	 from, to;
	int		 tzkind;	/* 0 UTC, 1 fixed offset, 2 zone */
	long		 tzoff;		/* seconds east of UTC */
};

static uint32_t
day_of(const struct report *r, uint64_t ts_ms)
{
	time_t t = (time_t)(ts_ms / 1000);
	struct tm tm;

	if (r->tzkind == 1)
		t += r->tzoff;
	if ((r->tzkind == 2 ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) ==
	    NULL)
		ctl_die("log report: time %llu out of range",
		    (unsigned long long)ts_ms);
	return ((uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) *
	    100 + tm.tm_mday));
}

/* A seq (digits only) or a day, YYYY-MM-DD. */
static void
parse_bound(const char *opt, const char *s, struct bound *b)
{
	const char *errstr;
	unsigned y, m, d;
	char tail;

	if (strspn(s, "0123456789") == strlen(s)) {
		b->seq = (uint64_t)strtonum(s, 1, 1LL << 62, &errstr);
		if (errstr != NULL)
			ctl_usage_err("log report %s %s: seq %s", opt, s,
			    errstr);
		b->kind = BOUND_SEQ;
		return;
	}
	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d,
	    &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31 || y < 1970)
		ctl_usage_err("log report %s %s: neither YYYY-MM-DD nor a seq",
		    opt, s);
	b->kind = BOUND_DAY;
	b->day = y * 10000 + m * 100 + d;
}

/* ZONE: UTC, +HH:MM / -HH:MM, or a tz database name (Asia/Seoul). */
static void
parse_tz(struct report *r, const char *z)
{
	char path[1100];
	const char *dir;
	unsigned hh, mm;
	char sign, tail;
	struct stat sb;

	if (strcmp(z, "UTC") == 0 || strcmp(z, "Z") == 0)
		return;
	if (sscanf(z, "%c%2u:%2u%c", &sign, &hh, &mm, &tail) == 3 &&
	    (sign == '+' || sign == '-') && hh <= 14 && mm < 60) {
		r->tzkind = 1;
		r->tzoff = (long)(hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
		return;
	}
	/* libc falls back to UTC on a name it cannot find: refuse instead. */
	if ((dir = getenv("TZDIR")) == NULL)
		dir = "/usr/share/zoneinfo";
	if (z[0] == '/' || strstr(z, "..") != NULL ||
	    snprintf(path, sizeof(path), "%s/%s", dir, z) >= (int)sizeof(path) ||
	    stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		ctl_usage_err("log report --tz %s: unknown time zone", z);
	if (setenv("TZ", z, 1) == -1)
		ctl_die("setenv: %s", strerror(errno));
	tzset();
	r->tzkind = 2;
}

static int
in_range(const struct report *r, const struct pw_event *ev, uint32_t day)
{
	if (r->from.kind == BOUND_SEQ && ev->seq < r->from.seq)
		return (0);
	if (r->from.kind == BOUND_DAY && day < r->from.day)
		return (0);
	if (r->to.kind == BOUND_SEQ && ev->seq > r->to.seq)
		return (0);
	if (r->to.kind == BOUND_DAY && day > r->to.day)
		return (0);
	return (1);
}

static int
add_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct report *r = arg;
	struct rep_row *row;
	uint32_t day;

	day = day_of(r, ev->ts_ms);
	/* Never stop the scan early: the reader would take it for damage. */
	if (!in_range(r, ev, day))
		return (0);
	row = rep_row(&r->rows, day, ev->wallet,
	    pw_ev_of_credit(ev->type) ? "" : ev->game);
	switch (ev->type) {
	case PW_EV_START:
		row->sessions++;
		break;
	case PW_EV_CHARGE:
		row->minutes++;
		row->charged += ev->amount;
		break;
	case PW_EV_END:
		if (ev->wallet[0] == '\0')
			row->minutes += ev->minute;
		break;
	case PW_EV_CREDIT:
		row->credits += ev->amount;
		break;
	case PW_EV_DEBIT:
		row->debits += ev->amount;
		break;
	}
	return (0);
}

/* Totals over a damaged log would settle on a lie: say so, fail. */
static int
report_scan(struct ctl *c, struct report *r, struct ctl_log *lg)
{
	struct pw_scan sc;
	int rc;

	ctl_log_open(c, lg);
	rc = ctl_log_read(lg, 0, add_one, r, &sc);
	ctl_log_close(lg);
	if (rc != 0)
		fprintf(stderr, "playwavectl: totals stop at seq %llu (see log "
		    "verify)\n", (unsigned long long)sc.last_seq);
	return (rc ? CTL_EXIT_FAIL : 0);
}

int
ctl_log_report(struct ctl *c, int argc, char **argv)
{
	struct report r;
	struct ctl_log lg;
	int i, csv = 0, rc;

	memset(&r, 0, sizeof(r));
	memset(&lg, 0, sizeof(lg));
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			csv = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			parse_bound("--from", argv[++i], &r.from);
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			parse_bound("--to", argv[++i], &r.to);
		else if (strcmp(argv[i], "--tz") == 0 && i + 1 < argc)
			parse_tz(&r, argv[++i]);
		else if (strcmp(argv[i], "--archive") == 0 && i + 1 < argc)
			lg.archive = argv[++i];
		else if (argv[i][0] == '-' || lg.path != NULL)
			ctl_usage_err("log report: bad argument %s", argv[i]);
		else
			lg.path = argv[i];
	}
	if (csv && c->json)
		ctl_usage_err("log report: -j and --csv are exclusive");
	rc = report_scan(c, &r, &lg);
	rep_print(&r.rows, c->json ? REP_JSON : csv ? REP_CSV : REP_TEXT);
	rep_free(&r.rows);
	return (rc);
}
