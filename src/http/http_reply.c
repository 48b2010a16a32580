/*
 * Replies: the PlayWave envelope (API.md 1), the flat real-play error
 * (API.md 4), request ids, and the 400s for request fields.
 */
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_http.h"

static const char *
reason_phrase(int status)
{
	switch (status) {
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

static void
rid_new(struct worker *w, char out[32])
{
	uint8_t rnd[12];

	pw_rand_bytes(&w->st->rnd, rnd, sizeof(rnd));
	memcpy(out, "req_", 4);
	pw_hex_encode(rnd, sizeof(rnd), out + 4);
}

void
http_request_id(struct pw_req *r)
{
	const char *h;

	h = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "X-Request-ID");
	if (h != NULL && rid_valid(h))
		strlcpy(r->rid, h, sizeof(r->rid));
	else
		rid_new(r->w, r->rid);
}

void
reply_raw(struct pw_req *r, int status, const char *body, size_t n)
{
	reply_typed(r, status, "application/json", body, n);
}

void
reply_typed(struct pw_req *r, int status, const char *type, const char *body,
    size_t n)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	struct worker *w = r->w;
	struct pw_conn *c;

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Request-ID", r->rid);
	if (w->draining)
		evhttp_add_header(h, "Connection", "close");
	evbuffer_add(w->out, body, n);
	r->status = status;
	r->bytes = n;
	pw_count(w->st, status < 300 ? PW_C_REQ_2XX : status < 500 ?
	    PW_C_REQ_4XX : PW_C_REQ_5XX, 1);
	/* Logged first: once sent and flushed, the request may be freed. */
	if (w->ctx->access_fd != -1)
		access_log(r);
	c = http_conn_request_done(w, r->req);
	evhttp_send_reply(r->req, status, reason_phrase(status), w->out);
	if (c != NULL)
		http_conn_flush(c);
}

void
reply_data(struct pw_req *r, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n, m;

	n = snprintf(buf, sizeof(buf),
	    "{\"success\":true,\"request_id\":\"%s\",\"data\":{", r->rid);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) + 3 > sizeof(buf)) {
		reply_error(r, 500, "INTERNAL_ERROR", "reply too large");
		return;
	}
	n += m;
	memcpy(buf + n, "}}", 3);
	reply_raw(r, 200, buf, (size_t)n + 2);
}

static size_t
envelope_error(char *buf, size_t n, const char *rid, const char *code,
    const char *msg)
{
	char ts[32], qmsg[600];
	int len;

	pw_iso8601_ms(pw_now_ms(), ts);
	pw_json_quote(qmsg, sizeof(qmsg), msg, strlen(msg));
	len = snprintf(buf, n, "{\"success\":false,\"request_id\":\"%s\","
	    "\"error\":{\"code\":\"%s\",\"message\":%s,\"timestamp\":\"%s\"}}",
	    rid, code, qmsg, ts);
	return (len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1);
}

void
reply_flat_error(struct pw_req *r, int status, const char *code,
    const char *msg)
{
	char buf[1024], qmsg[600];
	int n;

	pw_json_quote(qmsg, sizeof(qmsg), msg, strlen(msg));
	n = snprintf(buf, sizeof(buf), "{\"error\":{\"code\":\"%s\","
	    "\"message\":%s},\"requestId\":\"%s\"}", code, qmsg, r->rid);
	reply_raw(r, status, buf, (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1);
}

void
reply_error(struct pw_req *r, int status, const char *code,
    const char *fmt, ...)
{
	char msg[512], buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->route != NULL && r->route->auth == PW_AUTH_REALPLAY) {
		reply_flat_error(r, status, code, msg);
		return;
	}
	reply_raw(r, status, buf, envelope_error(buf, sizeof(buf), r->rid,
	    code, msg));
}

size_t
reply_error_page(struct worker *w, char *buf, size_t n, int status,
    const char *code, const char *msg)
{
	char body[512], rid[32];
	size_t blen;
	int len;

	rid_new(w, rid);
	blen = envelope_error(body, sizeof(body), rid, code, msg);
	len = snprintf(buf, n, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/json\r\nX-Request-ID: %s\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, reason_phrase(status),
	    rid, blen, body);
	return (len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1);
}

int
req_string(struct pw_req *r, const char *field, char *out, size_t outsz,
    size_t minlen)
{
	int tok, n;

	if ((tok = pw_json_get(&r->js, field)) == -1) {
		reply_error(r, 400, "BAD_REQUEST", "missing field '%s'", field);
		return (-1);
	}
	if (pw_json_type(&r->js, tok) != PW_JSON_STRING) {
		reply_error(r, 400, "BAD_REQUEST", "field '%s' must be a "
		    "string", field);
		return (-1);
	}
	if ((n = pw_json_string(&r->js, tok, out, outsz)) == -2) {
		reply_error(r, 400, "BAD_REQUEST", "field '%s' is too long",
		    field);
		return (-1);
	}
	if (n < 0) {
		reply_error(r, 400, "BAD_REQUEST", "field '%s' contains a NUL "
		    "character", field);
		return (-1);
	}
	if ((size_t)n < minlen) {
		reply_error(r, 400, "BAD_REQUEST", "field '%s' must not be "
		    "empty", field);
		return (-1);
	}
	return (n);
}

/* "<prefix><uuid>"; only an OTT's "playwave_" may be left out. */
int
req_uuid(struct pw_req *r, const char *field, const char *prefix,
    uint8_t out[16])
{
	char buf[80];

	if (req_string(r, field, buf, sizeof(buf), 1) == -1)
		return (-1);
	if (pw_id_parse(buf, prefix, strcmp(prefix, "playwave_") == 0,
	    out) != NULL)
		return (0);
	reply_error(r, 400, "BAD_REQUEST", "field '%s' must be %s<uuid>",
	    field, prefix);
	return (-1);
}

int
req_uid(struct pw_req *r, const char *field, uint8_t out[PW_UID_LEN])
{
	char buf[32];
	int n;

	if ((n = req_string(r, field, buf, sizeof(buf), 1)) == -1)
		return (-1);
	if (pw_uid_pack(out, buf, (size_t)n) == -1) {
		reply_error(r, 400, "BAD_REQUEST", "field '%s' must be 1 to 20 "
		    "decimal digits", field);
		return (-1);
	}
	return (0);
}
