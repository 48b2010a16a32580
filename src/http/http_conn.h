/*
 * One connection, internal to the files that run it: http_conn.c (its
 * requests, from bytes in to replies out), http_conn_io.c (its socket,
 * buffers and deadlines).
 */
#ifndef HTTP_CONN_H
#define HTTP_CONN_H

#include <sys/socket.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "pw_frame.h"
#include "http.h"

enum conn_state {
	CS_IDLE,		/* between requests */
	CS_HEAD,		/* a request's head is arriving */
	CS_BODY,		/* its body is */
	CS_DONE,		/* no more requests: replies go out, then close */
	CS_LINGER		/* write side shut: reading what comes, dropping it */
};

/* Replies queued at most (pipelining), and their bytes. */
#define CONN_PIPE_REPLIES	32
#define CONN_PIPE_BYTES		(64 * 1024)
/* A standard output buffer; a larger reply (/metrics) gets its own. */
#define CONN_OUT_SIZE		16384

struct pw_conn {
	struct worker		*w;
	struct pw_conn		*next, *prev;	/* the worker's connections */
	int			 fd;
	int			 ops;		/* on metrics-listen */
	int			 counted;	/* in max-connections-per-source */
	struct sockaddr_storage	 peer;
	struct event		 rev, wev, tmo;
	enum conn_state		 st;
	int			 fresh;		/* no request yet: the header
						   deadline runs from accept */
	int			 reading;	/* rev is added */
	int			 writing;	/* wev is added */
	int			 eof;		/* the client shut its side */
	/* Input: requests from in[req] on, parsed to in[req + fr.len]. */
	char			*in;
	size_t			 inlen;
	size_t			 req;
	struct pw_frame		 fr;
	int			 http11;
	int			 wantclose;	/* the request said so */
	int			 keep10;	/* HTTP/1.0 keep-alive asked */
	const struct pw_route	*route;		/* decided from the head */
	size_t			 body;		/* the body's offset */
	int64_t			 clen;
	int			 chunked;
	struct pw_chunked	 ch;
	size_t			 blen;		/* chunked: decoded so far */
	size_t			 braw;		/* chunked: next raw byte */
	/* Output: replies queued, out[sent] .. out[outlen] to write. */
	char			*out;
	size_t			 outcap;
	size_t			 outlen;
	size_t			 sent;
	int			 queued;
	int			 close;		/* close once out is sent */
	int			 linger;	/* and read away what comes */
	uint64_t		 linger_end;	/* pw_mono_us() */
	/* A refused request's method and target, for its log line. */
	char			 rmethod[24];
	char			 rtarget[128];
};

/* http_conn_io.c */
int	 conn_in_acquire(struct pw_conn *);
void	 conn_in_release(struct pw_conn *);
void	 conn_out_release(struct pw_conn *);
/* Read what the socket has: bytes read, 0 at EOF, -1 error (or again). */
ssize_t	 conn_read(struct pw_conn *);
/* Write what is queued: 0 all sent, 1 more to send later, -1 error. */
int	 conn_flush(struct pw_conn *);
void	 conn_want_read(struct pw_conn *, int on);
void	 conn_want_write(struct pw_conn *, int on);
void	 conn_arm(struct pw_conn *, const struct timeval *);
void	 conn_close(struct pw_conn *);

/* http_conn.c */
void	 conn_run(struct pw_conn *);

#endif /* HTTP_CONN_H */
