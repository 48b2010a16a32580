/*
 * Clocks.  Why wall-clock time is used for stored durations is explained
 * in pw.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pw.h"

uint64_t
pw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

uint32_t
pw_now(void)
{
	return ((uint32_t)time(NULL));
}

uint64_t
pw_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

void
pw_iso8601_ms(uint64_t ms, char out[32])
{
	struct tm tm;
	time_t t;

	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		out[0] = '\0';
	snprintf(out + strlen(out), 8, ".%03uZ", (unsigned)(ms % 1000));
}
