/*
 * The rows of playwavectl log report: a hash table keyed by day, wallet
 * and game while the log is scanned, then sorted and printed as a text
 * table, JSON (one object a row, like log cat -j) or CSV (RFC 4180).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_report.h"

#define REP_MIN_SLOTS	64

static uint64_t
key_hash(uint32_t day, const char *wallet, const char *game)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;

	h = (h ^ day) * 1099511628211ULL;
	for (p = wallet; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;	/* wallet|game boundary */
	for (p = game; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (h);
}

static size_t *
find_slot(struct rep_rows *t, uint32_t day, const char *wallet,
    const char *game)
{
	const struct rep_row *r;
	size_t i;

	i = (size_t)key_hash(day, wallet, game) & (t->nslot - 1);
	for (;; i = (i + 1) & (t->nslot - 1)) {
		if (t->slot[i] == 0)
			return (&t->slot[i]);
		r = &t->row[t->slot[i] - 1];
		if (r->day == day && strcmp(r->wallet, wallet) == 0 &&
		    strcmp(r->game, game) == 0)
			return (&t->slot[i]);
	}
}

/* Keep the table at most half full, so probes stay short and end. */
static void
grow(struct rep_rows *t)
{
	const struct rep_row *r;
	size_t i, n;

	if (t->n + 1 > t->cap) {
		n = t->cap == 0 ? REP_MIN_SLOTS : t->cap * 2;
		if ((r = reallocarray(t->row, n, sizeof(*t->row))) == NULL)
			ctl_die("out of memory");
		t->row = (struct rep_row *)r;
		t->cap = n;
	}
	if ((t->n + 1) * 2 <= t->nslot)
		return;
	free(t->slot);
	t->nslot = t->nslot == 0 ? REP_MIN_SLOTS : t->nslot * 2;
	if ((t->slot = calloc(t->nslot, sizeof(*t->slot))) == NULL)
		ctl_die("out of memory");
	for (i = 0; i < t->n; i++) {
		r = &t->row[i];
		*find_slot(t, r->day, r->wallet, r->game) = i + 1;
	}
}

struct rep_row *
rep_row(struct rep_rows *t, uint32_t day, const char *wallet,
    const char *game)
{
	struct rep_row *r;
	size_t *s;

	grow(t);
	s = find_slot(t, day, wallet, game);
	if (*s != 0)
		return (&t->row[*s - 1]);
	r = &t->row[t->n];
	memset(r, 0, sizeof(*r));
	r->day = day;
	(void)strlcpy(r->wallet, wallet, sizeof(r->wallet));
	(void)strlcpy(r->game, game, sizeof(r->game));
	*s = ++t->n;
	return (r);
}

void
rep_free(struct rep_rows *t)
{
	free(t->row);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static int
row_cmp(const void *a, const void *b)
{
	const struct rep_row *x = a, *y = b;
	int d;

	if (x->day != y->day)
		return (x->day < y->day ? -1 : 1);
	if ((d = strcmp(x->wallet, y->wallet)) != 0)
		return (d);
	return (strcmp(x->game, y->game));
}

static void
day_str(uint32_t day, char out[16])
{
	snprintf(out, 16, "%04u-%02u-%02u", day / 10000, day / 100 % 100,
	    day % 100);
}

static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
print_json(const struct rep_row *r)
{
	char day[16];
	struct jw j;

	day_str(r->day, day);
	jw_begin(&j, stdout);
	jw_str(&j, "day", day);
	if (r->wallet[0] != '\0')
		jw_str(&j, "wallet", r->wallet);
	else
		jw_null(&j, "wallet");
	if (r->game[0] != '\0')
		jw_str(&j, "game", r->game);
	else
		jw_null(&j, "game");
	jw_uint(&j, "sessions", r->sessions);
	jw_uint(&j, "billed_minutes", r->minutes);
	jw_int(&j, "charged", r->charged);
	jw_int(&j, "credits", r->credits);
	jw_int(&j, "debits", r->debits);
	jw_end(&j);
}

static void
print_csv(const struct rep_row *r, const char *day)
{
	fputs(day, stdout);
	putchar(',');
	csv_field(r->wallet);
	putchar(',');
	csv_field(r->game);
	printf(",%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%" PRId64 ",%" PRId64
	    "\r\n", r->sessions, r->minutes, r->charged, r->credits,
	    r->debits);
}

static void
print_text(const struct rep_row *r, const char *day)
{
	printf("%-10s  %-23s %-23s %8" PRIu64 " %8" PRIu64 " %12" PRId64
	    " %12" PRId64 " %12" PRId64 "\n", day, r->wallet[0] != '\0' ?
	    r->wallet : "-", r->game[0] != '\0' ? r->game : "-", r->sessions,
	    r->minutes, r->charged, r->credits, r->debits);
}

static void
print_row(const struct rep_row *r, enum rep_fmt fmt, const char *label)
{
	char day[16];

	if (label != NULL)
		(void)strlcpy(day, label, sizeof(day));
	else
		day_str(r->day, day);
	if (fmt == REP_JSON)
		print_json(r);
	else if (fmt == REP_CSV)
		print_csv(r, day);
	else
		print_text(r, day);
}

void
rep_print(struct rep_rows *t, enum rep_fmt fmt)
{
	struct rep_row total;
	size_t i;

	if (t->n > 0)
		qsort(t->row, t->n, sizeof(*t->row), row_cmp);
	if (fmt == REP_CSV)
		fputs("day,wallet,game,sessions,billed_minutes,charged,"
		    "credits,debits\r\n", stdout);
	else if (fmt == REP_TEXT)
		printf("%-10s  %-23s %-23s %8s %8s %12s %12s %12s\n", "DAY",
		    "WALLET", "GAME", "SESSIONS", "MINUTES", "CHARGED",
		    "CREDITS", "DEBITS");
	memset(&total, 0, sizeof(total));
	for (i = 0; i < t->n; i++) {
		print_row(&t->row[i], fmt, NULL);
		total.sessions += t->row[i].sessions;
		total.minutes += t->row[i].minutes;
		total.charged += t->row[i].charged;
		total.credits += t->row[i].credits;
		total.debits += t->row[i].debits;
	}
	/* JSON consumers add up themselves; people and sheets get a total. */
	if (fmt != REP_JSON)
		print_row(&total, fmt, "total");
}
