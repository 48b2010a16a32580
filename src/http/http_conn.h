/*
 * One connection, internal to http_conn.c (its life and limits) and
 * http_io.c (its socket I/O).
 */
#ifndef HTTP_CONN_H
#define HTTP_CONN_H

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "http.h"

enum conn_state { C_IDLE, C_HEAD, C_BODY };

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
	int			 crlf;		/* progress through "\r\n\r\n" */
	int			 paused;	/* rd off until output or input
						   drains (conn_resume) */
	int			 eof;		/* the client closed its side */
	int			 werr;		/* the socket refused a write */
};

/* http_io.c */
void	 conn_read(evutil_socket_t, short, void *);
void	 conn_writable(evutil_socket_t, short, void *);
enum bufferevent_filter_result conn_out(struct evbuffer *, struct evbuffer *,
	    ev_ssize_t, enum bufferevent_flush_mode, void *);
int	 conn_alive(struct pw_conn *);
void	 conn_resume(struct pw_conn *);
void	 conn_stop_reading(struct pw_conn *);

#endif /* HTTP_CONN_H */
