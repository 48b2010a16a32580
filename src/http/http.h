/*
 * The HTTP side of a worker: the engine (connections, the parser's
 * requests, routes, replies) and the API it offers the endpoint
 * handlers.  Internal to src/http/.
 *
 * A request's life: a connection's bytes (http_conn.c) are parsed
 * (http_frame.c, http_chunked.c), routed and checked in the API's order
 * (http_route.c), answered by a handler (http_game.c, http_launcher.c,
 * http_auth.c, http_ops.c) whose reply is written straight into the
 * connection's output (http_reply.c), and logged (http_access.c).
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/types.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include <stddef.h>
#include <stdint.h>

#include "pw_buf.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_frame.h"
#include "pw_json.h"
#include "pw_store.h"

enum pw_error {
#define PW_ERROR(sym, status, msg)	PW_E_##sym,
#include "tbl/errors.h"
#undef PW_ERROR
	PW_E_COUNT
};

struct pw_conn;
struct pw_route;

/* A listening socket the master opened, watched by this worker. */
struct http_listener {
	struct worker		*w;
	struct event		 ev;
	int			 fd;
	int			 ops;		/* metrics-listen: ops only */
};

/* Connections per source address (http_accept.c). */
struct http_src {
	uint8_t			 addr[16];
	uint32_t		 count;		/* 0: free */
	uint32_t		 family;
};

#define PW_REPLY_MAX	16384	/* a reply's body, /metrics excepted */

struct pw_req {
	struct worker		*w;
	struct pw_conn		*conn;
	const struct pw_route	*route;
	int			 method;	/* PW_M_* */
	const char		*method_name;
	const char		*target;	/* as sent, NUL-terminated */
	const char		*path;		/* what routes: no query, no
						   absolute-form authority */
	const char		*hdr[PW_H_COUNT];	/* values, or NULL */
	const char		*xff[PW_XFF_MAX];	/* X-Forwarded-For lines */
	int			 nxff;		/* > PW_XFF_MAX: too many */
	const char		*body;
	size_t			 len;
	int			 ops_listener;	/* came in on metrics-listen */
	int			 head_only;	/* HEAD: no body in the reply */
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
	char			 rid[72];
	int			 rid_client;	/* rid is the client's own */
	uint64_t		 t0;		/* pw_mono_us() at dispatch */
	uint64_t		 us;		/* t0 to its reply, us */
	/* The reply. */
	int			 status;
	size_t			 bytes;		/* of its body */
	const char		*code;		/* of an error reply */
	const char		*allow;		/* a 405's Allow */
	uint64_t		 retry_after;	/* a 429's or 503's, s */
	int			 answered;
	struct pw_json		 js;		/* last: not cleared per request */
};

struct worker {
	struct pw_ctx		*ctx;
	struct pw_store		*st;
	const struct pw_config	*cfg;
	struct event_base	*base;
	int			 index;
	struct http_listener	 lis[2 * PW_MAX_LISTEN];
	int			 nlis;
	struct event		 resume;	/* accepting again after EMFILE */
	int			 accepting;
	int			 paused;	/* out of descriptors */
	int			 draining;
	int64_t			 nconn;
	struct pw_conn		*conns;		/* every open connection */
	struct pw_conn		*free_conns;	/* kept for the next accept */
	char			**free_in;	/* input buffers kept */
	int			 nfree_in;
	char			**free_out;	/* output buffers kept */
	int			 nfree_out;
	size_t			 in_size;	/* of an input buffer */
	struct http_src		*srcs;		/* max-connections-per-source */
	uint64_t		 srcmask;
	const struct timeval	*tv_header, *tv_body, *tv_idle, *tv_write,
				*tv_linger;
	/* The Date header and the error timestamp, made once a second. */
	time_t			 now_s;
	char			 date[48];
	size_t			 datelen;
	char			 iso[24];	/* 2026-03-06T12:00:00 */
	char			*mbuf;		/* /metrics, rendered */
	size_t			 mcap;
	struct pw_req		 req;		/* the request being answered */
	struct pw_buf		 rb;		/* its reply's body, in scratch */
	char			 scratch[PW_REPLY_MAX];	/* a reply's body */
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
	int		 methods;	/* PW_M_* mask */
	const char	*allow;		/* for 405 */
	enum pw_auth	 auth;
	int		 body;		/* expects a JSON body */
	unsigned	 endpoint;	/* its row in tbl/endpoints.h */
	pw_handler	 handler;
};

/* http_accept.c: the listeners and the accept loop. */
void	 http_accept_start(struct worker *);

/* http_limits.c: connections per worker and per source. */
void	 http_accept_enable(struct worker *, int on);
/* A connection of this peer may be counted (0), or is one too many. */
int	 http_src_take(struct worker *, const struct sockaddr *);
void	 http_src_put(struct worker *, const struct sockaddr *);

/* http_conn.c: one connection's requests, from accept to close. */
void	 http_conn_open(struct worker *, int fd, const struct sockaddr *,
	    socklen_t, int ops, int counted);
void	 http_conn_drain(struct worker *);

/* http_conn_io.c: what a reply needs of its connection. */
/* Whether the reply must say Connection: close, and HTTP/1.0 keep-alive. */
int	 http_conn_closing(const struct pw_conn *);
int	 http_conn_keepalive10(const struct pw_conn *);
const struct sockaddr *http_conn_peer(const struct pw_conn *);
/* Room for n more output bytes, or NULL; then http_conn_wrote(c, n). */
char	*http_conn_out(struct pw_conn *, size_t n);
void	 http_conn_wrote(struct pw_conn *, size_t n);

/* http_route.c: route and size from the head; the checks in order. */
int	 http_route_decide(struct worker *, int ops, const char *path,
	    int method, int64_t clen, int local, const struct pw_route **);
void	 http_dispatch(struct pw_req *);
/* http_body.c: content type and strict JSON; a 400 itself and -1. */
int	 http_parse_body(struct pw_req *);
static inline const char *
http_header(const struct pw_req *r, enum pw_header h)
{
	return (r->hdr[h]);
}

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

/*
 * http_reply.c: replies, written straight into the connection's output.
 * A success envelope is built in place: reply_begin gives the builder
 * with {"success":true,"request_id":...,"data":{ written, the handler
 * adds its members, reply_end closes and sends it (a body that did not
 * fit is a 500).
 */
struct pw_buf *reply_begin(struct pw_req *);
void	 reply_end(struct pw_req *);
/* A whole JSON body (flat replies, static ones). */
void	 reply_json(struct pw_req *, int status, const char *body, size_t n);
void	 reply_typed(struct pw_req *, int status, const char *type,
	    const char *body, size_t n);
/*
 * An error reply of the table's code: its status, and msg (NULL: the
 * table's default).  The envelope, or the flat object of authenticate.
 */
void	 reply_error(struct pw_req *, enum pw_error, const char *msg);
/* The same with a message made of three pieces ("field '", f, "'"). */
void	 reply_error3(struct pw_req *, enum pw_error, const char *a,
	    const char *b, const char *c);
const char *http_error_code(enum pw_error);
void	 http_retry_after(struct pw_req *, uint64_t secs);
/* The request id: the client's well-formed one, else a new one. */
void	 http_request_id(struct pw_req *, const char *client);
const char *http_reason_phrase(int status);
/* http_clock.c: the Date header and error timestamps of this second. */
void	 http_clock(struct worker *);
/* The instant as 2026-03-06T12:00:00.000Z. */
void	 http_clock_iso(struct worker *, struct pw_buf *);

/* http_fields.c: a field of the JSON body, or a 400 and -1. */
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
void	 h_readyz(struct pw_req *);
void	 h_metrics(struct pw_req *);

/* http_access.c: the access log line of a reply. */
void	 http_access_log(struct pw_req *);

#endif /* HTTP_H */
