/*
 * A worker process: one libevent loop around the HTTP service
 * (http_worker.c).  Its event base is created after fork, never shared
 * across it: libevent's internal pipes would be.  SIGTERM stops
 * accepting, lets the requests already on the wire finish and exits;
 * SIGUSR1 reopens the logs; a once-a-second tick notices a master that
 * is gone.
 */
#include <sys/types.h>

#include <event2/event.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_http.h"

#define DRAIN_SECS	2

struct wproc {
	struct pw_ctx		*ctx;
	struct event_base	*base;
	struct worker		*http;
};

static void
worker_stop(evutil_socket_t sig, short ev, void *arg)
{
	struct wproc *p = arg;
	struct timeval tv = { DRAIN_SECS, 0 };
	int open;

	if ((open = http_worker_drain(p->http)) == -1)
		return;
	/* Requests in flight have this long to finish; then we go. */
	event_base_loopexit(p->base, open ? &tv : NULL);
}

static void
worker_usr1(evutil_socket_t sig, short ev, void *arg)
{
	struct wproc *p = arg;

	(void)log_reopen();
	if (proc_access_open(p->ctx) == -1)
		log_warn("reopen %s", p->ctx->cfg->access_log);
}

static void
worker_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct wproc *p = arg;

	if (proc_orphaned(p->ctx))
		worker_stop(SIGTERM, 0, p);
	http_worker_tick(p->http);
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

static void
add_events(struct wproc *p)
{
	struct event *ev_term, *ev_int, *ev_usr1, *ev_tick;
	struct timeval sec = { 1, 0 };

	ev_term = evsignal_new(p->base, SIGTERM, worker_stop, p);
	ev_int = evsignal_new(p->base, SIGINT, worker_stop, p);
	ev_usr1 = evsignal_new(p->base, SIGUSR1, worker_usr1, p);
	ev_tick = event_new(p->base, -1, EV_PERSIST, worker_tick, p);
	if (ev_term == NULL || ev_int == NULL || ev_usr1 == NULL ||
	    ev_tick == NULL || evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_usr1, NULL) == -1 ||
	    event_add(ev_tick, &sec) == -1)
		fatalx("worker events");
}

void
worker_main(struct pw_ctx *ctx, int index)
{
	static struct wproc p;
	char name[32];

	snprintf(name, sizeof(name), "worker %d", index);
	proc_child_setup(ctx, name);
	pw_store_set_cell(&ctx->st, (unsigned)index);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	p.ctx = ctx;
	if ((p.base = new_base()) == NULL)
		fatalx("event_base_new");
	p.http = http_worker_new(ctx, p.base, index);
	add_events(&p);
	proc_child_ready();
	event_base_dispatch(p.base);
	exit(0);
}
