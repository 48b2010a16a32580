/*
 * framebench: the cost of the strict framing scan (src/http/http_frame.c)
 * that reads every request head, in nanoseconds per head and per byte.
 *
 *	framebench [-n heads] [-r rounds] [-m whole | pieces | bytes]
 *
 * Heads: the heartbeat as wrk sends it in make bench, and a larger one
 * as a game server's HTTP client sends it (a user agent, Accept and a
 * request id).  Each is fed whole (one read), in two pieces (a head cut
 * by a read), and a byte at a time (a trickling client, the worst case),
 * then given its verdict, as the input path does.  Each row is the median
 * of the rounds: the machine is shared, compare rows, not absolutes (or
 * count instructions: perf stat -e instructions framebench -m whole).
 */
#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw_frame.h"

#define HEAD_MAX	8192	/* max-header's default */
#define ROUNDS_MAX	99

static const struct {
	const char	*name;
	const char	*head;
} heads[] = {
	{ "wrk-heartbeat",
	    "PATCH /v1/game/session/heartbeat HTTP/1.1\r\n"
	    "Host: 127.0.0.1:8080\r\n"
	    "Content-Length: 83\r\n"
	    "Content-Type: application/json\r\n"
	    "X-Api-Key: bench-key-fq\r\n"
	    "\r\n" },
	{ "sdk-heartbeat",
	    "PATCH /v1/game/session/heartbeat HTTP/1.1\r\n"
	    "Host: api.playwave.example\r\n"
	    "User-Agent: Roblox/Linux\r\n"
	    "Accept: */*\r\n"
	    "Accept-Encoding: gzip, deflate\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 83\r\n"
	    "X-Api-Key: change-me-fq\r\n"
	    "X-Request-ID: 7f9c2ba4e88f827d6160\r\n"
	    "\r\n" },
};

enum mode { WHOLE, HALVES, BYTES, NMODES };
static const char *mode_name[NMODES] = { "whole", "pieces", "bytes" };

static double
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec);
}

/* One head through the scan, as the input path feeds it. */
static int64_t
scan(const char *h, size_t n, enum mode m)
{
	struct pw_frame f;
	enum pw_frame_rc rc = PW_FRAME_MORE;
	size_t off = 0, step, u;

	step = m == WHOLE ? n : m == HALVES ? n / 2 + 1 : 1;
	pw_frame_init(&f, HEAD_MAX);
	while (off < n && rc == PW_FRAME_MORE) {
		u = n - off < step ? n - off : step;
		rc = pw_frame_feed(&f, h + off, u, &u);
		off += u;
	}
	if (rc != PW_FRAME_DONE || off != n || pw_frame_verdict(&f) !=
	    PW_FV_OK)
		errx(1, "the scan refused a good head: %s", f.why != NULL ?
		    f.why : "not done");
	return (f.clen);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	double t[ROUNDS_MAX], t0;
	const char *errstr;
	int64_t sink = 0;
	long nheads = 200000, rounds = 9, i, r;
	size_t h, n;
	int ch, m, only = -1;

	while ((ch = getopt(argc, argv, "m:n:r:")) != -1) {
		switch (ch) {
		case 'n':
			nheads = strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL)
				errx(1, "-n %s: %s", optarg, errstr);
			break;
		case 'm':
			for (only = 0; only < NMODES; only++)
				if (strcmp(optarg, mode_name[only]) == 0)
					break;
			if (only == NMODES)
				errx(1, "-m %s: whole, pieces or bytes",
				    optarg);
			break;
		case 'r':
			rounds = strtonum(optarg, 1, ROUNDS_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "-r %s: %s", optarg, errstr);
			break;
		default:
			fprintf(stderr, "usage: framebench [-n heads] "
			    "[-r rounds] [-m whole | pieces | bytes]\n");
			return (2);
		}
	}
	printf("framebench: median of %ld rounds of %ld heads\n", rounds,
	    nheads);
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		n = strlen(heads[h].head);
		for (m = 0; m < NMODES; m++) {
			if (only != -1 && m != only)
				continue;
			for (r = 0; r < rounds; r++) {
				t0 = now_ns();
				for (i = 0; i < nheads; i++)
					sink += scan(heads[h].head, n, m);
				t[r] = (now_ns() - t0) / (double)nheads;
			}
			qsort(t, (size_t)rounds, sizeof(t[0]), cmp);
			printf("%-14s %3zu B  %-8s %8.1f ns/head %6.2f "
			    "ns/byte\n", heads[h].name, n, mode_name[m],
			    t[rounds / 2], t[rounds / 2] / (double)n);
		}
	}
	/* Keeps the compiler from dropping the scans. */
	return (sink == 0 ? 1 : 0);
}
