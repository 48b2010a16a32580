/*
 * A worker's HTTP service: the engine on this worker's event loop, on the
 * listening sockets the master opened.  The API listeners serve every
 * endpoint; metrics-listen ones the operator endpoints only.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "pw.h"
#include "pw_http.h"
#include "http.h"

/* Slack for a pipelined request's first bytes and chunk framing. */
#define IN_SLACK	8192
#define POOL_SLOTS	256
#define LINGER_SECS	5

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* One libevent common timeout per deadline: a queue, not a heap entry. */
static const struct timeval *
common(struct worker *w, int64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };
	const struct timeval *ct;

	if ((ct = event_base_init_common_timeout(w->base, &tv)) == NULL)
		fatalx("event_base_init_common_timeout");
	return (ct);
}

static void
timeouts(struct worker *w)
{
	const struct pw_config *cfg = w->cfg;

	w->tv_header = common(w, cfg->header_timeout);
	w->tv_body = common(w, cfg->body_timeout);
	w->tv_idle = common(w, cfg->idle_timeout);
	w->tv_write = common(w, cfg->write_timeout);
	w->tv_linger = common(w, LINGER_SECS);
}

struct worker *
http_worker_new(struct pw_ctx *ctx, struct event_base *base, int index)
{
	struct worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatal("calloc");
	w->ctx = ctx;
	w->st = &ctx->st;
	w->cfg = ctx->cfg;
	w->index = index;
	w->base = base;
	w->in_size = (size_t)(w->cfg->max_header + w->cfg->max_body) +
	    IN_SLACK;
	w->free_in = calloc(POOL_SLOTS, sizeof(*w->free_in));
	w->free_out = calloc(POOL_SLOTS, sizeof(*w->free_out));
	if (w->free_in == NULL || w->free_out == NULL)
		fatal("calloc");
	raise_nofile();
	timeouts(w);
	http_clock(w);
	http_accept_start(w);
	return (w);
}

int
http_worker_drain(struct worker *w)
{
	if (w->draining)
		return (-1);
	http_conn_drain(w);
	return (w->nconn > 0);
}

void
http_worker_tick(struct worker *w)
{
	http_clock(w);
}

void
http_worker_adopt(struct worker *w, int fd, const struct sockaddr *sa,
    unsigned salen)
{
	http_conn_open(w, fd, sa, (socklen_t)salen, 0, 0);
}
