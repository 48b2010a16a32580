/*
 * The HTTP side of a worker: connections, routing, replies and the
 * endpoint handlers of the HTTP API.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_json.h"
#include "pw_store.h"

struct event_base;
struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
struct evbuffer;
struct bufferevent;
struct pw_conn;

struct worker {
	struct pw_ctx		*ctx;
	struct pw_store		*st;
	const struct pw_config	*cfg;
	struct event_base	*base;
	struct evhttp		*http;
	struct evhttp		*ops_http;	/* metrics-listen: ops only */
	struct evbuffer		*out;		/* reply body, reused */
	struct evhttp_bound_socket *bound[2 * PW_MAX_LISTEN];
	int			 nbound;
	int			 accepting;
	int			 draining;
	int64_t			 nconn;
	int			 npaused;	/* connections at their input cap */
	struct pw_conn		**conns;	/* by fd */
	int			 maxfd;
	int			 index;
};

struct pw_route;

struct pw_req {
	struct worker		*w;
	struct evhttp_request	*req;
	const struct pw_route	*route;
	const char		*body;
	size_t			 len;
	const struct pw_game	*game;
	int			 key_index;
	/* Where it comes from (http_origin.c), once asked. */
	int			 origin_done;
	struct sockaddr_storage	 client;	/* resolved through proxies */
	const struct pw_cafe	*cafe;		/* whose network holds client */
	/* A launcher session request, once authenticated. */
	struct pw_slot		*ls;
	uint8_t			 ls_key[PW_KEY_LEN];
	uint32_t		 ls_flags;	/* of a start: PW_LS_* */
	int			 ops_listener;	/* came in on metrics-listen */
	char			 rid[72];
	uint64_t		 t0;
	int			 status;
	size_t			 bytes;
	const char		*code;		/* of an error reply */
	struct pw_json		 js;		/* last: not cleared per request */
};

typedef void (*pw_handler)(struct pw_req *);

enum pw_auth {
	PW_AUTH_NONE,		/* /healthz, /metrics */
	PW_AUTH_API_KEY,	/* game server API: X-Api-Key */
	PW_AUTH_LAUNCHER,	/* signed launcher requests */
	PW_AUTH_REALPLAY	/* /v1/authenticate, its own order */
};

struct pw_route {
	const char	*path;
	int		 method;	/* one evhttp_cmd_type */
	const char	*allow;		/* for 405 */
	enum pw_auth	 auth;
	int		 body;		/* expects a JSON body */
	enum pw_counter	 counter;
	pw_handler	 handler;
};

/*
 * http_conn.c, http_io.c: per-connection limits, the error-page filter and
 * the socket I/O.  evhttp itself takes bodies up to PW_HTTP_BODY_LIMIT, so
 * that a body over max-body still reaches the route and gets its JSON 413.
 */
#define PW_HTTP_BODY_LIMIT(cfg)	((cfg)->max_body * 2 + 4096)
struct bufferevent *http_conn_new(struct event_base *, void *worker);
struct bufferevent *http_conn_new_ops(struct event_base *, void *worker);
/* Whether the request's peer is a loopback address. */
int	 http_conn_peer_local(struct worker *, struct evhttp_request *);
/* Whether the reply must say Connection: close. */
int	 http_conn_closing(const struct pw_conn *);
/* The request is answered: stop its deadline; the connection to flush. */
struct pw_conn	*http_conn_request_done(struct worker *,
		    struct evhttp_request *);
void	 http_conn_flush(struct pw_conn *);
void	 http_conn_drain(struct worker *);
void	 http_conn_tick(struct worker *);

/* http_route.c */
/* 0, or 404, 405 (*route set) or 413, from the head alone. */
int	 http_route_decide(struct worker *, int ops, const char *path,
	    int method, int64_t clen, int local, const struct pw_route **);
void	 http_dispatch(struct evhttp_request *, void *worker);
void	 http_dispatch_ops(struct evhttp_request *, void *worker);
/* Content type and strict JSON; replies 400 itself and returns -1. */
int	 http_parse_body(struct pw_req *);
const char *http_header(struct pw_req *, const char *name);

/* http_origin.c: set r->client and r->cafe (once per request). */
void	 http_origin(struct pw_req *);
/* The client address as text, for the access log ("-" when unknown). */
void	 http_origin_text(struct pw_req *, char *out, size_t n);

/* http_launcher_auth.c: a launcher request's signature and checks. */
int	 http_launcher_auth(struct pw_req *);

/* http_rate.c: 1 if the bucket has room, else 0 and *retry_s. */
int	 http_rate_take(struct pw_req *, _Atomic uint64_t *tat,
	    uint64_t *retry_s);
_Atomic uint64_t *http_rate_api_key(struct pw_req *);
_Atomic uint64_t *http_rate_game(struct pw_req *, const struct pw_game *);
void	 http_retry_after(struct pw_req *, uint64_t secs);

/* http_reply.c */
void	 http_request_id(struct pw_req *);
void	 reply_raw(struct pw_req *, int status, const char *body, size_t n);
void	 reply_typed(struct pw_req *, int status, const char *type,
	    const char *body, size_t n);
void	 reply_data(struct pw_req *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * A success envelope rendered into buf without sending it, so that a
 * handler can know its reply fits before it changes any state; the
 * length, or -1.  Send it with reply_raw(r, 200, buf, n).
 */
#define PW_REPLY_MAX	4096
int	 reply_render(struct pw_req *, char *buf, size_t size,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 reply_error(struct pw_req *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 reply_flat_error(struct pw_req *, int status, const char *code,
	    const char *msg);

/* Field helpers: each replies 400 itself and returns -1 on failure. */
int	 req_string(struct pw_req *, const char *field, char *out,
	    size_t outsz, size_t minlen);
int	 req_uuid(struct pw_req *, const char *field, unsigned type,
	    uint8_t out[16]);
int	 req_uid(struct pw_req *, const char *field, uint8_t out[PW_UID_LEN]);

/* Handlers. */
void	 h_verify(struct pw_req *);
void	 h_heartbeat(struct pw_req *);
void	 h_end(struct pw_req *);
void	 h_check(struct pw_req *);
void	 h_lsession(struct pw_req *);
void	 h_lheartbeat(struct pw_req *);
void	 h_lott(struct pw_req *);
void	 h_authenticate(struct pw_req *);
void	 h_healthz(struct pw_req *);
void	 h_metrics(struct pw_req *);

/* http_envelope.c: error bodies, each returns its length (< n). */
const char *http_reason_phrase(int status);
void	 http_rid_new(struct worker *, char out[32]);
size_t	 http_envelope_error(char *buf, size_t n, const char *rid,
	    const char *code, const char *msg);
size_t	 http_flat_error(char *buf, size_t n, const char *rid,
	    const char *code, const char *msg);
/*
 * A whole error reply for a request refused from its head (no evhttp
 * request), allow for a 405's Allow header; *blen is its body's length.
 */
size_t	 http_error_page(const char *rid, const char *allow, char *buf,
	    size_t n, int status, const char *code, const char *msg,
	    size_t *blen);

/* http_access.c */
void	 http_access_log(struct pw_req *);
/*
 * A request answered without an evhttp request (refused from its head,
 * or by evhttp itself): what is known of it, NULL for the rest.
 */
struct sockaddr;
struct http_refused {
	const struct sockaddr	*peer;
	const char		*method;
	const char		*target;
	int			 status;
	const char		*code;
	size_t			 bytes;		/* of the reply's body */
	uint64_t		 t0;		/* pw_mono_us() when refused */
	const char		*rid;
};
void	 http_access_refused(struct worker *, const struct http_refused *);

#endif /* HTTP_H */
