/*
 * What replies say of the time, made once a second: the Date header and
 * the seconds of error timestamps (strftime(3) is not cheap per reply).
 */
#include <sys/types.h>

#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "http.h"

void
http_clock(struct worker *w)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct timeval now;
	struct tm tm;
	time_t t;

	(void)event_base_gettimeofday_cached(w->base, &now);
	if ((t = now.tv_sec) == w->now_s)
		return;
	w->now_s = t;
	(void)gmtime_r(&t, &tm);
	w->datelen = strftime(w->date, sizeof(w->date), "Date: ___, %d ___ "
	    "%Y %H:%M:%S GMT\r\n", &tm);
	memcpy(w->date + 6, days + 3 * tm.tm_wday, 3);
	memcpy(w->date + 14, months + 3 * tm.tm_mon, 3);
	(void)strftime(w->iso, sizeof(w->iso), "%Y-%m-%dT%H:%M:%S", &tm);
}


/* This instant as 2026-03-06T12:00:00.000Z, the seconds made once. */
void
http_clock_iso(struct worker *w, struct pw_buf *b)
{
	struct timeval now;
	unsigned ms;
	char frac[5];

	(void)event_base_gettimeofday_cached(w->base, &now);
	ms = (unsigned)(now.tv_usec / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + ms / 100);
	frac[2] = (char)('0' + ms / 10 % 10);
	frac[3] = (char)('0' + ms % 10);
	frac[4] = 'Z';
	pw_buf_str(b, w->iso);
	pw_buf_mem(b, frac, sizeof(frac));
}
