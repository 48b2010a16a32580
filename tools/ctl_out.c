/*
 * Output helpers: a small streaming JSON writer (strings quoted by the
 * daemon's own pw_json_quote), and times and durations for people.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pw_json.h"
#include "ctl.h"

static void
jw_quote(FILE *fp, const char *s)
{
	char buf[256], *p = buf;
	size_t n, need;

	n = strlen(s);
	need = pw_json_quote(buf, sizeof(buf), s, n) + 1;
	if (need > sizeof(buf)) {
		if ((p = malloc(need)) == NULL)
			ctl_die("out of memory");
		(void)pw_json_quote(p, need, s, n);
	}
	fputs(p, fp);
	if (p != buf)
		free(p);
}

/* A comma before every member but the first, then the key if any. */
static void
jw_key(struct jw *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->fp);
	j->first[j->depth] = 0;
	if (key != NULL) {
		jw_quote(j->fp, key);
		fputc(':', j->fp);
	}
}

void
jw_begin(struct jw *j, FILE *fp)
{
	j->fp = fp;
	j->depth = 0;
	j->first[0] = 1;
	fputc('{', fp);
}

void
jw_end(struct jw *j)
{
	fputs("}\n", j->fp);
}

void
jw_open(struct jw *j, const char *key, int arr)
{
	jw_key(j, key);
	fputc(arr ? '[' : '{', j->fp);
	if (j->depth + 1 < (int)(sizeof(j->first) / sizeof(j->first[0])))
		j->depth++;
	j->first[j->depth] = 1;
}

void
jw_close(struct jw *j, int arr)
{
	fputc(arr ? ']' : '}', j->fp);
	if (j->depth > 0)
		j->depth--;
}

/* A number already written as JSON text ("12", "0.000250"). */
void
jw_num(struct jw *j, const char *key, const char *text)
{
	jw_key(j, key);
	fputs(text, j->fp);
}

void
jw_str(struct jw *j, const char *key, const char *val)
{
	jw_key(j, key);
	jw_quote(j->fp, val);
}

void
jw_int(struct jw *j, const char *key, int64_t val)
{
	jw_key(j, key);
	fprintf(j->fp, "%" PRId64, val);
}

void
jw_uint(struct jw *j, const char *key, uint64_t val)
{
	jw_key(j, key);
	fprintf(j->fp, "%" PRIu64, val);
}

void
jw_bool(struct jw *j, const char *key, int val)
{
	jw_key(j, key);
	fputs(val ? "true" : "false", j->fp);
}

void
jw_null(struct jw *j, const char *key)
{
	jw_key(j, key);
	fputs("null", j->fp);
}

void
ctl_iso(uint32_t secs, char out[32])
{
	struct tm tm;
	time_t t = (time_t)secs;

	if (secs == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "-");
}

void
ctl_dur(uint64_t s, char out[32])
{
	if (s >= 86400)
		snprintf(out, 32, "%llud%02lluh%02llum",
		    (unsigned long long)(s / 86400),
		    (unsigned long long)(s % 86400 / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(out, 32, "%lluh%02llum%02llus",
		    (unsigned long long)(s / 3600),
		    (unsigned long long)(s % 3600 / 60),
		    (unsigned long long)(s % 60));
	else if (s >= 60)
		snprintf(out, 32, "%llum%02llus", (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
	else
		snprintf(out, 32, "%llus", (unsigned long long)s);
}
