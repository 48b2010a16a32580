/*
 * The access log: one line per reply, written with one write(2) to the
 * descriptor the master opened (and reopens on SIGUSR1), so lines of
 * concurrent workers never interleave.  A request refused from its head
 * (http_input.c) or by evhttp itself (http_io.c) never becomes an evhttp
 * request, but is answered all the same and gets its line too: an
 * attack made of malformed requests shows in the log.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netdb.h>

#include <event2/http.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "http.h"

/*
 * time peer method target status bytes duration-us request-id code
 * client cafe: the client is the peer, or behind a trusted proxy the
 * address X-Forwarded-For names; the cafe is that of a launcher request.
 */
struct line {
	const char	*peer;
	const char	*client;
	const char	*cafe;
	const char	*method;
	const char	*target;
	int		 status;
	size_t		 bytes;
	uint64_t	 us;
	const char	*rid;
	const char	*code;
};

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return ("GET");
	case EVHTTP_REQ_POST: return ("POST");
	case EVHTTP_REQ_HEAD: return ("HEAD");
	case EVHTTP_REQ_PUT: return ("PUT");
	case EVHTTP_REQ_DELETE: return ("DELETE");
	case EVHTTP_REQ_OPTIONS: return ("OPTIONS");
	case EVHTTP_REQ_TRACE: return ("TRACE");
	case EVHTTP_REQ_CONNECT: return ("CONNECT");
	case EVHTTP_REQ_PATCH: return ("PATCH");
	default: return ("?");
	}
}

/* One field: never empty, no blank or control byte to split a line. */
static void
field(char *out, size_t n, const char *s)
{
	size_t i;

	strlcpy(out, s != NULL && *s != '\0' ? s : "-", n);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] <= ' ' || out[i] == 0x7f)
			out[i] = '?';
}

static void
line_write(int fd, const struct line *l)
{
	char buf[640], ts[32], peer[64], method[24], target[128], code[32];
	char client[64], cafe[32];
	int n;

	pw_iso8601_ms(pw_now_ms(), ts);
	field(peer, sizeof(peer), l->peer);
	field(method, sizeof(method), l->method);
	field(target, sizeof(target), l->target);
	field(code, sizeof(code), l->code);
	field(client, sizeof(client), l->client != NULL ? l->client : l->peer);
	field(cafe, sizeof(cafe), l->cafe);
	n = snprintf(buf, sizeof(buf), "%s %s %s %s %d %zu %llu %s %s %s %s\n",
	    ts, peer, method, target, l->status, l->bytes,
	    (unsigned long long)l->us, l->rid, code, client, cafe);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	/* A lost access log line must not fail the request it records. */
	if (write(fd, buf, (size_t)n) == -1)
		return;
}

void
http_access_log(struct pw_req *r)
{
	struct line l;
	char *peer = NULL, client[64];
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(evhttp_request_get_connection(r->req),
	    &peer, &port);
	l.peer = peer;
	/* A launcher request's origin is known; others' is resolved now. */
	http_origin_text(r, client, sizeof(client));
	l.client = client;
	l.cafe = r->cafe != NULL ? r->cafe->id : NULL;
	l.method = method_name(evhttp_request_get_command(r->req));
	l.target = evhttp_request_get_uri(r->req);
	l.status = r->status;
	l.bytes = r->bytes;
	l.us = pw_mono_us() - r->t0;
	l.rid = r->rid;
	l.code = r->code;
	line_write(r->w->ctx->access_fd, &l);
}

void
http_access_refused(struct worker *w, const struct http_refused *rf)
{
	struct line l;
	char host[NI_MAXHOST];
	socklen_t len;

	if (w->ctx->access_fd == -1)
		return;
	l.peer = NULL;
	l.client = NULL;	/* no header was read: the peer */
	l.cafe = NULL;
	if (rf->peer != NULL && (rf->peer->sa_family == AF_INET ||
	    rf->peer->sa_family == AF_INET6)) {
		len = rf->peer->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (getnameinfo(rf->peer, len, host, sizeof(host), NULL, 0,
		    NI_NUMERICHOST) == 0)
			l.peer = host;
	}
	l.method = rf->method;
	l.target = rf->target;
	l.status = rf->status;
	l.bytes = rf->bytes;
	l.us = pw_mono_us() - rf->t0;
	l.rid = rf->rid;
	l.code = rf->code;
	line_write(w->ctx->access_fd, &l);
}
