/*
 * The access log: one line per reply, refused requests included (an
 * attack made of malformed requests shows in the log), written with one
 * write(2) to the descriptor the master opened (and reopens on SIGUSR1),
 * so lines of concurrent workers never interleave.
 *
 *	time peer method target status bytes microseconds request-id code
 *	client cafe
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

/* One field: never empty, no blank or control byte to split a line. */
static void
field(struct pw_buf *b, const char *s, size_t max)
{
	size_t i, start = b->len;

	if (s == NULL || *s == '\0')
		s = "-";
	for (i = 0; s[i] != '\0' && i < max; i++)
		;
	pw_buf_mem(b, s, i);
	for (i = start; i < b->len; i++)
		if ((unsigned char)b->buf[i] <= ' ' || b->buf[i] == 0x7f)
			b->buf[i] = '?';
	pw_buf_mem(b, " ", 1);
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

void
http_access_log(struct pw_req *r)
{
	char line[768], peer[64], client[64];
	struct pw_buf b;

	pw_buf_init(&b, line, sizeof(line));
	peer_text(http_conn_peer(r->conn), peer, sizeof(peer));
	http_origin_text(r, client, sizeof(client));
	http_clock_iso(r->w, &b);
	pw_buf_mem(&b, " ", 1);
	field(&b, peer, 63);
	field(&b, r->method_name, 23);
	field(&b, r->target, 127);
	pw_buf_u64(&b, (uint64_t)r->status);
	pw_buf_mem(&b, " ", 1);
	pw_buf_u64(&b, r->bytes);
	pw_buf_mem(&b, " ", 1);
	pw_buf_u64(&b, pw_mono_us() - r->t0);
	pw_buf_mem(&b, " ", 1);
	field(&b, r->rid, 71);
	field(&b, r->code, 31);
	field(&b, client, 63);
	field(&b, r->cafe != NULL ? r->cafe->id : NULL, 31);
	if (b.overflow || b.len == 0)
		return;
	b.buf[b.len - 1] = '\n';
	/* A lost access log line must not fail the request it records. */
	if (write(r->w->ctx->access_fd, b.buf, b.len) == -1)
		return;
}
