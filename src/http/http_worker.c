/*
 * A worker: one libevent loop serving evhttp on the listening sockets the
 * master opened: inherited, not SO_REUSEPORT, whose per-worker queues lose
 * their connections when a worker exits.  Its event base is created after
 * fork, never shared across it: libevent's internal pipes would be.  SIGTERM stops accepting, lets the
 * requests already on the wire finish and exits; a once-a-second tick
 * notices a master that is gone.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "http.h"

#define DRAIN_SECS	2

static void
worker_stop(evutil_socket_t sig, short ev, void *arg)
{
	struct worker *w = arg;
	struct timeval tv = { DRAIN_SECS, 0 };

	if (w->draining)
		return;
	http_conn_drain(w);
	/* Requests in flight have this long to finish; then we go. */
	event_base_loopexit(w->base, w->nconn > 0 ? &tv : NULL);
}

static void
worker_usr1(evutil_socket_t sig, short ev, void *arg)
{
	struct worker *w = arg;

	(void)log_reopen();
	if (proc_access_open(w->ctx) == -1)
		log_warn("reopen %s", w->cfg->access_log);
}

static void
worker_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	if (proc_orphaned(w->ctx))
		worker_stop(SIGTERM, 0, w);
	http_conn_tick(w);
}

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

/* With epoll, fold each add/delete pair of a request into one call. */
static struct event_base *
new_base(void)
{
	struct event_config *ec;
	struct event_base *b;

	if ((ec = event_config_new()) == NULL)
		return (NULL);
	event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	b = event_base_new_with_config(ec);
	event_config_free(ec);
	return (b);
}

void
worker_main(struct pw_ctx *ctx, int index)
{
	static struct worker w;
	struct event *ev_term, *ev_int, *ev_usr1, *ev_tick;
	struct timeval sec = { 1, 0 };
	char name[32];

	snprintf(name, sizeof(name), "worker %d", index);
	proc_child_setup(ctx, name);
	pw_store_set_cell(&ctx->st, (unsigned)index);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	w.ctx = ctx;
	w.st = &ctx->st;
	w.cfg = ctx->cfg;
	w.index = index;
	raise_nofile(&w);
	if ((w.base = new_base()) == NULL)
		fatalx("event_base_new");
	setup_http(&w);
	ev_term = evsignal_new(w.base, SIGTERM, worker_stop, &w);
	ev_int = evsignal_new(w.base, SIGINT, worker_stop, &w);
	ev_usr1 = evsignal_new(w.base, SIGUSR1, worker_usr1, &w);
	ev_tick = event_new(w.base, -1, EV_PERSIST, worker_tick, &w);
	if (ev_term == NULL || ev_int == NULL || ev_usr1 == NULL ||
	    ev_tick == NULL || evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_usr1, NULL) == -1 ||
	    event_add(ev_tick, &sec) == -1)
		fatalx("worker events");
	proc_child_ready();
	event_base_dispatch(w.base);
	exit(0);
}
