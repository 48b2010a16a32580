/*
 * The access log: one line per reply, refused requests included (an
 * attack made of malformed requests shows in the log), written with one
 * write(2) to the descriptor the master opened (and reopens on SIGUSR1),
 * so lines of concurrent workers never interleave.
 *
 *	time peer method target status bytes microseconds request-id code
 *	client cafe
 *
 * or, with log-format json, one object a line with the same fields (ts,
 * peer, method, target, status, bytes, duration_us, request_id, code,
 * client, cafe; null where the text has "-"), for a log shipper to read
 * without a grammar of its own.
 *
 * The client is the peer, or behind a trusted proxy the address
 * X-Forwarded-For names; the cafe is the one whose network holds it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pw.h"
#include "http.h"

/*
 * A value as the log carries it: at most max bytes, each control byte,
 * blank (text) or non-ASCII byte a '?', so no line splits and every line
 * is ASCII; NULL or empty gives "".
 */
static const char *
clean(char *out, size_t n, const char *s, size_t max, int blank)
{
	size_t i;
	unsigned char c;

	for (i = 0; s != NULL && s[i] != '\0' && i < max && i + 1 < n; i++) {
		c = (unsigned char)s[i];
		out[i] = c < ' ' || c >= 0x7f || (blank && c == ' ') ? '?' :
		    (char)c;
	}
	out[i] = '\0';
	return (out);
}

/* One text field: never empty, followed by a blank. */
static void
field(struct pw_buf *b, const char *s, size_t max)
{
	char v[128];

	clean(v, sizeof(v), s, max, 1);
	pw_buf_str(b, v[0] != '\0' ? v : "-");
	pw_buf_mem(b, " ", 1);
}

/* One JSON member after the first: a string, or null when there is none. */
static void
member(struct pw_buf *b, const char *name, const char *s, size_t max)
{
	char v[128];

	pw_buf_str(b, ",\"");
	pw_buf_str(b, name);
	pw_buf_str(b, "\":");
	clean(v, sizeof(v), s, max, 0);
	if (v[0] == '\0')
		pw_buf_str(b, "null");
	else
		pw_buf_quote(b, v);
}

static void
number(struct pw_buf *b, const char *name, uint64_t v)
{
	pw_buf_str(b, ",\"");
	pw_buf_str(b, name);
	pw_buf_str(b, "\":");
	pw_buf_u64(b, v);
}
static void
peer_text(const struct sockaddr *sa, char *out, size_t n)
{
	const void *a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, out, (socklen_t)n) ==
	    NULL)
		(void)strlcpy(out, "-", n);
}

/* What a line says, in either form. */
struct access {
	char		 peer[64];
	char		 client[64];
	const char	*cafe;
};

static void
line_text(struct pw_req *r, const struct access *a, struct pw_buf *b)
{
	http_clock_iso(r->w, b);
	pw_buf_mem(b, " ", 1);
	field(b, a->peer, 63);
	field(b, r->method_name, 23);
	field(b, r->target, 127);
	pw_buf_u64(b, (uint64_t)r->status);
	pw_buf_mem(b, " ", 1);
	pw_buf_u64(b, r->bytes);
	pw_buf_mem(b, " ", 1);
	pw_buf_u64(b, r->us);
	pw_buf_mem(b, " ", 1);
	field(b, r->rid, 71);
	field(b, r->code, 31);
	field(b, a->client, 63);
	field(b, a->cafe, 31);
}

/* log-format json: the same fields, one object a line. */
static void
line_json(struct pw_req *r, const struct access *a, struct pw_buf *b)
{
	pw_buf_str(b, "{\"ts\":\"");
	http_clock_iso(r->w, b);
	pw_buf_str(b, "\"");
	member(b, "peer", a->peer, 63);
	member(b, "method", r->method_name, 23);
	member(b, "target", r->target, 127);
	number(b, "status", (uint64_t)r->status);
	number(b, "bytes", r->bytes);
	number(b, "duration_us", r->us);
	member(b, "request_id", r->rid, 71);
	member(b, "code", r->code, 31);
	member(b, "client", a->client, 63);
	member(b, "cafe", a->cafe, 31);
	pw_buf_str(b, "} ");
}

void
http_access_log(struct pw_req *r)
{
	char line[1024];
	struct access a;
	struct pw_buf b;

	pw_buf_init(&b, line, sizeof(line));
	peer_text(http_conn_peer(r->conn), a.peer, sizeof(a.peer));
	http_origin_text(r, a.client, sizeof(a.client));
	a.cafe = r->cafe != NULL ? r->cafe->id : NULL;
	if (r->w->cfg->log_format == PW_LOG_JSON)
		line_json(r, &a, &b);
	else
		line_text(r, &a, &b);
	if (b.overflow || b.len == 0)
		return;
	/* Both end in a blank: it becomes the newline. */
	b.buf[b.len - 1] = '\n';
	/* A lost access log line must not fail the request it records. */
	if (write(r->w->ctx->access_fd, b.buf, b.len) == -1)
		return;
}
