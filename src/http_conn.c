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
 *
 * The socket itself is read and written here, not by the bufferevent
 * under the filter, whose EV_READ and EV_WRITE stay off.  evhttp turns
 * reading off and on again around every request; through a socket
 * bufferevent each of those turns became an epoll_ctl(2), and each read
 * an ioctl(FIONREAD), two system calls per request on top of the read
 * and the write.  Our one EV_READ|EV_PERSIST event is added once per
 * connection and never touched again; replies go out with one write.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <errno.h>
#include <limits.h>
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
	struct event		*attach;	/* once evhttp has set the fd */
	struct event		*rd;		/* EV_READ|EV_PERSIST on fd */
	enum conn_state		 state;
	int			 fd;
	int			 crlf;		/* progress through "\r\n\r\n" */
	int			 rewritten;
	int			 paused;	/* rd off: input over its cap */
};

/* Read at most this much per readiness; a larger body takes more. */
#define CONN_READ_CHUNK		4096
#define CONN_READ_MAX		(16 * CONN_READ_CHUNK)

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

static void
arm(struct pw_conn *c, int64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(c->timer, &tv);
}

/*
 * Fill the input of the bufferevent under the filter from the socket, as
 * bufferevent_socket would, minus its FIONREAD.  Returns what read(2)
 * last returned: > 0 data, 0 end of stream, -1 with errno.
 */
static ssize_t
conn_fill(struct pw_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->under);
	struct evbuffer_iovec v;
	size_t total = 0;
	ssize_t n;

	do {
		if (evbuffer_reserve_space(in, CONN_READ_CHUNK, &v, 1) != 1)
			return (-1);
		n = read(c->fd, v.iov_base, v.iov_len);
		v.iov_len = n > 0 ? (size_t)n : 0;
		if (evbuffer_commit_space(in, &v, 1) == -1)
			return (-1);
		if (n > 0)
			total += (size_t)n;
	} while (n > 0 && (size_t)n == CONN_READ_CHUNK &&
	    total < CONN_READ_MAX);
	if (total > 0)
		return ((ssize_t)total);
	return (n);
}

/*
 * Input the filter has not passed on yet; a client that keeps sending
 * while evhttp is not reading is left to TCP's flow control.
 */
static int
conn_over_cap(struct pw_conn *c)
{
	return (evbuffer_get_length(bufferevent_get_input(c->under)) +
	    evbuffer_get_length(bufferevent_get_input(c->bev)) >
	    (size_t)c->w->cfg->max_header + (size_t)c->w->cfg->max_body +
	    CONN_READ_MAX);
}

static void
conn_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;
	struct bufferevent *bev = c->bev;
	bufferevent_event_cb evcb;
	ssize_t n;

	/*
	 * bufferevent_free() clears evhttp's callbacks on the filter at
	 * once, but conn_free runs only later in the loop: in between,
	 * this event may still fire for a connection evhttp has let go.
	 */
	bufferevent_getcb(bev, NULL, NULL, &evcb, NULL);
	if (evcb == NULL) {
		event_del(c->rd);
		return;
	}
	if (conn_over_cap(c)) {
		event_del(c->rd);
		c->paused = 1;
		c->w->npaused++;
		return;
	}
	n = conn_fill(c);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	/* Whatever runs below may free the connection: hold it till done. */
	bufferevent_incref(bev);
	if (n > 0)
		bufferevent_trigger(c->under, EV_READ,
		    BEV_TRIG_IGNORE_WATERMARKS);
	else {
		event_del(c->rd);
		bufferevent_trigger_event(c->under, BEV_EVENT_READING |
		    (n == 0 ? BEV_EVENT_EOF : BEV_EVENT_ERROR), 0);
	}
	/*
	 * An error page evhttp wrote itself sits in the filter until
	 * something flushes it: 2.1's filter moves output on only while
	 * EV_WRITE is enabled, and evhttp writes before it enables it.
	 */
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		(void)bufferevent_flush(bev, EV_WRITE, BEV_NORMAL);
	bufferevent_decref(bev);
}

/* evhttp has handed the accepted socket to the bufferevent under us. */
static void
conn_attach(evutil_socket_t unused, short ev, void *arg)
{
	struct pw_conn *c = arg;
	struct worker *w = c->w;

	c->fd = bufferevent_getfd(c->under);
	if (c->fd < 0)
		return;
	if (c->fd < w->maxfd)
		w->conns[c->fd] = c;
	c->rd = event_new(w->base, c->fd, EV_READ | EV_PERSIST, conn_read, c);
	if (c->rd == NULL || event_add(c->rd, NULL) == -1) {
		log_warnx("connection on fd %d: cannot watch it", c->fd);
		(void)shutdown(c->fd, SHUT_RDWR);
	}
}

/* Once a second: a connection paused at its input cap tries again. */
void
http_conn_tick(struct worker *w)
{
	struct pw_conn *c;
	int fd;

	for (fd = 0; fd < w->maxfd && w->npaused > 0; fd++) {
		if ((c = w->conns[fd]) == NULL || !c->paused ||
		    conn_over_cap(c))
			continue;
		c->paused = 0;
		w->npaused--;
		(void)event_add(c->rd, NULL);
	}
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

	if (c->state == C_IDLE && evbuffer_get_length(src) > 0) {
		c->state = C_HEAD;
		c->crlf = 0;
		arm(c, c->w->cfg->header_timeout);
	}
	if (c->state == C_HEAD)
		scan_head(c, src);
	evbuffer_add_buffer(dst, src);
	return (BEV_OK);
}

/*
 * Hand output to the socket ourselves when nothing is queued before it.
 * The filter reports a reply written as soon as it leaves the filter, and
 * evhttp then shuts a closing connection down (shutdown(2), close(2))
 * before anything queued would have been sent.  Writing straight to the
 * socket puts the reply on the wire first; only what the socket does not
 * take now is queued below us, for the socket bufferevent to write.
 */
static void
conn_send_n(struct pw_conn *c, struct evbuffer *src, struct evbuffer *dst,
    size_t n)
{
	int w;

	if (n > 0 && c->fd >= 0 && evbuffer_get_length(dst) == 0) {
		w = evbuffer_write_atmost(src, c->fd, (ev_ssize_t)n);
		if (w > 0)
			n -= (size_t)w;
	}
	if (n > 0) {
		evbuffer_remove_buffer(src, dst, n);
		bufferevent_enable(c->under, EV_WRITE);
	}
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
	if (c->paused)
		w->npaused--;
	/* Before the socket bufferevent closes the descriptor under it. */
	if (c->rd != NULL)
		event_free(c->rd);
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

/* Our reply is queued and EV_WRITE enabled: send it now (see conn_read). */
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
