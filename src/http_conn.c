/*
 * Connections.  Every accepted connection gets a thin bufferevent filter
 * in front of evhttp (evhttp_set_bevcb), for three things libevent 2.1's
 * evhttp cannot do itself:
 *
 *  - a header deadline and a body deadline, as absolute times from the
 *    first byte of a request; evhttp only knows an inactivity timeout, so
 *    a slowloris client trickling a byte a second would never be cut;
 *  - a per-worker connection count, so a worker stops accepting at
 *    max-connections and leaves new connections to the others;
 *  - JSON instead of HTML: for a request line or headers it cannot parse,
 *    or a body beyond its hard limit, evhttp answers with its own HTML
 *    page before any of our code runs (2.2 has evhttp_set_errorcb; 2.1
 *    has no hook).  The output side of the filter replaces such a page
 *    with our JSON envelope.  Our own replies pass through untouched.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_http.h"

enum conn_state { C_IDLE, C_HEAD, C_BODY };

struct pw_conn {
	struct worker		*w;
	struct bufferevent	*bev;		/* the filter evhttp talks to */
	struct bufferevent	*under;
	struct event		*timer;
	struct event		*kick;
	enum conn_state		 state;
	int			 fd;
	int			 crlf;		/* progress through "\r\n\r\n" */
	int			 rewritten;
};

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

static void
conn_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;

	/* evhttp sees the end of the stream and frees the connection. */
	if (c->fd != -1)
		(void)shutdown(c->fd, SHUT_RDWR);
}

/*
 * libevent 2.1's filter only moves output on while EV_WRITE is enabled,
 * and evhttp writes a reply before it enables EV_WRITE: without a nudge
 * the reply would sit in the filter.  After each read (evhttp answers in
 * the same callback) and each reply, the kick flushes what is waiting.
 */
static void
conn_kick(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		(void)bufferevent_flush(c->bev, EV_WRITE, BEV_NORMAL);
}

static void
arm(struct pw_conn *c, int64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(c->timer, &tv);
}

static void
conn_register(struct pw_conn *c)
{
	struct worker *w = c->w;

	if (c->fd != -1)
		return;
	c->fd = bufferevent_getfd(c->under);
	if (c->fd >= 0 && c->fd < w->maxfd)
		w->conns[c->fd] = c;
}

/* Follow the request through "\r\n\r\n" without copying a byte. */
static void
scan_head(struct pw_conn *c, struct evbuffer *src)
{
	static const char end[] = "\r\n\r\n";
	struct evbuffer_iovec v[8];
	const char *p;
	int n, i;
	size_t j;

	n = evbuffer_peek(src, -1, NULL, v, 8);
	for (i = 0; i < n && i < 8; i++) {
		p = v[i].iov_base;
		for (j = 0; j < v[i].iov_len; j++) {
			if (p[j] == end[c->crlf])
				c->crlf++;
			else
				c->crlf = p[j] == '\r' ? 1 : 0;
			if (c->crlf == 4) {
				c->state = C_BODY;
				arm(c, c->w->cfg->body_timeout);
				return;
			}
		}
	}
}

static enum bufferevent_filter_result
conn_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct pw_conn *c = arg;

	conn_register(c);
	if (c->state == C_IDLE && evbuffer_get_length(src) > 0) {
		c->state = C_HEAD;
		c->crlf = 0;
		arm(c, c->w->cfg->header_timeout);
	}
	if (c->state == C_HEAD)
		scan_head(c, src);
	evbuffer_add_buffer(dst, src);
	event_active(c->kick, EV_TIMEOUT, 0);
	return (BEV_OK);
}

/*
 * Hand output to the socket ourselves when nothing is queued before it.
 * The filter reports a reply written as soon as it leaves the filter, and
 * evhttp then shuts a closing connection down (shutdown(2), close(2))
 * before the socket bufferevent under us would have sent it.  Writing
 * straight to the socket puts the reply on the wire first; only what the
 * socket does not take now is queued below us.  It also saves a trip
 * through the event loop on every reply.
 */
static void
conn_send_n(struct pw_conn *c, struct evbuffer *src, struct evbuffer *dst,
    size_t n)
{
	int w;

	conn_register(c);
	if (n > 0 && c->fd >= 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->under)) == 0) {
		w = evbuffer_write_atmost(src, c->fd, (ev_ssize_t)n);
		if (w > 0)
			n -= (size_t)w;
	}
	if (n > 0)
		evbuffer_remove_buffer(src, dst, n);
}

static enum bufferevent_filter_result
conn_send(struct pw_conn *c, struct evbuffer *src, struct evbuffer *dst)
{
	conn_send_n(c, src, dst, evbuffer_get_length(src));
	return (BEV_OK);
}

/* Parse "HTTP/1.x NNN" at the start of an evhttp error page. */
static int
page_status(struct evbuffer *src, struct evbuffer_ptr *at)
{
	char line[16];

	if (evbuffer_copyout_from(src, at, line, 12) != 12 ||
	    memcmp(line, "HTTP/1.", 7) != 0)
		return (400);
	line[12] = '\0';
	return (atoi(line + 9));
}

/*
 * An evhttp error page is the last reply on its connection (it always
 * closes after one), and evhttp writes it whole in one call, so the
 * output buffer holds it complete when this runs.
 */
static enum bufferevent_filter_result
conn_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct pw_conn *c = arg;
	struct evbuffer_ptr html, start, p;
	char page[512];
	size_t n;
	int status;

	html = evbuffer_search(src, "<HTML><HEAD>", 12, NULL);
	if (html.pos == -1)
		return (conn_send(c, src, dst));
	/* The page's status line is the last "HTTP/1." before its body. */
	start.pos = -1;
	for (p = evbuffer_search(src, "HTTP/1.", 7, NULL);
	    p.pos != -1 && p.pos < html.pos;
	    p = evbuffer_search(src, "HTTP/1.", 7, &p)) {
		start = p;
		if (evbuffer_ptr_set(src, &p, 1, EVBUFFER_PTR_ADD) == -1)
			break;
	}
	if (start.pos == -1) {
		evbuffer_add_buffer(dst, src);
		return (BEV_OK);
	}
	status = page_status(src, &start);
	conn_send_n(c, src, dst, (size_t)start.pos);
	evbuffer_drain(src, evbuffer_get_length(src));
	n = reply_error_page(c->w, page, sizeof(page), status,
	    status == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
	    status == 413 ? "request headers or body too large" :
	    "malformed HTTP request");
	evbuffer_add(src, page, n);
	c->rewritten = 1;
	return (conn_send(c, src, dst));
}

static void
conn_free(void *arg)
{
	struct pw_conn *c = arg;
	struct worker *w = c->w;

	if (c->fd >= 0 && c->fd < w->maxfd && w->conns[c->fd] == c)
		w->conns[c->fd] = NULL;
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
	event_free(c->kick);
	free(c);
	if (--w->nconn < w->cfg->max_connections)
		listeners_enable(w, 1);
	if (w->draining && w->nconn == 0)
		event_base_loopbreak(w->base);
}

struct bufferevent *
http_conn_new(struct event_base *base, void *arg)
{
	struct worker *w = arg;
	struct pw_conn *c;
	struct bufferevent *under, *bev;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->w = w;
	c->fd = -1;
	under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(base, conn_deadline, c);
	c->kick = event_new(base, -1, 0, conn_kick, c);
	if (under == NULL || c->timer == NULL || c->kick == NULL)
		goto fail;
	bev = bufferevent_filter_new(under, conn_in, conn_out,
	    BEV_OPT_CLOSE_ON_FREE, conn_free, c);
	if (bev == NULL)
		goto fail;
	c->under = under;
	c->bev = bev;
	bufferevent_incref(under);
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
	event_free(c->kick);
	free(c);
	return (NULL);
}

static struct pw_conn *
conn_of(struct worker *w, struct evhttp_request *req)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev, *under;
	int fd;

	/* The filter has no fd of its own in 2.1: ask the socket under it. */
	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (under = bufferevent_get_underlying(bev)) == NULL)
		return (NULL);
	fd = bufferevent_getfd(under);
	if (fd < 0 || fd >= w->maxfd)
		return (NULL);
	return (w->conns[fd]);
}

/* The request is complete: the connection is idle until its next one. */
struct bufferevent *
http_conn_request_done(struct worker *w, struct evhttp_request *req)
{
	struct pw_conn *c;

	if ((c = conn_of(w, req)) == NULL)
		return (NULL);
	c->state = C_IDLE;
	c->crlf = 0;
	evtimer_del(c->timer);
	return (c->bev);
}

/* Our reply is queued and EV_WRITE enabled: send it now (see conn_kick). */
void
http_conn_flush(struct bufferevent *bev)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		(void)bufferevent_flush(bev, EV_WRITE, BEV_NORMAL);
}

void
http_conn_drain(struct worker *w)
{
	listeners_enable(w, 0);
	w->draining = 1;
}
