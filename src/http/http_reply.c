/*
 * Replies: sending them (headers, counters, the access log line), request
 * ids, and the 400s for request fields.  The bodies of errors are made in
 * http_envelope.c.
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
#include "http.h"
#include "pw_names.h"

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
http_request_id(struct pw_req *r)
{
	const char *h;

	h = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "X-Request-ID");
	if (h != NULL && rid_valid(h))
		strlcpy(r->rid, h, sizeof(r->rid));
	else
		http_rid_new(r->w, r->rid);
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
	c = http_conn_request_done(w, r->req);
	if (w->draining || (c != NULL && http_conn_closing(c)))
		evhttp_add_header(h, "Connection", "close");
	evbuffer_add(w->out, body, n);
	r->status = status;
	r->bytes = n;
	pw_count(w->st, status < 300 ? PW_C_REQ_2XX : status < 500 ?
	    PW_C_REQ_4XX : PW_C_REQ_5XX, 1);
	/* Logged first: once sent and flushed, the request may be freed. */
	if (w->ctx->access_fd != -1)
		http_access_log(r);
	evhttp_send_reply(r->req, status, http_reason_phrase(status), w->out);
	if (c != NULL)
		http_conn_flush(c);
}

static int
render(struct pw_req *r, char *buf, size_t size, const char *fmt,
    va_list ap)
{
	int n, m;

	n = snprintf(buf, size,
	    "{\"success\":true,\"request_id\":\"%s\",\"data\":{", r->rid);
	if (n < 0 || (size_t)n >= size)
		return (-1);
	m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	if (m < 0 || (size_t)(n + m) + 3 > size)
		return (-1);
	n += m;
	memcpy(buf + n, "}}", 3);
	return (n + 2);
}

int
reply_render(struct pw_req *r, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = render(r, buf, size, fmt, ap);
	va_end(ap);
	return (n);
}

void
reply_data(struct pw_req *r, const char *fmt, ...)
{
	char buf[PW_REPLY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = render(r, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n == -1) {
		reply_error(r, 500, "INTERNAL_ERROR", "reply too large");
		return;
	}
	reply_raw(r, 200, buf, (size_t)n);
}

void
reply_flat_error(struct pw_req *r, int status, const char *code,
    const char *msg)
{
	char buf[1024];

	r->code = code;
	reply_raw(r, status, buf, http_flat_error(buf, sizeof(buf), r->rid,
	    code, msg));
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
	r->code = code;
	if (r->route != NULL && r->route->auth == PW_AUTH_REALPLAY) {
		reply_flat_error(r, status, code, msg);
		return;
	}
	reply_raw(r, status, buf, http_envelope_error(buf, sizeof(buf), r->rid,
	    code, msg));
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

/* "<prefix><uuid>"; only an OTT's prefix may be left out. */
int
req_uuid(struct pw_req *r, const char *field, unsigned type,
    uint8_t out[16])
{
	const char *prefix = pw_type_prefix(type);
	char buf[80];

	if (req_string(r, field, buf, sizeof(buf), 1) == -1)
		return (-1);
	if (pw_id_parse(buf, prefix, type == PW_T_OTT, out) != NULL)
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
