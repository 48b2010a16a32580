/*
 * A worker's HTTP service: evhttp on the listening sockets the master
 * opened: inherited, not SO_REUSEPORT, whose per-worker queues lose their
 * connections when a worker exits.  One evhttp for the API listeners,
 * another for metrics-listen, which answers the operator endpoints only.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <stdlib.h>

#include "pw.h"
#include "pw_http.h"
#include "http.h"

static void
raise_nofile(struct worker *w)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur > 1048576)
		rl.rlim_cur = 1048576;
	w->maxfd = (int)rl.rlim_cur;
	if ((w->conns = calloc((size_t)w->maxfd, sizeof(*w->conns))) == NULL)
		fatal("calloc");
}

static struct evhttp *
new_http(struct worker *w, void (*cb)(struct evhttp_request *, void *),
    int ops)
{
	const struct pw_config *cfg = w->cfg;
	struct evhttp *h;

	if ((h = evhttp_new(w->base)) == NULL)
		fatalx("evhttp_new");
	/* Every method reaches us, so 405 is ours and in JSON. */
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(h, cfg->max_header);
	/*
	 * Route and size are decided from the head before evhttp reads a
	 * body (http_input.c); this bounds only chunked bodies.
	 */
	evhttp_set_max_body_size(h, PW_HTTP_BODY_LIMIT(cfg));
	evhttp_set_timeout(h, (int)cfg->idle_timeout);
	evhttp_set_gencb(h, cb, w);
	evhttp_set_bevcb(h, ops ? http_conn_new_ops : http_conn_new, w);
	return (h);
}

static void
bind_http(struct worker *w, struct evhttp *h, const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((w->bound[w->nbound++] = evhttp_accept_socket_with_handle(h,
		    fds[i])) == NULL)
			fatalx("evhttp_accept_socket");
}

static void
setup_http(struct worker *w)
{
	if ((w->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	w->http = new_http(w, http_dispatch, 0);
	bind_http(w, w->http, w->ctx->listen_fd, w->ctx->nlisten);
	if (w->ctx->nmetrics > 0) {
		w->ops_http = new_http(w, http_dispatch_ops, 1);
		bind_http(w, w->ops_http, w->ctx->metrics_fd,
		    w->ctx->nmetrics);
	}
	w->accepting = 1;
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
	raise_nofile(w);
	setup_http(w);
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
	http_conn_tick(w);
}
