/*
 * The request parser, strict and resumable across reads.  Request
 * smuggling lives where parsers are lenient (the first of two
 * Content-Lengths winning, "Name :" taken for another field, a bare LF
 * ending a line, folded lines and NULs passing), so this one refuses all
 * of it (pw_frame.h).  One pass over the head bytes only, each looked at
 * once: bodies are never scanned here, and a head cut by a read goes on
 * where it stopped.  A token (method, target, field name, value) is taken
 * in one run of table lookups; only the byte that ends it goes through
 * the rules.  Values of the fields the engine reads are not copied: their
 * place in the head is kept.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pw_frame.h"

enum {
	S_METHOD, S_TARGET, S_VERSION, S_LINE_LF,
	S_LINE_START, S_NAME, S_OWS, S_VALUE, S_FIELD_LF, S_END_LF
};

enum { FR_NONE, FR_CL, FR_TE, FR_HOST, FR_EXPECT, FR_CONN, FR_LIST };

/* The fields the engine reads (include/tbl/headers.h). */
static const struct {
	const char	*name;
	size_t		 len;
	int		 rule;
} fields[] = {
#define PW_HEADER(sym, name, rule)	{ name, sizeof(name) - 1, rule },
#include "tbl/headers.h"
#undef PW_HEADER
};

static const struct {
	const char	*name;
	size_t		 len;
	int		 type;
} methods[] = {
#define PW_METHOD(sym, name)	{ name, sizeof(name) - 1, PW_M_##sym },
#include "tbl/methods.h"
#undef PW_METHOD
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Byte classes, for one table lookup per byte in the runs.  The table is
 * made by the compiler from these rules.
 */
#define K_TCHAR		0x01	/* RFC 9110 tchar: methods, field names */
#define K_VALUE		0x02	/* in a value, no rule stops at it */
#define K_PATH		0x04	/* in a target's path */
#define K_QUERY		0x08	/* in a target past its ? or # */
#define K_BLANK		0x10	/* SP, HTAB */
#define K_HOST		0x20	/* in a Host value: uri-host [":" port] */

#define IS_TCHAR(c)	(((c) >= 'a' && (c) <= 'z') ||			\
	((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') ||	\
	(c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' ||		\
	(c) == '&' || (c) == '\'' || (c) == '*' || (c) == '+' ||	\
	(c) == '-' || (c) == '.' || (c) == '^' || (c) == '_' ||		\
	(c) == '`' || (c) == '|' || (c) == '~')
/* Visible ASCII, space, HTAB and obs-text: no CR, LF, NUL, other CTL, DEL. */
#define IS_VALUE(c)	((c) == '\t' || ((c) >= 0x20 && (c) != 0x7f))
/* Visible ASCII: a target has no blank, no control, no obs-text. */
#define IS_VISIBLE(c)	((c) > 0x20 && (c) < 0x7f)
#define IS_BLANK(c)	((c) == ' ' || (c) == '\t')
/* RFC 3986 reg-name, IP-literal and port bytes. */
#define IS_HOST(c)	(((c) >= 'a' && (c) <= 'z') ||			\
	((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') ||	\
	(c) == '-' || (c) == '.' || (c) == '_' || (c) == '~' ||		\
	(c) == '%' || (c) == '!' || (c) == '$' || (c) == '&' ||		\
	(c) == '\'' || (c) == '(' || (c) == ')' || (c) == '*' ||	\
	(c) == '+' || (c) == ',' || (c) == ';' || (c) == '=' ||		\
	(c) == ':' || (c) == '[' || (c) == ']')

#define CLASS(c)	((IS_TCHAR(c) ? K_TCHAR : 0) |			\
	(IS_VALUE(c) ? K_VALUE : 0) |					\
	(IS_VISIBLE(c) && (c) != '?' && (c) != '#' ? K_PATH : 0) |	\
	(IS_VISIBLE(c) ? K_QUERY : 0) | (IS_BLANK(c) ? K_BLANK : 0) |	\
	(IS_HOST(c) ? K_HOST : 0))
#define C4(c)		CLASS(c), CLASS((c) + 1), CLASS((c) + 2), CLASS((c) + 3)
#define C16(c)		C4(c), C4((c) + 4), C4((c) + 8), C4((c) + 12)
#define C64(c)		C16(c), C16((c) + 16), C16((c) + 32), C16((c) + 48)

static const unsigned char cls[256] = {
	C64(0), C64(64), C64(128), C64(192)
};

/* The end of the run of bytes of class k from p[i], at most to p[n]. */
static size_t
run(const unsigned char *p, size_t i, size_t n, unsigned k)
{
	while (i < n && (cls[p[i]] & k) != 0)
		i++;
	return (i);
}

/*
 * The end of a value's run from p[i]: eight bytes at a time while none
 * is below SP or DEL (a word with a tab, rare, is left to the bytes).
 */
static size_t
value_end(const unsigned char *p, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w, d;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		d = w ^ (ones * 0x7f);
		/* Some byte < 0x20, or some byte of w ^ DEL zero. */
		if ((((w - ones * 0x20) & ~w) | ((d - ones) & ~d)) & high)
			break;
	}
	return (run(p, i, n, K_VALUE));
}

/*
 * Append k bytes to a token kept in buf (size bytes, NUL included); one
 * that does not fit has *len set to size, so that it is none we know.
 */
static void
keep(char *buf, size_t size, size_t *len, const unsigned char *p, size_t k)
{
	if (*len >= size)
		return;
	if (k > size - 1 - *len) {
		*len = size;
		return;
	}
	memcpy(buf + *len, p, k);
	*len += k;
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

/*
 * The field named by n bytes, as sent: tchars alone, for which setting
 * bit 5 is lowering the case of a letter and changes no other byte of
 * our names.  Lengths first: most names are none of ours.
 */
static void
field_begin(struct pw_frame *f, const unsigned char *name, size_t n)
{
	size_t i, k;

	f->field = -1;
	f->vallen = f->valraw = 0;
	for (k = 0; k < NITEMS(fields); k++) {
		if (fields[k].len != n)
			continue;
		for (i = 0; i < n && (name[i] | 0x20) ==
		    (unsigned char)fields[k].name[i]; i++)
			;
		if (i == n) {
			f->field = (int)k;
			return;
		}
	}
}

/* Where the value of the field just read lies: its first line's, kept. */
static void
field_place(struct pw_frame *f)
{
	struct pw_span sp;

	sp.off = (uint32_t)f->vstart;
	sp.len = (uint32_t)f->vallen;
	if (fields[f->field].rule == FR_LIST) {
		if (f->nxff < PW_XFF_MAX)
			f->xff[f->nxff] = sp;
		if (f->nxff <= PW_XFF_MAX)
			f->nxff++;
	}
	if (f->hdr[f->field].off == 0)
		f->hdr[f->field] = sp;
}

/*
 * The options of a Connection line.  Any close, on any line, closes (RFC
 * 9112 9.3); a line longer than what is kept of it is taken as a close,
 * which a server may always do.
 */
static void
connection_options(struct pw_frame *f, const char *v, size_t n)
{
	const char *p = v, *end = v + n, *t;
	size_t k;

	if (n > PW_FRAME_VAL) {
		f->conn_close = 1;
		return;
	}
	while (p < end) {
		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		for (t = p; p < end && *p != ',' && *p != ' ' && *p != '\t';
		    p++)
			;
		k = (size_t)(p - t);
		if (k == 5 && strncasecmp(t, "close", 5) == 0)
			f->conn_close = 1;
		else if (k == 10 && strncasecmp(t, "keep-alive", 10) == 0)
			f->conn_keep = 1;
	}
}

static void
field_end(struct pw_frame *f)
{
	const char *v = f->val;
	size_t n = f->vallen, i;
	int64_t cl = 0;

	if (f->field < 0)
		return;
	field_place(f);
	f->val[n < sizeof(f->val) ? n : sizeof(f->val) - 1] = '\0';
	switch (fields[f->field].rule) {
	case FR_CL:
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
	case FR_TE:
		f->nte++;
		if (n > PW_FRAME_VAL || strcasecmp(v, "chunked") != 0)
			f->te_bad = 1;
		break;
	case FR_HOST:
		f->nhost++;
		break;
	case FR_EXPECT:
		if (n <= PW_FRAME_VAL && strcasecmp(v, "100-continue") == 0)
			f->expect100 = 1;
		else
			f->expect_bad = 1;
		break;
	case FR_CONN:
		connection_options(f, v, n);
		break;
	}
	if (f->field == PW_H_X_REQUEST_ID && f->hdr[f->field].off ==
	    f->vstart) {
		for (i = 0; i < n && n <= 64 && rid_char((unsigned char)v[i]);
		    i++)
			;
		if (n > 0 && i == n)
			memcpy(f->rid, v, n + 1);
	}
}

/*
 * A Host value is a host and an optional port (RFC 9112 3.2: any other
 * is a 400): every byte of it checked, whatever its length; blanks only
 * at its end.
 */
static void
host_run(struct pw_frame *f, const unsigned char *p, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		if (IS_BLANK(p[i]))
			f->host_blank = 1;
		else if ((cls[p[i]] & K_HOST) == 0 || f->host_blank)
			f->host_bad = 1;
	}
}

/* k value bytes of a field a rule reads; its trailing blanks are not. */
static void
value_run(struct pw_frame *f, const unsigned char *p, size_t k)
{
	size_t room, q;

	if (fields[f->field].rule == FR_HOST)
		host_run(f, p, k);

	if (f->valraw < PW_FRAME_VAL) {
		room = PW_FRAME_VAL - f->valraw;
		memcpy(f->val + f->valraw, p, k < room ? k : room);
	}
	for (q = k; q > 0 && IS_BLANK(p[q - 1]); q--)
		;
	if (q > 0)
		f->vallen = f->valraw + q;
	f->valraw += k;
}

static void
method_end(struct pw_frame *f)
{
	size_t i;

	f->mtype = 0;
	if (f->mlen >= sizeof(f->method))
		return;
	for (i = 0; i < NITEMS(methods); i++)
		if (methods[i].len == f->mlen &&
		    memcmp(methods[i].name, f->method, f->mlen) == 0)
			f->mtype = methods[i].type;
}

/*
 * Each state's scan from p[i], at most to p[n]: where it stopped, *rc
 * set on a verdict.  f->len counts the bytes of the reads before this
 * one, so that f->len + i is p[i]'s offset in the head.
 */
static size_t
s_method(struct pw_frame *f, const unsigned char *p, size_t i, size_t n,
    enum pw_frame_rc *rc)
{
	size_t j = run(p, i, n, K_TCHAR);

	keep(f->method, sizeof(f->method), &f->mlen, p + i, j - i);
	if (j == n)
		return (j);
	if (p[j] != ' ')
		*rc = bad(f, "bad request line");
	else if (f->mlen == 0)
		*rc = bad(f, "empty method");
	else {
		method_end(f);
		f->tstart = f->len + j + 1;
		f->st = S_TARGET;
	}
	return (j + 1);
}

/*
 * An absolute-form target (RFC 9112 3.2.2: a server must accept one):
 * the path after its authority is what routes, "/" when it has none.
 * The authority is not checked against Host; nothing here uses either.
 */
static void
absolute_form(struct pw_frame *f)
{
	size_t s, a;

	if (f->plen > 7 && strncasecmp(f->path, "http://", 7) == 0)
		s = 7;
	else if (f->plen > 8 && strncasecmp(f->path, "https://", 8) == 0)
		s = 8;
	else
		return;
	for (a = s; a < f->plen && f->path[a] != '/'; a++)
		;
	if (a == s)
		return;			/* no authority: left to 404 */
	if (a == f->plen) {		/* "http://host": "/" */
		f->path[0] = '/';
		f->plen = 1;
	} else {
		memmove(f->path, f->path + a, f->plen - a);
		f->plen -= a;
	}
	memset(f->path + f->plen, 0, sizeof(f->path) - f->plen);
}

static size_t
s_target(struct pw_frame *f, const unsigned char *p, size_t i, size_t n,
    enum pw_frame_rc *rc)
{
	size_t j, k;

	if (!f->query) {
		j = run(p, i, n, K_PATH);
		k = PW_FRAME_PATH - f->plen;
		if (j - i > k)
			f->plong = 1;
		else
			k = j - i;
		memcpy(f->path + f->plen, p + i, k);
		f->plen += k;
		if ((i = j) < n && (p[i] == '?' || p[i] == '#')) {
			f->query = 1;
			i++;
		}
	}
	if (f->query)
		i = run(p, i, n, K_QUERY);
	if (i == n)
		return (i);
	if (p[i] != ' ')
		*rc = bad(f, "bad byte in the request target");
	else if (f->plen == 0 && !f->plong && !f->query)
		*rc = bad(f, "empty request target");
	else {
		if (!f->plong)
			absolute_form(f);
		f->tend = f->len + i;
		f->st = S_VERSION;
	}
	return (i + 1);
}

static size_t
s_version(struct pw_frame *f, const unsigned char *p, size_t i, size_t n,
    enum pw_frame_rc *rc)
{
	for (; i < n; i++) {
		if (p[i] == '\r') {
			if (f->vlen != 8 || (memcmp(f->version, "HTTP/1.1",
			    8) != 0 && memcmp(f->version, "HTTP/1.0", 8) != 0))
				*rc = bad(f, "unsupported HTTP version");
			f->http11 = f->version[7] == '1';
			f->st = S_LINE_LF;
			return (i + 1);
		}
		if (p[i] == '\n') {
			*rc = bad(f, "bare LF");
			return (i + 1);
		}
		if (f->vlen >= sizeof(f->version) - 1) {
			*rc = bad(f, "unsupported HTTP version");
			return (i + 1);
		}
		f->version[f->vlen++] = (char)p[i];
	}
	return (i);
}

/* The CR of a line was read: its LF, or the end of the head. */
static size_t
s_lf(struct pw_frame *f, const unsigned char *p, size_t i,
    enum pw_frame_rc *rc)
{
	if (p[i] != '\n')
		*rc = bad(f, "bare CR");
	else if (f->st == S_END_LF)
		*rc = PW_FRAME_DONE;
	else {
		if (f->st == S_FIELD_LF)
			field_end(f);
		f->st = S_LINE_START;
	}
	return (i + 1);
}

/* A field line, or the blank line that ends the head. */
static size_t
s_line_start(struct pw_frame *f, const unsigned char *p, size_t i,
    enum pw_frame_rc *rc)
{
	if (p[i] == '\r') {
		f->st = S_END_LF;
		return (i + 1);
	}
	if (IS_BLANK(p[i]))
		*rc = bad(f, "obsolete line folding");
	else if ((cls[p[i]] & K_TCHAR) == 0)
		*rc = bad(f, p[i] == '\n' ? "bare LF" : "bad field name");
	else {
		f->nlen = 0;
		f->st = S_NAME;
		return (i);
	}
	return (i + 1);
}

/* A name read whole is matched where it lies; one cut by a read is kept. */
static size_t
s_name(struct pw_frame *f, const unsigned char *p, size_t i, size_t n,
    enum pw_frame_rc *rc)
{
	size_t j = run(p, i, n, K_TCHAR);

	if (j == n || f->nlen > 0)
		keep(f->name, sizeof(f->name), &f->nlen, p + i, j - i);
	if (j == n)
		return (j);
	if (p[j] == ':') {
		if (f->nlen > 0)
			field_begin(f, (const unsigned char *)f->name, f->nlen);
		else
			field_begin(f, p + i, j - i);
		f->st = S_OWS;
	} else if (IS_BLANK(p[j]))
		*rc = bad(f, "whitespace before a colon");
	else
		*rc = bad(f, "bad field name");
	return (j + 1);
}

/* Leading blanks, then the value: most of a head, and one run. */
static size_t
s_value(struct pw_frame *f, const unsigned char *p, size_t i, size_t n,
    enum pw_frame_rc *rc)
{
	size_t j;

	if (f->st == S_OWS) {
		if ((i = run(p, i, n, K_BLANK)) == n)
			return (i);
		f->st = S_VALUE;
		f->vstart = f->len + i;
	}
	j = value_end(p, i, n);
	if (f->field >= 0)
		value_run(f, p + i, j - i);
	if (j == n)
		return (j);
	if (p[j] == '\r')
		f->st = S_FIELD_LF;
	else
		*rc = bad(f, p[j] == '\n' ? "bare LF" :
		    "control character in a field");
	return (j + 1);
}

enum pw_frame_rc
pw_frame_feed(struct pw_frame *f, const char *buf, size_t n, size_t *used)
{
	const unsigned char *p = (const unsigned char *)buf;
	enum pw_frame_rc rc = PW_FRAME_MORE;
	size_t i = 0, lim;

	/* No byte past max-header is looked at: the next one is refused. */
	lim = f->max - f->len < n ? f->max - f->len : n;
	while (i < lim && rc == PW_FRAME_MORE) {
		switch (f->st) {
		case S_METHOD:
			i = s_method(f, p, i, lim, &rc);
			break;
		case S_TARGET:
			i = s_target(f, p, i, lim, &rc);
			break;
		case S_VERSION:
			i = s_version(f, p, i, lim, &rc);
			break;
		case S_LINE_LF:
		case S_FIELD_LF:
		case S_END_LF:
			i = s_lf(f, p, i, &rc);
			break;
		case S_LINE_START:
			i = s_line_start(f, p, i, &rc);
			break;
		case S_NAME:
			i = s_name(f, p, i, lim, &rc);
			break;
		default:
			i = s_value(f, p, i, lim, &rc);
			break;
		}
	}
	f->len += i;
	if (rc == PW_FRAME_MORE && lim < n) {
		f->len++;
		rc = bad(f, "request head too large");
	}
	*used = i;
	return (rc);
}

int
pw_frame_http11(const struct pw_frame *f)
{
	return (f->http11);
}

int
pw_frame_method(const struct pw_frame *f)
{
	return (f->mtype);
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

void
pw_frame_terminate(const struct pw_frame *f, char *head)
{
	int i;

	if (f->tstart > 0) {
		head[f->tstart - 1] = '\0';	/* after the method */
		head[f->tend] = '\0';		/* after the target */
	}
	for (i = 0; i < PW_H_COUNT; i++)
		if (f->hdr[i].off != 0)
			head[f->hdr[i].off + f->hdr[i].len] = '\0';
	for (i = 0; i < f->nxff && i < PW_XFF_MAX; i++)
		head[f->xff[i].off + f->xff[i].len] = '\0';
}

/* Connection is one list over all its lines: a close in it wins. */
int
pw_frame_connection(const struct pw_frame *f)
{
	if (f->conn_close)
		return (0);
	return (f->conn_keep ? 1 : -1);
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
	else if (f->host_bad)
		f->why = "Host is not a host and port";
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
