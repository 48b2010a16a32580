/*
 * A connection's socket I/O.  The socket bufferevent under the filter
 * (http_conn.c) never touches the socket: its EV_READ and EV_WRITE stay
 * off.  evhttp turns reading off and on again around every request;
 * through a socket bufferevent each turn became an epoll_ctl(2), and each
 * read an ioctl(FIONREAD): two system calls per request on top of the
 * read and the write.  Here one EV_READ|EV_PERSIST event per connection,
 * added once, read(2)s into the input under the filter, and replies are
 * written to the socket as they leave the filter.
 *
 * What the socket does not take stays in the filter, written when it is
 * writable: until then evhttp does not count the reply sent, so it neither
 * closes the connection under it nor reads on.  Reading also stops (the
 * one epoll_ctl after the first) while a reply waits, or while more input
 * is buffered than evhttp would take; TCP's flow control then holds the
 * client back.  When the client closes its side, the requests it sent
 * before are answered first: told at once, evhttp would drop them.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "http_connection.h"

/* Read at most this much per readiness; a larger body takes more. */
#define READ_CHUNK	4096
#define READ_MAX	(16 * READ_CHUNK)

static size_t
input_len(struct pw_conn *c)
{
	return (evbuffer_get_length(bufferevent_get_input(c->under)) +
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
}

/* What evhttp accepts before it refuses a request, and a read more. */
static size_t
input_cap(struct pw_conn *c)
{
	return ((size_t)c->w->cfg->max_header +
	    (size_t)PW_HTTP_BODY_LIMIT(c->w->cfg) + READ_MAX);
}

static int
output_pending(struct pw_conn *c)
{
	return (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0);
}

/*
 * bufferevent_free() clears evhttp's callbacks on the filter at once,
 * but conn_free runs only later in the loop: in between, our events may
 * still fire for a connection evhttp has let go.
 */
int
conn_alive(struct pw_conn *c)
{
	bufferevent_event_cb evcb;

	bufferevent_getcb(c->bev, NULL, NULL, &evcb, NULL);
	return (evcb != NULL);
}

static void
conn_pause(struct pw_conn *c)
{
	if (c->paused || c->eof)
		return;
	event_del(c->rd);
	c->paused = 1;
	c->w->npaused++;
}

void
conn_resume(struct pw_conn *c)
{
	if (!c->paused || c->eof || output_pending(c) ||
	    input_len(c) > input_cap(c))
		return;
	c->paused = 0;
	c->w->npaused--;
	if (event_add(c->rd, NULL) == -1)
		log_warnx("connection on fd %d: cannot watch it", c->fd);
}

void
conn_stop_reading(struct pw_conn *c)
{
	if (c->paused) {
		c->paused = 0;
		c->w->npaused--;
	}
	if (c->rd != NULL)
		event_del(c->rd);
}

/*
 * Fill the input of the bufferevent under the filter, as bufferevent_socket
 * would, minus its FIONREAD.  Returns what read(2) last returned: > 0
 * data, 0 end of stream, -1 with errno.
 */
static ssize_t
fill(struct pw_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->under);
	struct evbuffer_iovec v;
	size_t total = 0;
	ssize_t n;

	do {
		if (evbuffer_reserve_space(in, READ_CHUNK, &v, 1) != 1)
			return (-1);
		n = read(c->fd, v.iov_base, v.iov_len);
		v.iov_len = n > 0 ? (size_t)n : 0;
		if (evbuffer_commit_space(in, &v, 1) == -1)
			return (-1);
		if (n > 0)
			total += (size_t)n;
	} while (n > 0 && (size_t)n == READ_CHUNK && total < READ_MAX);
	if (total > 0)
		return ((ssize_t)total);
	return (n);
}

/*
 * The client has closed its side.  Answer what it sent before, one
 * request per round while evhttp makes progress and no reply waits for
 * the socket (conn_writable comes back here once it has gone); then let
 * evhttp see the end of the stream.
 */
static void
conn_eof(struct pw_conn *c)
{
	size_t before;

	if (!c->eof) {
		conn_stop_reading(c);
		c->eof = 1;
	}
	while (conn_alive(c) && !output_pending(c) &&
	    (before = input_len(c)) > 0) {
		bufferevent_trigger(c->under, EV_READ,
		    BEV_TRIG_IGNORE_WATERMARKS);
		if (input_len(c) >= before)
			break;
	}
	if (conn_alive(c) && !output_pending(c))
		bufferevent_trigger_event(c->under, BEV_EVENT_READING |
		    BEV_EVENT_EOF, 0);
}

void
conn_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;
	struct bufferevent *bev = c->bev;
	ssize_t n;

	if (!conn_alive(c)) {
		event_del(c->rd);
		return;
	}
	if (output_pending(c) || input_len(c) > input_cap(c)) {
		conn_pause(c);
		return;
	}
	n = fill(c);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	/* Whatever runs below may free the connection: hold it till done. */
	bufferevent_incref(bev);
	if (n > 0)
		bufferevent_trigger(c->under, EV_READ,
		    BEV_TRIG_IGNORE_WATERMARKS);
	else if (n == 0)
		conn_eof(c);
	else {
		conn_stop_reading(c);
		bufferevent_trigger_event(c->under, BEV_EVENT_READING |
		    BEV_EVENT_ERROR, 0);
	}
	if (conn_alive(c))
		conn_refusal_send(c);
	/*
	 * An error page evhttp wrote itself sits in the filter until
	 * something flushes it: 2.1's filter moves output on only while
	 * EV_WRITE is enabled, and evhttp writes before it enables it.
	 */
	if (conn_alive(c) && output_pending(c))
		(void)bufferevent_flush(bev, EV_WRITE, BEV_NORMAL);
	bufferevent_decref(bev);
}

/* The socket takes more, or refused a write (c->werr). */
void
conn_writable(evutil_socket_t fd, short ev, void *arg)
{
	struct pw_conn *c = arg;
	struct bufferevent *bev = c->bev;

	if (!conn_alive(c))
		return;
	bufferevent_incref(bev);
	if (c->werr) {
		conn_stop_reading(c);
		bufferevent_trigger_event(c->under, BEV_EVENT_WRITING |
		    BEV_EVENT_ERROR, 0);
	} else {
		/* All of it gone, evhttp's write callback runs from here. */
		(void)bufferevent_flush(bev, EV_WRITE, BEV_NORMAL);
		if (conn_alive(c))
			conn_refusal_send(c);
		if (conn_alive(c) && !output_pending(c)) {
			if (c->eof)
				conn_eof(c);
			else
				conn_resume(c);
		}
	}
	bufferevent_decref(bev);
}

/*
 * Write src to the socket.  What it does not take stays in src, and
 * BEV_NEED_MORE keeps the filter from reporting the reply written; a
 * BEV_OK with bytes left would make it call us again at once, forever.
 */
static enum bufferevent_filter_result
send_out(struct pw_conn *c, struct evbuffer *src)
{
	if (evbuffer_get_length(src) == 0)
		return (BEV_OK);
	if (c->fd >= 0 && !c->werr && evbuffer_write(src, c->fd) == -1 &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		c->werr = 1;
	if (c->fd < 0 || c->werr) {
		/*
		 * The peer is gone.  evhttp hears of it from the loop: told
		 * here, inside its own send, it would free what it then uses.
		 */
		c->werr = 1;
		evbuffer_drain(src, evbuffer_get_length(src));
		event_active(c->wr, EV_WRITE, 0);
		return (BEV_OK);
	}
	if (evbuffer_get_length(src) == 0)
		return (BEV_OK);
	if (event_add(c->wr, NULL) == -1)
		log_warnx("connection on fd %d: cannot wait to write", c->fd);
	return (BEV_NEED_MORE);
}

/*
 * The status of an error page evhttp wrote itself, from its status line
 * (evhttp's bytes, known to be its own by state, not a reply's payload).
 */
static int
page_status(struct evbuffer *src, size_t at)
{
	struct evbuffer_ptr p;
	char line[13];

	if (evbuffer_ptr_set(src, &p, at, EVBUFFER_PTR_SET) == -1 ||
	    evbuffer_copyout_from(src, &p, line, 12) != 12 ||
	    memcmp(line, "HTTP/1.", 7) != 0)
		return (400);
	line[12] = '\0';
	return (atoi(line + 9) == 413 ? 413 : 400);
}

/*
 * evhttp wrote to the connection on its own, outside any reply of ours:
 * the 100 Continue it owes for an Expect we passed on, or else one of
 * its HTML error pages (a chunked body over its limit, or a request our
 * input path let through and it still refused).  A page is the last
 * reply on its connection and comes whole; it is replaced with ours.
 */
static void
foreign(struct pw_conn *c, struct evbuffer *src)
{
	struct evbuffer *keep;
	struct http_refused rf;
	char page[1024], rid[32];
	size_t n;
	int status;

	if (c->expect100) {
		c->expect100 = 0;
		return;
	}
	status = page_status(src, c->outq);
	if ((keep = evbuffer_new()) == NULL) {
		evbuffer_drain(src, evbuffer_get_length(src));
		c->werr = 1;
		return;
	}
	evbuffer_remove_buffer(src, keep, c->outq);
	evbuffer_drain(src, evbuffer_get_length(src));
	evbuffer_add_buffer(src, keep);
	evbuffer_free(keep);
	memset(&rf, 0, sizeof(rf));
	rf.t0 = pw_mono_us();
	http_rid_new(c->w, rid);
	rf.rid = rid;
	rf.status = status;
	rf.code = status == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
	n = http_error_page(rid, NULL, page, sizeof(page), status, rf.code,
	    status == 413 ? "body over max-body" : "malformed HTTP request",
	    &rf.bytes);
	evbuffer_add(src, page, n);
	pw_count(c->w->st, PW_C_REQ_4XX, 1);
	/* evhttp does not tell which request it refused. */
	rf.peer = conn_peer(c);
	http_access_refused(c->w, &rf);
}

enum bufferevent_filter_result
conn_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct pw_conn *c = arg;
	enum bufferevent_filter_result rc;

	if (evbuffer_get_length(src) > c->outq && !c->ours)
		foreign(c, src);
	rc = send_out(c, src);
	c->outq = evbuffer_get_length(src);
	return (rc);
}

/*
 * A request refused from its head is answered once every request before
 * it has been, straight to the socket: evhttp has no request for it.
 * Then the write side is shut; reading goes on (and drops) until the
 * client closes or the deadline, so the reply is not lost to a reset.
 */
void
conn_refusal_send(struct pw_conn *c)
{
	if (c->refusal == NULL || c->shut || c->passed != c->answered ||
	    output_pending(c) || c->fd < 0)
		return;
	/* Its turn: its line comes after those of the requests before it. */
	conn_log_refusal(c);
	if (!c->werr && evbuffer_write(c->refusal, c->fd) == -1 &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		c->werr = 1;
	if (c->werr)
		evbuffer_drain(c->refusal, evbuffer_get_length(c->refusal));
	if (evbuffer_get_length(c->refusal) > 0) {
		if (event_add(c->wr, NULL) == -1)
			log_warnx("connection on fd %d: cannot wait to write",
			    c->fd);
		return;
	}
	c->shut = 1;
	(void)shutdown(c->fd, c->werr ? SHUT_RDWR : SHUT_WR);
	conn_resume(c);
}
