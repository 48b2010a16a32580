/*
 * A connection as the requests on it see it: found from an evhttp
 * request, marked idle once a request is answered, asked whether its
 * peer is local, flushed after our reply.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "pw.h"
#include "http_connection.h"

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
struct pw_conn *
http_conn_request_done(struct worker *w, struct evhttp_request *req)
{
	struct pw_conn *c;

	if ((c = conn_of(w, req)) == NULL)
		return (NULL);
	/* A refused request behind this one keeps its deadline (refuse()). */
	if (c->in != IN_REFUSED) {
		c->state = C_IDLE;
		evtimer_del(c->timer);
	}
	c->answered++;
	c->expect100 = 0;
	/* What evhttp writes until http_conn_flush is this reply. */
	c->ours = 1;
	return (c);
}

int
http_conn_peer_local(struct worker *w, struct evhttp_request *req)
{
	struct pw_conn *c;

	return ((c = conn_of(w, req)) != NULL && conn_peer_local(c));
}

/* Whether this reply must close the connection (after a chunked body). */
int
http_conn_closing(const struct pw_conn *c)
{
	return (c->close);
}

/*
 * Our reply is queued and EV_WRITE enabled: send it now (see conn_read),
 * and read on if a pause is over.
 */
void
http_conn_flush(struct pw_conn *c)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		(void)bufferevent_flush(c->bev, EV_WRITE, BEV_NORMAL);
	c->ours = 0;
	if (conn_alive(c))
		conn_refusal_send(c);
	if (c->paused && conn_alive(c))
		conn_resume(c);
}
