/*
 * A connection's socket, buffers and deadlines.
 *
 * Buffers are a worker's, lent to a connection while it has a request to
 * read or replies to write and taken back when it idles: memory grows
 * with the connections that are busy, never with those that wait, and a
 * warm worker allocates nothing per request.  Deadlines are libevent
 * common timeouts (one queue per duration, not a heap entry each).
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

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL	0	/* the BSDs: SO_NOSIGPIPE on the socket */
#endif

/* Buffers kept per worker for the next connection that needs one. */
#define POOL_MAX	256

int
conn_in_acquire(struct pw_conn *c)
{
	struct worker *w = c->w;

	if (c->in != NULL)
		return (0);
	if (w->nfree_in > 0)
		c->in = w->free_in[--w->nfree_in];
	else if ((c->in = malloc(w->in_size)) == NULL)
		return (-1);
	c->inlen = c->req = 0;
	return (0);
}

void
conn_in_release(struct pw_conn *c)
{
	struct worker *w = c->w;

	if (c->in == NULL)
		return;
	if (w->nfree_in < POOL_MAX)
		w->free_in[w->nfree_in++] = c->in;
	else
		free(c->in);
	c->in = NULL;
	c->inlen = c->req = 0;
}

void
conn_out_release(struct pw_conn *c)
{
	struct worker *w = c->w;

	if (c->out == NULL)
		return;
	if (c->outcap == CONN_OUT_SIZE && w->nfree_out < POOL_MAX)
		w->free_out[w->nfree_out++] = c->out;
	else
		free(c->out);
	c->out = NULL;
	c->outcap = c->outlen = c->sent = 0;
}

int
http_conn_closing(const struct pw_conn *c)
{
	return (c->close || c->wantclose || c->w->draining);
}

int
http_conn_keepalive10(const struct pw_conn *c)
{
	return (!c->http11 && c->keep10 && !http_conn_closing(c));
}

const struct sockaddr *
http_conn_peer(const struct pw_conn *c)
{
	return ((const struct sockaddr *)&c->peer);
}

/* Room for n more bytes of replies: a standard buffer, or one that fits. */
char *
http_conn_out(struct pw_conn *c, size_t n)
{
	struct worker *w = c->w;
	size_t need, cap;
	char *p;

	if (c->out == NULL) {
		if (n <= CONN_OUT_SIZE && w->nfree_out > 0) {
			c->out = w->free_out[--w->nfree_out];
			c->outcap = CONN_OUT_SIZE;
		} else {
			cap = n > CONN_OUT_SIZE ? n : CONN_OUT_SIZE;
			if ((c->out = malloc(cap)) == NULL)
				return (NULL);
			c->outcap = cap;
		}
		c->outlen = c->sent = 0;
	}
	need = c->outlen + n;
	if (need > c->outcap) {
		/* What was sent is gone: move what is left to the front. */
		if (c->sent > 0) {
			memmove(c->out, c->out + c->sent, c->outlen - c->sent);
			c->outlen -= c->sent;
			c->sent = 0;
			need = c->outlen + n;
		}
		if (need > c->outcap) {
			if ((p = realloc(c->out, need)) == NULL)
				return (NULL);
			c->out = p;
			c->outcap = need;
		}
	}
	return (c->out + c->outlen);
}

void
http_conn_wrote(struct pw_conn *c, size_t n)
{
	c->outlen += n;
}

/*
 * One read(2) a wakeup: a socket with more bytes is readable again at
 * once.  A full buffer first gives back the requests already answered,
 * and the gaps a chunked body's framing left.
 */
ssize_t
conn_read(struct pw_conn *c)
{
	struct worker *w = c->w;
	size_t gap;
	ssize_t n;

	if (c->inlen == w->in_size && c->st == CS_BODY && c->chunked &&
	    (gap = c->braw - (c->body + c->blen)) > 0) {
		memmove(c->in + c->body + c->blen, c->in + c->braw,
		    c->inlen - c->braw);
		c->inlen -= gap;
		c->braw -= gap;
	}
	if (c->inlen == w->in_size && c->req > 0) {
		memmove(c->in, c->in + c->req, c->inlen - c->req);
		c->inlen -= c->req;
		c->body -= c->body >= c->req ? c->req : 0;
		c->braw -= c->braw >= c->req ? c->req : 0;
		c->req = 0;
	}
	if (c->inlen == w->in_size) {
		errno = ENOBUFS;
		return (-1);
	}
	do
		n = read(c->fd, c->in + c->inlen, w->in_size - c->inlen);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		c->inlen += (size_t)n;
	return (n);
}

int
conn_flush(struct pw_conn *c)
{
	ssize_t n;

	while (c->sent < c->outlen) {
		n = send(c->fd, c->out + c->sent, c->outlen - c->sent,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (1);
		if (n <= 0)
			return (-1);
		c->sent += (size_t)n;
	}
	c->queued = 0;
	conn_out_release(c);
	return (0);
}

void
conn_want_read(struct pw_conn *c, int on)
{
	if (on == c->reading)
		return;
	if (on)
		(void)event_add(&c->rev, NULL);
	else
		(void)event_del(&c->rev);
	c->reading = on;
}

void
conn_want_write(struct pw_conn *c, int on)
{
	if (on == c->writing)
		return;
	if (on)
		(void)event_add(&c->wev, NULL);
	else
		(void)event_del(&c->wev);
	c->writing = on;
}

/* The deadline from now: a common timeout of the worker's. */
void
conn_arm(struct pw_conn *c, const struct timeval *tv)
{
	(void)event_add(&c->tmo, tv);
}

void
conn_close(struct pw_conn *c)
{
	struct worker *w = c->w;

	(void)event_del(&c->rev);
	(void)event_del(&c->wev);
	(void)event_del(&c->tmo);
	(void)close(c->fd);
	if (c->counted)
		http_src_put(w, (const struct sockaddr *)&c->peer);
	conn_in_release(c);
	conn_out_release(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = w->free_conns;
	w->free_conns = c;
	w->nconn--;
	if (w->nconn < w->cfg->max_connections)
		http_accept_enable(w, 1);
	if (w->draining && w->nconn == 0)
		(void)event_base_loopbreak(w->base);
}
