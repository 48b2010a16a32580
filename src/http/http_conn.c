/*
 * One connection's requests: bytes in, parsed (http_frame.c), decided
 * from the head alone where the API says so, read whole, dispatched
 * (http_route.c), and their replies out, in order, with one write(2) per
 * batch of pipelined replies.
 *
 * What a head alone decides is decided before a body byte is read:
 * strict framing (400), a method the engine lacks (501) and, for a
 * request with a body, route and size (404, 405, 413).  A refused
 * request is answered after the requests before it, the write side is
 * shut, and whatever the client sent after it is read and dropped for a
 * while (lingering close) so that a reset does not overtake the reply;
 * a request smuggled behind it is never answered.  Any other close with
 * bytes of the client's left unread (Connection: close, HTTP/1.0, after a
 * chunked body) lingers the same way.
 *
 * Deadlines: the first head from accept (a client that never sends a
 * byte is cut at header-timeout too), a later head from its first byte,
 * a body from the end of its head, the wait between requests
 * (idle-timeout), a reply the client does not read (write-timeout).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pw.h"
#include "http_conn.h"

/* Lingering close: read away for this long at most (tv_linger too). */
#define LINGER_US	(5 * 1000000ull)

static const char continue100[] = "HTTP/1.1 100 Continue\r\n\r\n";

static void
reset_request(struct pw_conn *c)
{
	pw_frame_init(&c->fr, (size_t)c->w->cfg->max_header);
	c->chunked = 0;
	c->clen = 0;
	c->body = c->blen = c->braw = 0;
	c->route = NULL;
}

/* The request as its handlers see it, in the worker's one pw_req. */
static struct pw_req *
request_of(struct pw_conn *c)
{
	struct pw_req *r = &c->w->req;

	memset(r, 0, offsetof(struct pw_req, js));
	r->js.ntok = 0;
	r->w = c->w;
	r->conn = c;
	r->ops_listener = c->ops;
	r->t0 = pw_mono_us();
	return (r);
}

/*
 * Refuse the request whose head is being read: a JSON error, then the
 * connection closes after a lingering read.  Method and target are kept
 * as far as the parser read them, for the access log.
 */
static void
refuse(struct pw_conn *c, enum pw_error e, const char *why, const char *allow)
{
	struct pw_req *r = request_of(c);
	size_t mlen, toff, tlen;

	pw_frame_line(&c->fr, &mlen, &toff, &tlen);
	mlen = mlen < sizeof(c->rmethod) ? mlen : sizeof(c->rmethod) - 1;
	tlen = tlen < sizeof(c->rtarget) ? tlen : sizeof(c->rtarget) - 1;
	memcpy(c->rmethod, c->in + c->req, mlen);
	c->rmethod[mlen] = '\0';
	memcpy(c->rtarget, c->in + c->req + toff, tlen);
	c->rtarget[tlen] = '\0';
	r->method_name = c->rmethod;
	r->target = c->rtarget;
	/* A reply to HEAD has no content, a refusal's neither. */
	r->head_only = pw_frame_method(&c->fr) == PW_M_HEAD;
	c->close = c->linger = 1;
	c->st = CS_DONE;
	http_request_id(r, c->fr.rid[0] != '\0' ? c->fr.rid : NULL);
	r->allow = allow;
	if (e == PW_E_NOT_FOUND)
		pw_count(c->w->st, PW_C_EP_OTHER, 1);
	reply_error(r, e, why);
	c->queued++;
}

static void
dispatch(struct pw_conn *c, size_t body, size_t len, size_t end)
{
	struct pw_req *r = request_of(c);
	const struct pw_frame *f = &c->fr;
	char *head = c->in + c->req;
	int i;

	r->method = pw_frame_method(f);
	r->method_name = head;
	r->target = head + f->tstart;
	r->path = f->plong ? "" : f->path;	/* longer than any route */
	r->route = c->route;
	for (i = 0; i < PW_H_COUNT; i++)
		r->hdr[i] = f->hdr[i].off != 0 ? head + f->hdr[i].off : NULL;
	r->nxff = f->nxff;
	for (i = 0; i < f->nxff && i < PW_XFF_MAX; i++)
		r->xff[i] = head + f->xff[i].off;
	r->body = c->in + body;
	r->len = len;
	r->head_only = r->method == PW_M_HEAD;
	http_request_id(r, f->rid[0] != '\0' ? f->rid : NULL);
	http_dispatch(r);
	c->queued++;
	c->req = end;
	c->st = CS_IDLE;
	reset_request(c);
	if (c->wantclose) {
		c->close = 1;
		c->st = CS_DONE;
	}
	if (c->req == c->inlen)
		c->req = c->inlen = 0;
}

static void
expect_continue(struct pw_conn *c)
{
	char *p;

	if ((p = http_conn_out(c, sizeof(continue100) - 1)) == NULL)
		return;
	memcpy(p, continue100, sizeof(continue100) - 1);
	http_conn_wrote(c, sizeof(continue100) - 1);
}

/* A body to read: its length known, or chunked. */
static int
body_begin(struct pw_conn *c, size_t hlen)
{
	c->body = c->req + hlen;
	if (pw_frame_chunked(&c->fr)) {
		c->chunked = 1;
		pw_chunked_init(&c->ch, (size_t)c->w->cfg->max_body);
		c->braw = c->body;
		c->blen = 0;
	} else
		c->clen = c->fr.clen;
	/*
	 * Asked to be asked, and nothing sent yet: ask.  Never an HTTP/1.0
	 * client, which knows no 1xx reply (RFC 9110 10.1.1).
	 */
	if (c->fr.expect100 && c->http11 && c->inlen == c->body)
		expect_continue(c);
	c->st = CS_BODY;
	conn_arm(c, c->w->tv_body);
	return (1);
}

/* Route and size from the head; a refusal reads no body. */
static int
head_route(struct pw_conn *c)
{
	const struct pw_frame *f = &c->fr;
	const struct pw_route *rt;
	int status, local;

	local = strcmp(f->path, "/metrics") == 0 &&
	    pw_peer_loopback(http_conn_peer(c));
	status = http_route_decide(c->w, c->ops, f->plong ? "" : f->path,
	    pw_frame_method(f), f->clen, local, &rt);
	c->route = rt;
	switch (status) {
	case 404:
		refuse(c, PW_E_NOT_FOUND, NULL, NULL);
		return (-1);
	case 405:
		refuse(c, PW_E_METHOD_NOT_ALLOWED, NULL, rt->allow);
		return (-1);
	case 413:
		refuse(c, PW_E_PAYLOAD_TOO_LARGE, NULL, NULL);
		return (-1);
	}
	return (0);
}

static int
head_done(struct pw_conn *c)
{
	struct pw_frame *f = &c->fr;
	size_t hlen = f->len;
	int conn, body;

	switch (pw_frame_verdict(f)) {
	case PW_FV_BAD:
		refuse(c, PW_E_BAD_REQUEST, f->why, NULL);
		return (-1);
	case PW_FV_UNKNOWN_METHOD:
		refuse(c, PW_E_NOT_IMPLEMENTED, f->why, NULL);
		return (-1);
	case PW_FV_OK:
		break;
	}
	body = f->clen > 0 || pw_frame_chunked(f);
	/* HEAD and TRACE take no body: one here would be a request. */
	if (body && (pw_frame_method(f) & (PW_M_HEAD | PW_M_TRACE)) != 0) {
		refuse(c, PW_E_BAD_REQUEST, "a body on HEAD or TRACE", NULL);
		return (-1);
	}
	c->http11 = pw_frame_http11(f);
	conn = pw_frame_connection(f);
	c->wantclose = c->http11 ? conn == 0 : conn != 1;
	c->keep10 = !c->http11 && conn == 1;
	pw_frame_terminate(f, c->in + c->req);
	if (body && head_route(c) == -1)
		return (-1);
	if (body)
		return (body_begin(c, hlen));
	dispatch(c, c->req + hlen, 0, c->req + hlen);
	return (1);
}

static int
body_step(struct pw_conn *c)
{
	size_t out;

	if (!c->chunked) {
		if ((int64_t)(c->inlen - c->body) < c->clen)
			return (0);
		dispatch(c, c->body, (size_t)c->clen, c->body +
		    (size_t)c->clen);
		return (1);
	}
	out = c->body + c->blen;
	switch (pw_chunked_feed(&c->ch, c->in, c->inlen, &c->braw, &out)) {
	case PW_CHUNK_MORE:
		c->blen = out - c->body;
		return (0);
	case PW_CHUNK_BAD:
		refuse(c, PW_E_BAD_REQUEST, c->ch.why, NULL);
		return (-1);
	case PW_CHUNK_TOO_LARGE:
		refuse(c, PW_E_PAYLOAD_TOO_LARGE, NULL, NULL);
		return (-1);
	case PW_CHUNK_DONE:
		break;
	}
	c->blen = out - c->body;
	/* What follows a chunked body is not read: it closes after it. */
	c->wantclose = 1;
	dispatch(c, c->body, c->blen, c->braw);
	return (1);
}

/* One step on the bytes buffered: 1 a request answered, 0 need more. */
static int
step(struct pw_conn *c)
{
	enum pw_frame_rc rc;
	size_t at, used;

	if (c->st == CS_BODY)
		return (body_step(c));
	if (c->st == CS_DONE || c->st == CS_LINGER || c->inlen == c->req)
		return (0);
	if (c->st == CS_IDLE) {
		c->st = CS_HEAD;
		if (!c->fresh)
			conn_arm(c, c->w->tv_header);
	}
	at = c->req + c->fr.len;
	rc = pw_frame_feed(&c->fr, c->in + at, c->inlen - at, &used);
	if (rc == PW_FRAME_MORE)
		return (0);
	c->fresh = 0;
	if (rc == PW_FRAME_BAD) {
		refuse(c, PW_E_BAD_REQUEST, c->fr.why, NULL);
		return (-1);
	}
	return (head_done(c));
}

static int
pipe_room(const struct pw_conn *c)
{
	return (c->queued < CONN_PIPE_REPLIES &&
	    c->outlen - c->sent < CONN_PIPE_BYTES);
}

/*
 * Bytes of the client's that no request will read: buffered, or waiting
 * in the socket.  Closing on them sends a reset, which can destroy a
 * reply the client has not read yet (RFC 9112 9.6).
 */
static int
unread_input(const struct pw_conn *c)
{
	char b;

	return (c->inlen > c->req || recv(c->fd, &b, 1, MSG_PEEK) > 0);
}

static void
linger_begin(struct pw_conn *c)
{
	if (c->eof || shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(c);
		return;
	}
	c->st = CS_LINGER;
	c->linger_end = pw_mono_us() + LINGER_US;
	conn_want_read(c, 1);
	conn_arm(c, c->w->tv_linger);
}

/* Waiting for the client: its next request, or the rest of this one. */
static void
wait_input(struct pw_conn *c)
{
	int idle = c->st == CS_IDLE && c->inlen == c->req;

	if (c->eof || (idle && (c->wantclose || c->w->draining))) {
		conn_close(c);
		return;
	}
	conn_want_read(c, 1);
	if (idle) {
		conn_in_release(c);
		conn_arm(c, c->w->tv_idle);
	}
}

/*
 * Answer what is buffered, as far as the pipelining bound allows, and
 * send it; go on while the replies leave and requests remain.
 */
void
conn_run(struct pw_conn *c)
{
	int rc;

	for (;;) {
		do
			rc = pipe_room(c) ? step(c) : 2;
		while (rc == 1);
		switch (conn_flush(c)) {
		case -1:
			conn_close(c);
			return;
		case 1:
			conn_want_read(c, 0);	/* no more until it drains */
			conn_want_write(c, 1);
			conn_arm(c, c->w->tv_write);
			return;
		}
		conn_want_write(c, 0);
		if (c->close) {
			if (c->linger || unread_input(c))
				linger_begin(c);
			else
				conn_close(c);
			return;
		}
		if (rc != 2)
			break;
	}
	wait_input(c);
}

/* Lingering close: what comes is read and dropped, till EOF or time. */
static void
linger_read(struct pw_conn *c)
{
	ssize_t n;

	c->inlen = c->req = 0;
	if (conn_in_acquire(c) == -1) {
		conn_close(c);
		return;
	}
	n = conn_read(c);
	c->inlen = 0;
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) ||
	    pw_mono_us() >= c->linger_end)
		conn_close(c);
}

static void
on_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;
	ssize_t n;

	if (c->st == CS_LINGER) {
		linger_read(c);
		return;
	}
	if (conn_in_acquire(c) == -1) {
		conn_close(c);
		return;
	}
	n = conn_read(c);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n == -1 && errno == ENOBUFS) {
		refuse(c, c->st == CS_BODY ? PW_E_PAYLOAD_TOO_LARGE :
		    PW_E_BAD_REQUEST, "request larger than its buffer", NULL);
		conn_run(c);
		return;
	}
	if (n <= 0) {
		c->eof = 1;
		c->close = 1;
		conn_want_read(c, 0);
	}
	conn_run(c);
}

static void
on_write(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;

	conn_run(c);
}

/* A deadline passed: whatever the connection was waiting for. */
static void
on_timeout(evutil_socket_t fd, short ev, void *arg)
{
	conn_close(arg);
}

void
http_conn_open(struct worker *w, int fd, const struct sockaddr *sa,
    socklen_t salen, int ops, int counted)
{
	struct pw_conn *c;

	if ((c = w->free_conns) != NULL)
		w->free_conns = c->next;
	else if ((c = malloc(sizeof(*c))) == NULL) {
		(void)close(fd);
		if (counted)
			http_src_put(w, sa);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->fd = fd;
	c->ops = ops;
	c->counted = counted;
	memcpy(&c->peer, sa, salen < sizeof(c->peer) ? salen :
	    sizeof(c->peer));
	c->fresh = 1;
	reset_request(c);
	event_assign(&c->rev, w->base, fd, EV_READ | EV_PERSIST, on_read, c);
	event_assign(&c->wev, w->base, fd, EV_WRITE | EV_PERSIST, on_write,
	    c);
	evtimer_assign(&c->tmo, w->base, on_timeout, c);
	if ((c->next = w->conns) != NULL)
		c->next->prev = c;
	c->prev = NULL;
	w->conns = c;
	if (++w->nconn >= w->cfg->max_connections) {
		pw_count(w->st, PW_C_CONN_REFUSED, 1);
		http_accept_enable(w, 0);
	}
	conn_want_read(c, 1);
	conn_arm(c, w->tv_header);
}

/*
 * SIGTERM or a reload: idle connections close at once; the others finish
 * the request they are on, and its reply says Connection: close.
 */
void
http_conn_drain(struct worker *w)
{
	struct pw_conn *c, *next;

	w->draining = 1;
	http_accept_enable(w, 0);
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (c->st == CS_IDLE && c->inlen == c->req &&
		    c->sent == c->outlen)
			conn_close(c);
		else
			c->wantclose = 1;
	}
	if (w->nconn == 0)
		(void)event_base_loopbreak(w->base);
}
