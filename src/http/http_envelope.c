/*
 * The bodies of error replies, which depend on nothing but their words:
 * the PlayWave envelope, the flat error of real-play authenticate,
 * a whole reply for a connection-level failure, reason phrases and new
 * request ids.  A leaf: every reply path may use it.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_json.h"
#include "http.h"

const char *
http_reason_phrase(int status)
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
	case 417: return ("Expectation Failed");
	case 501: return ("Not Implemented");
	case 503: return ("Service Unavailable");
	default: return ("Internal Server Error");
	}
}

void
http_rid_new(struct worker *w, char out[32])
{
	uint8_t rnd[12];

	pw_rand_bytes(&w->st->rnd, rnd, sizeof(rnd));
	memcpy(out, "req_", 4);
	pw_hex_encode(rnd, sizeof(rnd), out + 4);
}

size_t
http_envelope_error(char *buf, size_t n, const char *rid, const char *code,
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

size_t
http_flat_error(char *buf, size_t n, const char *rid, const char *code,
    const char *msg)
{
	char qmsg[600];
	int len;

	pw_json_quote(qmsg, sizeof(qmsg), msg, strlen(msg));
	len = snprintf(buf, n, "{\"error\":{\"code\":\"%s\","
	    "\"message\":%s},\"requestId\":\"%s\"}", code, qmsg, rid);
	return (len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1);
}

size_t
http_error_page(const char *rid, const char *allow, char *buf, size_t n,
    int status, const char *code, const char *msg, size_t *blenp)
{
	char body[512];
	size_t blen;
	int len;

	blen = http_envelope_error(body, sizeof(body), rid, code, msg);
	*blenp = blen;
	len = snprintf(buf, n, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/json\r\nX-Request-ID: %s\r\n%s%s%sConnection: "
	    "close\r\nContent-Length: %zu\r\n\r\n%s", status,
	    http_reason_phrase(status), rid, allow != NULL ? "Allow: " : "",
	    allow != NULL ? allow : "", allow != NULL ? "\r\n" : "", blen,
	    body);
	return (len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1);
}
