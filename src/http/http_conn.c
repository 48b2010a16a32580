/*
 * Connections.  Every accepted connection gets a thin bufferevent filter
 * in front of evhttp (evhttp_set_bevcb), for what libevent 2.1's evhttp
 * cannot do itself:
 *
 *  - a header deadline and a body deadline, as absolute times from the
 *    first byte of a request; evhttp only knows an inactivity timeout, so
 *    a slowloris client trickling a byte a second would never be cut;
 *  - a per-worker connection count, so a worker stops accepting at
 *    max-connections and leaves new connections to the others;
 *  - strict framing and the decisions made from a request's head alone
 *    (http_input.c): evhttp 2.1 is lenient, and it shows us a request
 *    only once its body has been read (its header callback can be set
 *    on a request we never get to see before its headers: 2.2 added
 *    evhttp_set_newreqcb for that);
 *  - JSON instead of HTML: evhttp's own error pages (2.2 has
 *    evhttp_set_errorcb; 2.1 has no hook) are told from our replies by
 *    the connection's state, never by what a reply contains (http_io.c);
 *  - the socket's reads and writes, without a system call per request
 *    beyond them (http_io.c).
 *
 * This file has the connection's life and limits.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "http_connection.h"

static void
listeners_enable(struct worker *w, int on)
{
	struct evconnlistener *l;
	int i;

	if (w->accepting == on || (on && w->draining))
		return;
	for (i = 0; i < w->nbound; i++) {
		l = evhttp_bound_socket_get_listener(w->bound[i]);
		if (on)
			evconnlistener_enable(l);
		else
			evconnlistener_disable(l);
	}
	w->accepting = on;
}

/*
 * A request that took too long to arrive.  evhttp is told directly: the
 * read event that would see the shutdown may be off (conn_pause).
 */
static void
conn_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;

	if (c->fd != -1)
		(void)shutdown(c->fd, SHUT_RDWR);
	if (!conn_alive(c))
		return;
	bufferevent_incref(c->bev);
	conn_stop_reading(c);
	bufferevent_trigger_event(c->under, BEV_EVENT_READING |
	    BEV_EVENT_TIMEOUT, 0);
	bufferevent_decref(c->bev);
}

/* evhttp has handed the accepted socket to the bufferevent under us. */
static void
conn_attach(evutil_socket_t unused, short ev, void *arg)
{
	struct pw_conn *c = arg;
	struct worker *w = c->w;
	socklen_t len = sizeof(c->peer);

	c->fd = bufferevent_getfd(c->under);
	if (c->fd < 0)
		return;
	c->peer_known = getpeername(c->fd, (struct sockaddr *)&c->peer,
	    &len) == 0;
	if (c->fd < w->maxfd)
		w->conns[c->fd] = c;
	c->rd = event_new(w->base, c->fd, EV_READ | EV_PERSIST, conn_read, c);
	c->wr = event_new(w->base, c->fd, EV_WRITE, conn_writable, c);
	if (c->rd == NULL || c->wr == NULL || event_add(c->rd, NULL) == -1) {
		log_warnx("connection on fd %d: cannot watch it", c->fd);
		(void)shutdown(c->fd, SHUT_RDWR);
		conn_stop_reading(c);
		bufferevent_trigger_event(c->under, BEV_EVENT_READING |
		    BEV_EVENT_ERROR, 0);
	}
}

/* Once a second: the paused connections try again (a backstop). */
void
http_conn_tick(struct worker *w)
{
	struct pw_conn *c;
	int fd;

	for (fd = 0; fd < w->maxfd && w->npaused > 0; fd++)
		if ((c = w->conns[fd]) != NULL && c->paused &&
		    conn_alive(c))
			conn_resume(c);
}

static void
conn_free(void *arg)
{
	struct pw_conn *c = arg;
	struct worker *w = c->w;

	if (c->fd >= 0 && c->fd < w->maxfd && w->conns[c->fd] == c)
		w->conns[c->fd] = NULL;
	if (c->paused)
		w->npaused--;
	/* Before the socket bufferevent closes the descriptor under it. */
	if (c->rd != NULL)
		event_free(c->rd);
	if (c->wr != NULL)
		event_free(c->wr);
	/*
	 * libevent 2.1 can leave the socket bufferevent's read callback
	 * pointing at the freed filter; data arriving then would call us
	 * with this context.  We hold our own reference to it, so it is
	 * still there to be silenced before we let it go.
	 */
	bufferevent_setcb(c->under, NULL, NULL, NULL, NULL);
	bufferevent_disable(c->under, EV_READ | EV_WRITE);
	bufferevent_decref(c->under);
	/*
	 * Nor does 2.1 take a filter's generic (timer-only) timeout events
	 * out of the timer heap when it frees the filter: the next timer
	 * operation would walk freed memory.  Clear them while it exists.
	 */
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	event_free(c->timer);
	event_free(c->attach);
	if (c->refusal != NULL)
		evbuffer_free(c->refusal);
	/* Refused, and gone before its turn to be answered: logged still. */
	conn_log_refusal(c);
	free(c);
	if (--w->nconn < w->cfg->max_connections)
		listeners_enable(w, 1);
	if (w->draining && w->nconn == 0)
		event_base_loopbreak(w->base);
}

static struct bufferevent *
conn_new(struct event_base *base, struct worker *w, int ops)
{
	struct pw_conn *c;
	struct bufferevent *under, *bev;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->w = w;
	c->ops = ops;
	c->fd = -1;
	c->in = IN_HEAD;
	pw_frame_init(&c->fr, (size_t)w->cfg->max_header);
	under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(base, conn_deadline, c);
	c->attach = event_new(base, -1, 0, conn_attach, c);
	if (under == NULL || c->timer == NULL || c->attach == NULL)
		goto fail;
	bev = bufferevent_filter_new(under, conn_in, conn_out,
	    BEV_OPT_CLOSE_ON_FREE, conn_free, c);
	if (bev == NULL)
		goto fail;
	c->under = under;
	c->bev = bev;
	bufferevent_incref(under);
	/* We read and write the socket (see the top of this file). */
	bufferevent_disable(under, EV_READ | EV_WRITE);
	/* Runs once this accept callback is over, evhttp's setfd done. */
	event_active(c->attach, EV_TIMEOUT, 0);
	if (++w->nconn >= w->cfg->max_connections) {
		pw_count(w->st, PW_C_CONN_REFUSED, 1);
		listeners_enable(w, 0);
	}
	return (bev);
fail:
	if (under != NULL)
		bufferevent_free(under);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->attach != NULL)
		event_free(c->attach);
	free(c);
	return (NULL);
}

struct bufferevent *
http_conn_new(struct event_base *base, void *arg)
{
	return (conn_new(base, arg, 0));
}

struct bufferevent *
http_conn_new_ops(struct event_base *base, void *arg)
{
	return (conn_new(base, arg, 1));
}

void
http_conn_drain(struct worker *w)
{
	listeners_enable(w, 0);
	w->draining = 1;
}
