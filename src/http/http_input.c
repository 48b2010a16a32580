/*
 * A connection's input path, the filter between the socket and evhttp.
 * Each request's head is held back and scanned (http_frame.c) until its
 * blank line; only a head that passes goes on to evhttp, followed by
 * exactly the body its Content-Length announces, so evhttp never parses
 * bytes we have not framed ourselves.  What a head alone decides is
 * decided here, before a body byte is read: strict framing (400), a
 * method evhttp lacks (501) and, for a request with a body, route and
 * size (404, 405, 413; API.md 1).  A refused request is answered once
 * the requests before it are, the connection is closed, and whatever
 * the client sent after it is dropped unread: a request smuggled behind
 * it is never answered.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "http_connection.h"

/*
 * Refuse the request whose head is being read.  The socket is read on
 * (and dropped) until the client closes or the deadline, so that the
 * reply is not lost to a reset from unread input.
 */
static void
refuse(struct pw_conn *c, struct evbuffer *src, int status, const char *msg,
    const char *allow)
{
	struct worker *w = c->w;
	char page[1024], fresh[32];
	const char *rid = c->fr.rid;
	uint64_t t0 = pw_mono_us();
	size_t n, blen;

	c->in = IN_REFUSED;
	if ((c->refusal = evbuffer_new()) == NULL) {
		log_warnx("connection on fd %d: no memory for a reply", c->fd);
		evbuffer_drain(src, evbuffer_get_length(src));
		if (c->fd >= 0)
			(void)shutdown(c->fd, SHUT_RDWR);
		return;
	}
	if (rid[0] == '\0') {
		http_rid_new(w, fresh);
		rid = fresh;
	}
	n = http_error_page(rid, allow, page, sizeof(page), status,
	    conn_refusal_code(status), msg, &blen);
	conn_rlog_keep(c, src, rid, status, blen, t0);
	evbuffer_drain(src, evbuffer_get_length(src));
	evbuffer_add(c->refusal, page, n);
	if (status == 404)
		pw_count(w->st, PW_C_EP_OTHER, 1);
	pw_count(w->st, status < 500 ? PW_C_REQ_4XX : PW_C_REQ_5XX, 1);
	c->state = C_HEAD;
	conn_arm(c, w->cfg->header_timeout);
	conn_refusal_send(c);
}

/*
 * A complete head: refuse it, or pass it on with what follows.  Route
 * and size are decided here only for a request with a body; one without
 * goes to dispatch, which decides the same and keeps the connection.
 */
static int
head_done(struct pw_conn *c, struct evbuffer *src, struct evbuffer *dst,
    size_t len)
{
	struct pw_frame *f = &c->fr;
	const struct pw_route *rt;
	int status, body;

	switch (pw_frame_verdict(f)) {
	case PW_FV_BAD:
		refuse(c, src, 400, f->why, NULL);
		return (-1);
	case PW_FV_UNKNOWN_METHOD:
		refuse(c, src, 501, f->why, NULL);
		return (-1);
	case PW_FV_OK:
		break;
	}
	body = f->clen > 0 || pw_frame_chunked(f);
	/*
	 * evhttp reads no body after HEAD or TRACE: the bytes we would pass
	 * on as one would reach it as the next request, unframed.
	 */
	if (body && (pw_frame_method(f) & (EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_TRACE)) != 0) {
		refuse(c, src, 400, "a body on HEAD or TRACE", NULL);
		return (-1);
	}
	if (body) {
		status = http_route_decide(c->w, c->ops, f->plong ? "" :
		    f->path, pw_frame_method(f), f->clen,
		    strcmp(f->path, "/metrics") == 0 && conn_peer_local(c),
		    &rt);
		if (status == 404 || status == 405 || status == 413) {
			refuse(c, src, status, status == 404 ?
			    "no such endpoint" : status == 405 ?
			    "method not allowed" : "body over max-body",
			    status == 405 ? rt->allow : NULL);
			return (-1);
		}
	}
	evbuffer_remove_buffer(src, dst, len);
	c->passed++;
	c->scanned = 0;
	c->expect100 = f->expect100 && body;
	if (pw_frame_chunked(f)) {
		c->in = IN_CHUNKED;
		c->close = 1;
	} else if (f->clen > 0) {
		c->in = IN_BODY;
		c->body_left = f->clen;
	}
	pw_frame_init(f, (size_t)c->w->cfg->max_header);
	if (c->state == C_HEAD) {
		c->state = C_BODY;
		conn_arm(c, c->w->cfg->body_timeout);
	}
	return (0);
}

/* Scan the head's new bytes; 1 once it has been passed on. */
static int
head_scan(struct pw_conn *c, struct evbuffer *src, struct evbuffer *dst)
{
	struct evbuffer_iovec v[8];
	struct evbuffer_ptr at;
	enum pw_frame_rc rc = PW_FRAME_MORE;
	size_t used;
	int n, i;

	if (evbuffer_ptr_set(src, &at, c->scanned, EVBUFFER_PTR_SET) == -1)
		return (0);
	n = evbuffer_peek(src, -1, &at, v, 8);
	for (i = 0; i < n && i < 8 && rc == PW_FRAME_MORE; i++) {
		rc = pw_frame_feed(&c->fr, v[i].iov_base, v[i].iov_len, &used);
		c->scanned += used;
	}
	if (rc == PW_FRAME_BAD) {
		refuse(c, src, 400, c->fr.why, NULL);
		return (0);
	}
	if (rc == PW_FRAME_DONE)
		return (head_done(c, src, dst, c->scanned) == 0);
	return (0);
}

enum bufferevent_filter_result
conn_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct pw_conn *c = arg;
	size_t len, moved = 0, n;

	while ((len = evbuffer_get_length(src)) > 0) {
		if (c->in == IN_REFUSED) {
			evbuffer_drain(src, len);
			break;
		}
		if (c->in == IN_CHUNKED) {
			evbuffer_add_buffer(dst, src);
			moved += len;
			break;
		}
		if (c->in == IN_BODY) {
			n = (uint64_t)c->body_left < len ?
			    (size_t)c->body_left : len;
			evbuffer_remove_buffer(src, dst, n);
			moved += n;
			if ((c->body_left -= (int64_t)n) == 0)
				c->in = IN_HEAD;
			continue;
		}
		if (c->state == C_IDLE) {
			c->state = C_HEAD;
			conn_arm(c, c->w->cfg->header_timeout);
		}
		if (c->scanned == len)
			break;		/* nothing new in a held head */
		if (!head_scan(c, src, dst))
			continue;	/* more to read, or refused */
		moved += len - evbuffer_get_length(src);
	}
	/*
	 * BEV_OK has evhttp read its input (conn_eof relies on it to make
	 * progress), but makes the filter call again while src holds bytes:
	 * a held partial head alone is BEV_NEED_MORE.
	 */
	return (moved > 0 || evbuffer_get_length(src) == 0 ? BEV_OK :
	    BEV_NEED_MORE);
}
