/*
 * One connection, internal to the files that make it: http_conn.c (its
 * life and limits), http_io.c (its socket I/O), http_input.c (its input
 * path), http_refused.c (a refused request's log line) and
 * http_conn_req.c (the connection as its requests see it).
 */
#ifndef HTTP_CONNECTION_H
#define HTTP_CONNECTION_H

#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "pw_frame.h"
#include "http.h"

enum conn_state { C_IDLE, C_HEAD, C_BODY };

/* A refused request's access log line, written once it is answered. */
struct conn_rlog {
	struct http_refused	 rf;
	char			 method[24];
	char			 target[128];
	char			 rid[72];
};

/* Where the input path is in the bytes of the connection. */
enum conn_input {
	IN_HEAD,		/* scanning a head, holding it back */
	IN_BODY,		/* passing body_left bytes on */
	IN_CHUNKED,		/* passing all on; closes after the reply */
	IN_REFUSED		/* refused: dropping all, answer in c->refusal */
};

struct pw_conn {
	struct worker		*w;
	struct bufferevent	*bev;		/* the filter evhttp talks to */
	struct bufferevent	*under;		/* its input is ours to fill */
	struct event		*timer;		/* header and body deadlines */
	struct event		*attach;	/* once evhttp has set the fd */
	struct event		*rd;		/* EV_READ|EV_PERSIST on fd */
	struct event		*wr;		/* EV_WRITE: output is waiting */
	enum conn_state		 state;
	int			 fd;
	int			 paused;	/* rd off until output or input
						   drains (conn_resume) */
	int			 eof;		/* the client closed its side */
	int			 werr;		/* the socket refused a write */
	/* The input path (http_input.c). */
	enum conn_input		 in;
	struct pw_frame		 fr;
	size_t			 scanned;	/* head bytes held, scanned */
	int64_t			 body_left;
	unsigned		 passed;	/* requests handed to evhttp */
	unsigned		 answered;	/* and answered by us */
	int			 close;		/* close after this reply */
	int			 expect100;	/* evhttp may send 100 Continue */
	struct evbuffer		*refusal;	/* ours, sent when its turn */
	int			 shut;		/* refusal sent, SHUT_WR done */
	struct conn_rlog	*rlog;		/* its log line, till written */
	/*
	 * Asked when the connection is attached: a client that resets it
	 * at once is still named in the log line of what it sent.
	 */
	struct sockaddr_storage	 peer;
	int			 peer_known;
	int			 ops;		/* on metrics-listen */
	/* The output path: evhttp's own bytes told from ours by state. */
	int			 ours;		/* our reply is being written */
	size_t			 outq;		/* output bytes already seen */
};

/* The peer's address, or NULL if the socket could not tell it. */
static inline const struct sockaddr *
conn_peer(const struct pw_conn *c)
{
	return (c->peer_known ? (const struct sockaddr *)&c->peer : NULL);
}

/* For what loopback peers alone may see. */
static inline int
conn_peer_local(const struct pw_conn *c)
{
	return (pw_peer_loopback(conn_peer(c)));
}

/* The header or body deadline: secs from now. */
static inline void
conn_arm(struct pw_conn *c, int64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(c->timer, &tv);
}

/* http_io.c */
void	 conn_read(evutil_socket_t, short, void *);
void	 conn_writable(evutil_socket_t, short, void *);
enum bufferevent_filter_result conn_out(struct evbuffer *, struct evbuffer *,
	    ev_ssize_t, enum bufferevent_flush_mode, void *);
int	 conn_alive(struct pw_conn *);
void	 conn_refusal_send(struct pw_conn *);
void	 conn_resume(struct pw_conn *);
void	 conn_stop_reading(struct pw_conn *);

/* http_input.c */
enum bufferevent_filter_result conn_in(struct evbuffer *, struct evbuffer *,
	    ev_ssize_t, enum bufferevent_flush_mode, void *);

/* http_refused.c */
const char *conn_refusal_code(int status);
void	 conn_rlog_keep(struct pw_conn *, struct evbuffer *, const char *rid,
	    int status, size_t bytes, uint64_t t0);
void	 conn_log_refusal(struct pw_conn *);

#endif /* HTTP_CONNECTION_H */
