/*
 * Strict request framing, one byte at a time, resumable across reads.
 * evhttp 2.1 is lenient where request smuggling lives (the first of two
 * Content-Lengths wins, "Name :" is taken for another field, bare LF
 * ends a line, folded lines and NULs pass), so the connection's input
 * path runs every head through this scan before evhttp sees a byte of
 * it.  One pass over the head bytes only: bodies are never scanned.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/http.h>

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pw_frame.h"

enum {
	S_METHOD, S_TARGET, S_VERSION, S_LINE_LF,
	S_LINE_START, S_NAME, S_OWS, S_VALUE, S_FIELD_LF, S_END_LF
};

enum { F_OTHER, F_CL, F_TE, F_HOST, F_EXPECT, F_RID };

#define FIELD(s, f)	{ s, sizeof(s) - 1, f }
static const struct {
	const char	*name;
	size_t		 len;
	int		 field;
} fields[] = {
	FIELD("content-length", F_CL),
	FIELD("transfer-encoding", F_TE),
	FIELD("host", F_HOST),
	FIELD("expect", F_EXPECT),
	FIELD("x-request-id", F_RID),
};

static const struct {
	const char	*name;
	int		 type;
} methods[] = {
	{ "GET", EVHTTP_REQ_GET }, { "POST", EVHTTP_REQ_POST },
	{ "HEAD", EVHTTP_REQ_HEAD }, { "PUT", EVHTTP_REQ_PUT },
	{ "DELETE", EVHTTP_REQ_DELETE }, { "OPTIONS", EVHTTP_REQ_OPTIONS },
	{ "TRACE", EVHTTP_REQ_TRACE }, { "CONNECT", EVHTTP_REQ_CONNECT },
	{ "PATCH", EVHTTP_REQ_PATCH },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* RFC 9110 tchar: what a method and a field name are made of. */
static int
tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return (1);
	}
	return (0);
}

/*
 * The bytes of a value no rule looks at, from p[i] on: visible ASCII,
 * space and obs-text.  Most of a head is these; they need no state.
 */
static size_t
plain_run(const unsigned char *p, size_t i, size_t n)
{
	size_t j;

	for (j = i; j < n && p[j] >= 0x20 && p[j] != 0x7f; j++)
		;
	return (j - i);
}

static int
rid_char(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	    c == '-');
}

void
pw_frame_init(struct pw_frame *f, size_t max_head)
{
	memset(f, 0, sizeof(*f));
	f->st = S_METHOD;
	f->max = max_head;
	f->clen = -1;
}

static enum pw_frame_rc
bad(struct pw_frame *f, const char *why)
{
	f->why = why;
	return (PW_FRAME_BAD);
}

static void
field_begin(struct pw_frame *f)
{
	size_t i;

	f->field = F_OTHER;
	/* Lengths first: most names are none of ours. */
	if (f->nlen < sizeof(f->name))
		for (i = 0; i < NITEMS(fields); i++)
			if (fields[i].len == f->nlen &&
			    memcmp(f->name, fields[i].name, f->nlen) == 0)
				f->field = fields[i].field;
	f->vallen = f->valraw = 0;
}

static void
field_end(struct pw_frame *f)
{
	const char *v = f->val;
	size_t n = f->vallen, i;
	int64_t cl = 0;

	f->val[n < sizeof(f->val) ? n : sizeof(f->val) - 1] = '\0';
	switch (f->field) {
	case F_CL:
		f->ncl++;
		if (n == 0 || n > 18)
			f->cl_bad = 1;
		for (i = 0; i < n && !f->cl_bad; i++) {
			if (v[i] < '0' || v[i] > '9')
				f->cl_bad = 1;
			cl = cl * 10 + (v[i] - '0');
		}
		f->clen = f->cl_bad ? -1 : cl;
		break;
	case F_TE:
		f->nte++;
		if (n > PW_FRAME_VAL || strcasecmp(v, "chunked") != 0)
			f->te_bad = 1;
		break;
	case F_HOST:
		f->nhost++;
		break;
	case F_EXPECT:
		if (n <= PW_FRAME_VAL && strcasecmp(v, "100-continue") == 0)
			f->expect100 = 1;
		else
			f->expect_bad = 1;
		break;
	case F_RID:
		f->rid[0] = '\0';
		if (n > 64)
			break;
		for (i = 0; i < n && rid_char((unsigned char)v[i]); i++)
			;
		if (n > 0 && i == n)
			memcpy(f->rid, v, n + 1);
		break;
	}
}

static void
value_byte(struct pw_frame *f, unsigned char c)
{
	if (f->field == F_OTHER)
		return;
	if (f->valraw < PW_FRAME_VAL)
		f->val[f->valraw] = (char)c;
	f->valraw++;
	if (c != ' ' && c != '\t')
		f->vallen = f->valraw;
}

static enum pw_frame_rc
request_line(struct pw_frame *f, unsigned char c)
{
	switch (f->st) {
	case S_METHOD:
		if (c == ' ') {
			if (f->mlen == 0)
				return (bad(f, "empty method"));
			f->tstart = f->len;
			f->st = S_TARGET;
		} else if (!tchar(c))
			return (bad(f, "bad request line"));
		else if (f->mlen < sizeof(f->method) - 1)
			f->method[f->mlen++] = (char)c;
		else
			f->mlen = sizeof(f->method);	/* no method we know */
		return (PW_FRAME_MORE);
	case S_TARGET:
		if (c == ' ') {
			if (f->plen == 0 && !f->plong && !f->query)
				return (bad(f, "empty request target"));
			f->tend = f->len - 1;
			f->st = S_VERSION;
		} else if (c <= 0x20 || c >= 0x7f)
			return (bad(f, "bad byte in the request target"));
		else if (c == '?' || c == '#')
			f->query = 1;
		else if (f->query)
			;
		else if (f->plen < PW_FRAME_PATH)
			f->path[f->plen++] = (char)c;
		else
			f->plong = 1;
		return (PW_FRAME_MORE);
	case S_VERSION:
		if (c == '\r') {
			f->version[f->vlen] = '\0';
			if (strcmp(f->version, "HTTP/1.1") != 0 &&
			    strcmp(f->version, "HTTP/1.0") != 0)
				return (bad(f, "unsupported HTTP version"));
			f->st = S_LINE_LF;
		} else if (c == '\n')
			return (bad(f, "bare LF"));
		else if (f->vlen < sizeof(f->version) - 1)
			f->version[f->vlen++] = (char)c;
		else
			return (bad(f, "unsupported HTTP version"));
		return (PW_FRAME_MORE);
	}
	return (bad(f, "bad request line"));
}

static enum pw_frame_rc
field_line(struct pw_frame *f, unsigned char c)
{
	switch (f->st) {
	case S_LINE_START:
		if (c == '\r') {
			f->st = S_END_LF;
			return (PW_FRAME_MORE);
		}
		if (c == ' ' || c == '\t')
			return (bad(f, "obsolete line folding"));
		if (!tchar(c))
			return (bad(f, c == '\n' ? "bare LF" :
			    "bad field name"));
		f->nlen = 0;
		f->st = S_NAME;
		/* FALLTHROUGH */
	case S_NAME:
		if (c == ':') {
			field_begin(f);
			f->st = S_OWS;
		} else if (c == ' ' || c == '\t')
			return (bad(f, "whitespace before a colon"));
		else if (!tchar(c))
			return (bad(f, "bad field name"));
		else if (f->nlen < sizeof(f->name) - 1)
			f->name[f->nlen++] = (char)(c >= 'A' && c <= 'Z' ?
			    c + 32 : c);
		else
			f->nlen = sizeof(f->name);	/* none we look at */
		return (PW_FRAME_MORE);
	case S_OWS:
	case S_VALUE:
		if (c == '\r') {
			f->st = S_FIELD_LF;
			return (PW_FRAME_MORE);
		}
		if (c == '\n')
			return (bad(f, "bare LF"));
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (bad(f, "control character in a field"));
		if (f->st == S_OWS && (c == ' ' || c == '\t'))
			return (PW_FRAME_MORE);
		f->st = S_VALUE;
		value_byte(f, c);
		return (PW_FRAME_MORE);
	}
	return (bad(f, "bad header"));
}

enum pw_frame_rc
pw_frame_feed(struct pw_frame *f, const char *buf, size_t n, size_t *used)
{
	const unsigned char *p = (const unsigned char *)buf;
	enum pw_frame_rc rc = PW_FRAME_MORE;
	size_t i, k;

	for (i = 0; i < n && rc == PW_FRAME_MORE; i++) {
		if (f->st == S_VALUE && (k = plain_run(p, i, n)) > 0 &&
		    f->len + k <= f->max) {
			f->len += k;
			for (; k > 0 && f->field != F_OTHER; k--)
				value_byte(f, p[i++]);
			if ((i += k) == n)
				break;
		}
		if (++f->len > f->max) {
			rc = bad(f, "request head too large");
			break;
		}
		switch (f->st) {
		case S_METHOD:
		case S_TARGET:
		case S_VERSION:
			rc = request_line(f, p[i]);
			break;
		case S_LINE_LF:
		case S_FIELD_LF:
			if (p[i] != '\n')
				rc = bad(f, "bare CR");
			else {
				if (f->st == S_FIELD_LF)
					field_end(f);
				f->st = S_LINE_START;
			}
			break;
		case S_END_LF:
			rc = p[i] == '\n' ? PW_FRAME_DONE : bad(f, "bare CR");
			break;
		default:
			rc = field_line(f, p[i]);
			break;
		}
	}
	*used = i;
	return (rc);
}

int
pw_frame_http11(const struct pw_frame *f)
{
	return (strcmp(f->version, "HTTP/1.1") == 0);
}

int
pw_frame_method(const struct pw_frame *f)
{
	size_t i;

	if (f->mlen >= sizeof(f->method))
		return (0);
	for (i = 0; i < NITEMS(methods); i++)
		if (strlen(methods[i].name) == f->mlen &&
		    memcmp(methods[i].name, f->method, f->mlen) == 0)
			return (methods[i].type);
	return (0);
}

int
pw_frame_chunked(const struct pw_frame *f)
{
	return (f->nte > 0);
}

void
pw_frame_line(const struct pw_frame *f, size_t *mlen, size_t *toff,
    size_t *tlen)
{
	*mlen = *toff = *tlen = 0;
	if (f->tstart == 0)
		return;
	*mlen = f->tstart - 1;
	*toff = f->tstart;
	/* Cut short by a refusal: up to the byte refused (f->len counts it). */
	if (f->tend != 0)
		*tlen = f->tend - f->tstart;
	else
		*tlen = f->len - f->tstart - (f->why != NULL);
}

enum pw_frame_verdict
pw_frame_verdict(struct pw_frame *f)
{
	if (f->ncl > 1)
		f->why = "more than one Content-Length";
	else if (f->cl_bad)
		f->why = "Content-Length is not a plain number";
	else if (f->nte > 0 && f->ncl > 0)
		f->why = "Transfer-Encoding with Content-Length";
	else if (f->nte > 1 || f->te_bad)
		f->why = "Transfer-Encoding other than chunked";
	else if (pw_frame_http11(f) ? f->nhost != 1 : f->nhost > 1)
		f->why = "an HTTP/1.1 request needs exactly one Host";
	else if (f->expect_bad)
		f->why = "unsupported Expect";
	else if (pw_frame_method(f) == 0) {
		f->why = "method not implemented";
		return (PW_FV_UNKNOWN_METHOD);
	}
	return (f->why == NULL ? PW_FV_OK : PW_FV_BAD);
}

/* 127.0.0.0/8 and ::1 (and 127/8 mapped into IPv6). */
int
pw_peer_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6;
	const uint8_t *a;

	if (sa == NULL)
		return (0);
	if (sa->sa_family == AF_INET)
		return ((ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127);
	if (sa->sa_family != AF_INET6)
		return (0);
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	a = s6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return (1);
	return (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && a[12] == 127);
}
