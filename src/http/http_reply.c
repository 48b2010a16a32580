/*
 * Replies, written straight into the connection's output: the status
 * line and the header block from pieces made once (status lines here,
 * the Date header once a second), numbers formatted without stdio, the
 * body copied after them.  Every reply of the engine goes through
 * send_reply: the counters, the access log line and the latency of a
 * request are counted in one place.
 */
#include <sys/types.h>

#include <string.h>

#include <event2/event.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_names.h"

/* The header lines every reply has beside Date: at most this long. */
#define HEAD_MAX	512

static const struct {
	const char	*code;
	int		 status;
	const char	*msg;
} errors[] = {
#define PW_ERROR(sym, status, msg)	{ #sym, status, msg },
#include "tbl/errors.h"
#undef PW_ERROR
};

const char *
http_error_code(enum pw_error e)
{
	return (errors[e].code);
}

const char *
http_reason_phrase(int status)
{
	switch (status) {
	case 100: return ("Continue");
	case 200: return ("OK");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 409: return ("Conflict");
	case 410: return ("Gone");
	case 413: return ("Payload Too Large");
	case 429: return ("Too Many Requests");
	case 501: return ("Not Implemented");
	case 503: return ("Service Unavailable");
	default: return ("Internal Server Error");
	}
}

static int
rid_char(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	    c == '-');
}

/* 1-64 of [A-Za-z0-9._:-]. */
static int
rid_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 64 || !rid_char((unsigned char)s[i]))
			return (0);
	return (i > 0);
}

void
http_request_id(struct pw_req *r, const char *client)
{
	uint8_t rnd[12];

	if (client != NULL && rid_valid(client)) {
		(void)strlcpy(r->rid, client, sizeof(r->rid));
		r->rid_client = 1;
		return;
	}
	pw_rand_bytes(&r->w->st->rnd, rnd, sizeof(rnd));
	memcpy(r->rid, "req_", 4);
	pw_hex_encode(rnd, sizeof(rnd), r->rid + 4);
}

void
http_retry_after(struct pw_req *r, uint64_t secs)
{
	r->retry_after = secs > 0 ? secs : 1;
}

static void
put(struct pw_buf *b, const char *s)
{
	pw_buf_str(b, s);
}

/* The status line, the header block and the body, into the output. */
static void
compose(struct pw_req *r, int status, const char *type, const char *body,
    size_t n)
{
	struct pw_conn *c = r->conn;
	struct worker *w = r->w;
	struct pw_buf b;
	char *p;
	size_t room;

	room = HEAD_MAX + w->datelen + strlen(type) + (r->head_only ? 0 : n);
	if ((p = http_conn_out(c, room)) == NULL)
		return;
	pw_buf_init(&b, p, room);
	put(&b, "HTTP/1.1 ");
	pw_buf_u64(&b, (uint64_t)status);
	put(&b, " ");
	put(&b, http_reason_phrase(status));
	put(&b, "\r\n");
	pw_buf_mem(&b, w->date, w->datelen);
	put(&b, "Content-Type: ");
	put(&b, type);
	put(&b, "\r\nContent-Length: ");
	pw_buf_u64(&b, n);
	put(&b, "\r\nX-Request-ID: ");
	put(&b, r->rid);
	if (r->allow != NULL) {
		put(&b, "\r\nAllow: ");
		put(&b, r->allow);
	}
	if (r->retry_after > 0) {
		put(&b, "\r\nRetry-After: ");
		pw_buf_u64(&b, r->retry_after);
	}
	if (http_conn_closing(c))
		put(&b, "\r\nConnection: close");
	else if (http_conn_keepalive10(c))
		put(&b, "\r\nConnection: keep-alive");
	put(&b, "\r\n\r\n");
	if (!r->head_only)
		pw_buf_mem(&b, body, n);
	if (!b.overflow)
		http_conn_wrote(c, b.len);
}

static void
send_reply(struct pw_req *r, int status, const char *type, const char *body,
    size_t n)
{
	struct pw_store *st = r->w->st;

	if (r->answered)
		return;
	r->answered = 1;
	http_clock(r->w);
	compose(r, status, type, body, n);
	r->status = status;
	r->bytes = n;
	r->us = pw_mono_us() - r->t0;
	pw_count(st, status < 300 ? PW_C_REQ_2XX : status < 500 ?
	    PW_C_REQ_4XX : PW_C_REQ_5XX, 1);
	pw_latency_observe(st, r->route != NULL ? r->route->endpoint :
	    PW_EP_OTHER, r->us);
	if (r->w->ctx->access_fd != -1)
		http_access_log(r);
}

void
reply_typed(struct pw_req *r, int status, const char *type, const char *body,
    size_t n)
{
	send_reply(r, status, type, body, n);
}

void
reply_json(struct pw_req *r, int status, const char *body, size_t n)
{
	send_reply(r, status, "application/json", body, n);
}

struct pw_buf *
reply_begin(struct pw_req *r)
{
	struct pw_buf *b = &r->w->rb;

	pw_buf_init(b, r->w->scratch, sizeof(r->w->scratch));
	put(b, "{\"success\":true,\"request_id\":\"");
	put(b, r->rid);
	put(b, "\",\"data\":{");
	return (b);
}

void
reply_end(struct pw_req *r)
{
	struct pw_buf *b = &r->w->rb;

	put(b, "}}");
	if (b->overflow) {
		reply_error(r, PW_E_INTERNAL_ERROR, "reply too large");
		return;
	}
	reply_json(r, 200, b->buf, b->len);
}

/* The PlayWave envelope, or authenticate's flat object. */
static void
error_body(struct pw_req *r, struct pw_buf *b, enum pw_error e,
    const char *msg)
{
	int flat = r->route != NULL && r->route->auth == PW_AUTH_REALPLAY;

	if (flat)
		put(b, "{\"error\":{\"code\":\"");
	else {
		put(b, "{\"success\":false,\"request_id\":\"");
		put(b, r->rid);
		put(b, "\",\"error\":{\"code\":\"");
	}
	put(b, errors[e].code);
	put(b, "\",\"message\":");
	pw_buf_quote(b, msg);
	if (flat) {
		put(b, "},\"requestId\":\"");
		put(b, r->rid);
		put(b, "\"}");
		return;
	}
	put(b, ",\"timestamp\":\"");
	http_clock_iso(r->w, b);
	put(b, "\"}}");
}

void
reply_error(struct pw_req *r, enum pw_error e, const char *msg)
{
	struct pw_buf b;
	char buf[1024];

	pw_buf_init(&b, buf, sizeof(buf));
	http_clock(r->w);
	error_body(r, &b, e, msg != NULL ? msg : errors[e].msg);
	r->code = errors[e].code;
	reply_json(r, errors[e].status, b.buf, b.len);
}

void
reply_error3(struct pw_req *r, enum pw_error e, const char *a, const char *b,
    const char *c)
{
	struct pw_buf m;
	char msg[512];

	pw_buf_init(&m, msg, sizeof(msg));
	put(&m, a);
	put(&m, b);
	put(&m, c);
	reply_error(r, e, msg);
}
