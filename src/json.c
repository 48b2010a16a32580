/*
 * Strict JSON requests on top of jsmn.
 *
 * jsmn only tokenises: even with JSMN_STRICT it accepts "{"a":1 "b":2}",
 * "[1,]", "tru", raw control bytes and broken UTF-8 in strings, and bad
 * surrogate escapes.  So jsmn is used to find the token boundaries and the
 * tree, and a small recursive descent over those tokens then checks every
 * byte of the text against RFC 8259: the punctuation and white space
 * between tokens, the grammar of each primitive, and the escapes and UTF-8
 * of each string.
 *
 * Token tree (struct pw_json_tok.parent) keeps jsmn's shape: a member's
 * key has the object as parent, the member's value has the key as parent,
 * an array element has the array.  size is the member or element count of
 * a container and 0 for everything else.
 *
 * Keys are compared by decoded value, both for duplicate detection and in
 * pw_json_get(): "\u0061" and "a" are the same key.
 *
 * Nothing here allocates; all state lives in the caller's struct pw_json.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "pw_json.h"

#define E_MALFORMED	"malformed JSON"
#define E_NOTOBJECT	"body must be a JSON object"
#define E_TRAILING	"trailing garbage after JSON"
#define E_TOOMANY	"too many JSON tokens"
#define E_DUPKEY	"duplicate key"
#define E_ESCAPE	"invalid string escape"
#define E_UTF8		"invalid UTF-8 in string"
#define E_CONTROL	"control character in string"

/* Walk state of the validating descent over jsmn's tokens. */
struct walk {
	const unsigned char	*s;
	size_t			 len;
	const jsmntok_t		*jt;
	int			 njt;
	int			 next;		/* next token to visit */
	struct pw_json_tok	*out;
	const char		*why;
};

static int	walk_value(struct walk *, int, size_t *);

static int
is_ws(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

static size_t
skip_ws(const unsigned char *s, size_t i, size_t end)
{
	while (i < end && is_ws(s[i]))
		i++;
	return (i);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Four hex digits at s[*i] (bounded by end); the value or -1. */
static int32_t
hex4(const unsigned char *s, size_t *i, size_t end)
{
	int32_t	 v;
	int	 d, k;

	if (end - *i < 4)
		return (-1);
	v = 0;
	for (k = 0; k < 4; k++) {
		if ((d = hexval(s[*i + k])) < 0)
			return (-1);
		v = v << 4 | d;
	}
	*i += 4;
	return (v);
}

/*
 * Decode the escape whose backslash was just consumed; s[*i] is the
 * letter after it.  Returns the code point, or -1 for an unknown escape,
 * a short \u, or a surrogate that is not part of a high+low pair (a lone
 * surrogate cannot be encoded in UTF-8 at all).
 */
static int32_t
unescape(const unsigned char *s, size_t *i, size_t end)
{
	int32_t	 hi, lo;

	if (*i >= end)
		return (-1);
	switch (s[(*i)++]) {
	case '"':
		return ('"');
	case '\\':
		return ('\\');
	case '/':
		return ('/');
	case 'b':
		return ('\b');
	case 'f':
		return ('\f');
	case 'n':
		return ('\n');
	case 'r':
		return ('\r');
	case 't':
		return ('\t');
	case 'u':
		break;
	default:
		return (-1);
	}
	if ((hi = hex4(s, i, end)) < 0 || (hi >= 0xdc00 && hi <= 0xdfff))
		return (-1);
	if (hi < 0xd800 || hi > 0xdbff)
		return (hi);
	if (end - *i < 2 || s[*i] != '\\' || s[*i + 1] != 'u')
		return (-1);
	*i += 2;
	if ((lo = hex4(s, i, end)) < 0xdc00 || lo > 0xdfff)
		return (-1);
	return (0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
}

/*
 * Length of the well-formed UTF-8 sequence at s[i], or 0.  The ranges
 * of the second byte are those of RFC 3629's table: they exclude the
 * overlong forms (C0, C1, E0 80..9F, F0 80..8F), the UTF-16 surrogates
 * (ED A0..BF) and everything above U+10FFFF (F4 90.., F5..FF).
 */
static size_t
utf8_len(const unsigned char *s, size_t i, size_t end)
{
	unsigned char	 c, lo, hi;
	size_t		 n, k;

	c = s[i];
	lo = 0x80;
	hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (end - i < n || s[i + 1] < lo || s[i + 1] > hi)
		return (0);
	for (k = 2; k < n; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf)
			return (0);
	return (n);
}

/* Encode code point cp (valid, not a surrogate) as UTF-8; the length. */
static size_t
utf8_put(unsigned char *u, int32_t cp)
{
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return (1);
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return (3);
	}
	u[0] = (unsigned char)(0xf0 | cp >> 18);
	u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return (4);
}

/* Check the body of a string token, s[i..end); NULL or the reason. */
static const char *
check_string(const unsigned char *s, size_t i, size_t end)
{
	unsigned char	 c;
	size_t		 n;

	while (i < end) {
		c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			i++;
			continue;
		}
		if (c == '\\') {
			i++;
			if (unescape(s, &i, end) < 0)
				return (E_ESCAPE);
			continue;
		}
		if (c < 0x20)
			return (E_CONTROL);
		if ((n = utf8_len(s, i, end)) == 0)
			return (E_UTF8);
		i += n;
	}
	return (NULL);
}

/* Skip one or more digits; 0 if there was none. */
static int
digits(const unsigned char *s, size_t *i, size_t end)
{
	size_t	 from = *i;

	while (*i < end && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return (*i > from);
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? exactly. */
static int
is_number(const unsigned char *s, size_t i, size_t end)
{
	if (i < end && s[i] == '-')
		i++;
	if (i < end && s[i] == '0')
		i++;
	else if (i >= end || s[i] < '1' || s[i] > '9' || !digits(s, &i, end))
		return (0);
	if (i < end && s[i] == '.') {
		i++;
		if (!digits(s, &i, end))
			return (0);
	}
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, &i, end))
			return (0);
	}
	return (i == end);
}

/* The type of a primitive, or PW_JSON_NONE if it is not valid JSON. */
static enum pw_json_type
primitive_type(const unsigned char *s, size_t i, size_t end)
{
	size_t	 n = end - i;

	switch (s[i]) {
	case 't':
		return (n == 4 && memcmp(s + i, "true", 4) == 0 ?
		    PW_JSON_BOOL : PW_JSON_NONE);
	case 'f':
		return (n == 5 && memcmp(s + i, "false", 5) == 0 ?
		    PW_JSON_BOOL : PW_JSON_NONE);
	case 'n':
		return (n == 4 && memcmp(s + i, "null", 4) == 0 ?
		    PW_JSON_NULL : PW_JSON_NONE);
	default:
		return (is_number(s, i, end) ? PW_JSON_NUMBER : PW_JSON_NONE);
	}
}

/*
 * Claim the next token: it must exist, hang from parent and, after white
 * space from *pos, begin right there (a string's span starts after its
 * opening quote).  Returns the token index or -1.
 */
static int
walk_take(struct walk *w, int parent, size_t *pos)
{
	const jsmntok_t	*t;
	size_t		 at;
	int		 idx;

	if ((idx = w->next) >= w->njt)
		return (-1);
	t = &w->jt[idx];
	at = skip_ws(w->s, *pos, w->len);
	if (t->parent != parent || t->start < 0 || t->end < t->start)
		return (-1);
	if (t->type == JSMN_STRING) {
		if (at >= w->len || w->s[at] != '"' ||
		    (size_t)t->start != at + 1)
			return (-1);
	} else if ((size_t)t->start != at)
		return (-1);
	w->next++;
	return (idx);
}

/* Expect byte c after optional white space at *pos; step past it. */
static int
walk_punct(struct walk *w, size_t *pos, unsigned char c)
{
	size_t	 at;

	at = skip_ws(w->s, *pos, w->len);
	if (at >= w->len || w->s[at] != c)
		return (-1);
	*pos = at + 1;
	return (0);
}

/* A string token already taken: check its body, record it. */
static int
walk_string(struct walk *w, int idx, int parent, size_t *pos)
{
	const jsmntok_t	*t = &w->jt[idx];
	const char	*why;

	if ((size_t)t->end >= w->len || w->s[t->end] != '"')
		return (-1);
	if ((why = check_string(w->s, t->start, t->end)) != NULL) {
		w->why = why;
		return (-1);
	}
	w->out[idx] = (struct pw_json_tok){ PW_JSON_STRING, t->start,
	    t->end, 0, parent };
	*pos = (size_t)t->end + 1;
	return (0);
}

/*
 * An object: members separated by commas, each a string key (jsmn gives
 * it size 1, its value) then a colon then the value.
 */
static int
walk_object(struct walk *w, int idx, size_t *pos)
{
	const jsmntok_t	*t = &w->jt[idx];
	size_t		 p = (size_t)t->start + 1;
	int		 k, key;

	for (k = 0; k < t->size; k++) {
		if (k > 0 && walk_punct(w, &p, ',') == -1)
			return (-1);
		if ((key = walk_take(w, idx, &p)) == -1 ||
		    w->jt[key].type != JSMN_STRING || w->jt[key].size != 1 ||
		    walk_string(w, key, idx, &p) == -1)
			return (-1);
		if (walk_punct(w, &p, ':') == -1 ||
		    walk_value(w, key, &p) == -1)
			return (-1);
	}
	if (walk_punct(w, &p, '}') == -1 || p != (size_t)t->end)
		return (-1);
	*pos = p;
	return (0);
}

static int
walk_array(struct walk *w, int idx, size_t *pos)
{
	const jsmntok_t	*t = &w->jt[idx];
	size_t		 p = (size_t)t->start + 1;
	int		 k;

	for (k = 0; k < t->size; k++) {
		if (k > 0 && walk_punct(w, &p, ',') == -1)
			return (-1);
		if (walk_value(w, idx, &p) == -1)
			return (-1);
	}
	if (walk_punct(w, &p, ']') == -1 || p != (size_t)t->end)
		return (-1);
	*pos = p;
	return (0);
}

/*
 * One value hanging from parent, starting after white space at *pos.
 * Recursion depth is bounded by the token count (PW_JSON_MAXTOK).
 */
static int
walk_value(struct walk *w, int parent, size_t *pos)
{
	const jsmntok_t	*t;
	enum pw_json_type type;
	int		 idx;

	if ((idx = walk_take(w, parent, pos)) == -1)
		return (-1);
	t = &w->jt[idx];
	switch (t->type) {
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		w->out[idx] = (struct pw_json_tok){ t->type == JSMN_OBJECT ?
		    PW_JSON_OBJECT : PW_JSON_ARRAY, t->start, t->end,
		    t->size, parent };
		return (t->type == JSMN_OBJECT ? walk_object(w, idx, pos) :
		    walk_array(w, idx, pos));
	case JSMN_STRING:
		/* A value string with a size took a stray ':' after it. */
		if (t->size != 0)
			return (-1);
		return (walk_string(w, idx, parent, pos));
	case JSMN_PRIMITIVE:
		if (t->size != 0 || t->end == t->start ||
		    (type = primitive_type(w->s, t->start, t->end)) ==
		    PW_JSON_NONE)
			return (-1);
		w->out[idx] = (struct pw_json_tok){ type, t->start, t->end,
		    0, parent };
		*pos = (size_t)t->end;
		return (0);
	default:
		return (-1);
	}
}

/* Decode the next character of a validated string body; -1 if broken. */
static int32_t
next_cp(const unsigned char *s, size_t *i, size_t end)
{
	unsigned char	 c = s[*i];
	int32_t		 cp;
	size_t		 n, k;

	if (c == '\\') {
		(*i)++;
		return (unescape(s, i, end));
	}
	if (c < 0x80) {
		(*i)++;
		return (c);
	}
	if ((n = utf8_len(s, *i, end)) == 0)
		return (-1);
	cp = c & (0x7f >> n);
	for (k = 1; k < n; k++)
		cp = cp << 6 | (s[*i + k] & 0x3f);
	*i += n;
	return (cp);
}

/* Whether two string tokens decode to the same text. */
static int
key_equal(const unsigned char *s, const struct pw_json_tok *a,
    const struct pw_json_tok *b)
{
	size_t	 ia, ib, na, nb;
	int32_t	 ca, cb;

	ia = a->start;
	ib = b->start;
	na = a->end - a->start;
	nb = b->end - b->start;
	if (na == nb && memcmp(s + ia, s + ib, na) == 0)
		return (1);
	/* Without escapes the bytes are the text. */
	if (memchr(s + ia, '\\', na) == NULL &&
	    memchr(s + ib, '\\', nb) == NULL)
		return (0);
	while (ia < (size_t)a->end && ib < (size_t)b->end) {
		ca = next_cp(s, &ia, a->end);
		cb = next_cp(s, &ib, b->end);
		if (ca < 0 || ca != cb)
			return (0);
	}
	return (ia == (size_t)a->end && ib == (size_t)b->end);
}

/*
 * FNV-1a over the decoded code points of a string token, so that an
 * escaped and a raw spelling of the same key hash alike.
 */
static uint32_t
key_hash(const unsigned char *s, const struct pw_json_tok *t)
{
	uint32_t	 h = 2166136261u;
	size_t		 i = t->start;
	int32_t		 cp;

	while (i < (size_t)t->end && (cp = next_cp(s, &i, t->end)) >= 0)
		h = (h ^ (uint32_t)cp) * 16777619u;
	return (h);
}

/*
 * Keys of the top-level object are exactly the tokens whose parent is 0.
 * Comparing every pair of keys by decoded value costs up to a millisecond
 * for a crafted 8 KiB body of long escaped keys; comparing hashes first
 * leaves one decoding pass per key, plus a full comparison only where two
 * hashes are equal.
 */
static int
has_dup_key(const struct pw_json *j)
{
	const unsigned char	*s = (const unsigned char *)j->js;
	uint32_t		 h[PW_JSON_MAXTOK / 2];
	int			 key[PW_JSON_MAXTOK / 2];
	int			 a, b, n;

	for (a = 1, n = 0; a < j->ntok && n < PW_JSON_MAXTOK / 2; a++)
		if (j->tok[a].parent == 0) {
			key[n] = a;
			h[n++] = key_hash(s, &j->tok[a]);
		}
	for (a = 1; a < n; a++)
		for (b = 0; b < a; b++)
			if (h[a] == h[b] && key_equal(s, &j->tok[key[a]],
			    &j->tok[key[b]]))
				return (1);
	return (0);
}

/*
 * Run jsmn over s[0..len).  Returns the token count or a JSMN_ERROR_*;
 * *closed is set when the top-level object was complete before any
 * error, which tells trailing garbage from a broken object, and *stop is
 * where jsmn stopped.
 */
static int
tokenize(const char *s, size_t len, jsmntok_t *jt, int *closed,
    size_t *stop)
{
	jsmn_parser	 p;
	int		 r;

	jsmn_init(&p);
	r = jsmn_parse(&p, s, len, jt, PW_JSON_MAXTOK);
	*closed = p.toknext > 0 && jt[0].end != -1;
	*stop = p.pos;
	return (r);
}

/*
 * Check jsmn's tokens of j->js[0..len) and convert them into j->tok;
 * NULL or the reason.
 */
static const char *
validate(struct pw_json *j, const jsmntok_t *jt, int njt, size_t len)
{
	struct walk	 w;
	size_t		 pos = 0;

	w.s = (const unsigned char *)j->js;
	w.len = len;
	w.jt = jt;
	w.njt = njt;
	w.next = 0;
	w.out = j->tok;
	w.why = E_MALFORMED;
	if (njt < 1 || jt[0].type != JSMN_OBJECT ||
	    walk_value(&w, -1, &pos) == -1)
		return (w.why);
	if (skip_ws(w.s, pos, len) != len || w.next != njt)
		return (E_TRAILING);
	j->ntok = w.next;
	if (has_dup_key(j)) {
		j->ntok = 0;
		return (E_DUPKEY);
	}
	return (NULL);
}

/* Why a body that does not open with '{' is refused. */
static const char *
not_object(const unsigned char *s, size_t at, size_t len)
{
	if (at == len)
		return (E_NOTOBJECT);
	if (s[at] == '[' || s[at] == '"' || s[at] == '-' || s[at] == 't' ||
	    s[at] == 'f' || s[at] == 'n' || (s[at] >= '0' && s[at] <= '9'))
		return (E_NOTOBJECT);
	return (E_MALFORMED);
}

static const char *
parse(struct pw_json *j, const char *js, size_t len)
{
	jsmntok_t	 jt[PW_JSON_MAXTOK];
	size_t		 at, stop;
	int		 n, closed;
	const char	*why;

	/* jsmn keeps offsets in int and its position in unsigned int. */
	if (len >= INT_MAX)
		return (E_MALFORMED);
	at = skip_ws((const unsigned char *)js, 0, len);
	if (at == len || js[at] != '{')
		return (not_object((const unsigned char *)js, at, len));
	n = tokenize(js, len, jt, &closed, &stop);
	if (n < 0 && closed) {
		/*
		 * jsmn failed after the object ended: parse the object
		 * alone, to tell a good object with junk after it from a
		 * bad one.
		 */
		len = (size_t)jt[0].end;
		if ((n = tokenize(js, len, jt, &closed, &stop)) >= 0) {
			why = validate(j, jt, n, len);
			j->ntok = 0;
			return (why != NULL ? why : E_TRAILING);
		}
	}
	if (n == JSMN_ERROR_NOMEM)
		return (E_TOOMANY);
	/*
	 * jsmn rewinds to the opening quote only when it refuses a string,
	 * and it refuses a terminated string only for a bad escape.
	 */
	if (n == JSMN_ERROR_INVAL && stop < len && js[stop] == '"')
		return (E_ESCAPE);
	if (n < 0)
		return (E_MALFORMED);
	return (validate(j, jt, n, len));
}

int
pw_json_parse(struct pw_json *j, const char *js, size_t len,
    const char **why)
{
	const char	*err;

	j->js = js != NULL ? js : "";
	j->len = js != NULL ? len : 0;
	j->ntok = 0;
	if ((err = parse(j, j->js, j->len)) != NULL) {
		j->ntok = 0;
		if (why != NULL)
			*why = err;
		return (-1);
	}
	if (why != NULL)
		*why = NULL;
	return (0);
}

static const struct pw_json_tok *
token(const struct pw_json *j, int tok)
{
	if (j == NULL || tok < 0 || tok >= j->ntok)
		return (NULL);
	return (&j->tok[tok]);
}

enum pw_json_type
pw_json_type(const struct pw_json *j, int tok)
{
	const struct pw_json_tok *t;

	return ((t = token(j, tok)) == NULL ? PW_JSON_NONE : t->type);
}

/*
 * Whether string token t decodes to exactly the C string key.  A key
 * containing \u0000 never matches: a C string cannot hold that NUL.
 */
static int
key_match(const unsigned char *s, const struct pw_json_tok *t,
    const unsigned char *key)
{
	unsigned char	 u[4];
	size_t		 i, n, k;
	int32_t		 cp;

	for (i = t->start; i < (size_t)t->end; ) {
		if (s[i] != '\\') {
			if (*key == '\0' || *key != s[i])
				return (0);
			key++;
			i++;
			continue;
		}
		i++;
		if ((cp = unescape(s, &i, t->end)) <= 0)
			return (0);
		n = utf8_put(u, cp);
		for (k = 0; k < n; k++)
			if (*key++ != u[k])
				return (0);
	}
	return (*key == '\0');
}

int
pw_json_get(const struct pw_json *j, const char *key)
{
	const unsigned char	*s;
	int			 i;

	if (j == NULL || key == NULL || j->ntok < 1)
		return (-1);
	s = (const unsigned char *)j->js;
	/* A member's value directly follows its key in token order. */
	for (i = 1; i + 1 < j->ntok; i++)
		if (j->tok[i].parent == 0 &&
		    key_match(s, &j->tok[i], (const unsigned char *)key))
			return (i + 1);
	return (-1);
}

int
pw_json_string(const struct pw_json *j, int tok, char *out, size_t outsz)
{
	const struct pw_json_tok	*t;
	const unsigned char		*s, *src, *bs;
	unsigned char			 u[4];
	size_t				 i, o, n, end;
	int32_t				 cp;

	if (outsz > 0)
		out[0] = '\0';
	if ((t = token(j, tok)) == NULL || t->type != PW_JSON_STRING)
		return (-1);
	s = (const unsigned char *)j->js;
	end = t->end;
	for (i = t->start, o = 0; i < end; o += n) {
		if (s[i] == '\\') {
			i++;
			if ((cp = unescape(s, &i, end)) <= 0)
				goto fail;
			n = utf8_put(u, cp);
			src = u;
		} else {
			/* Copy the whole run up to the next escape at once. */
			bs = memchr(s + i, '\\', end - i);
			n = (bs != NULL ? (size_t)(bs - s) : end) - i;
			src = s + i;
			i += n;
		}
		if (outsz == 0 || n > outsz - 1 - o)
			goto toolong;
		memcpy(out + o, src, n);
	}
	if (outsz == 0)
		goto toolong;
	out[o] = '\0';
	return ((int)o);
toolong:
	/* An escaped NUL further on still makes it -1, not -2. */
	while (i < end)
		if (s[i++] == '\\' && unescape(s, &i, end) <= 0)
			goto fail;
	if (outsz > 0)
		out[0] = '\0';
	return (-2);
fail:
	if (outsz > 0)
		out[0] = '\0';
	return (-1);
}

int
pw_json_int64(const struct pw_json *j, int tok, int64_t *out)
{
	const struct pw_json_tok	*t;
	const unsigned char		*s;
	uint64_t			 v, lim;
	size_t				 i;
	int				 neg, d;

	if ((t = token(j, tok)) == NULL || t->type != PW_JSON_NUMBER)
		return (-1);
	s = (const unsigned char *)j->js;
	i = t->start;
	neg = s[i] == '-';
	if (neg)
		i++;
	if (i >= (size_t)t->end)
		return (-1);
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (v = 0; i < (size_t)t->end; i++) {
		/* A '.' or an exponent makes it a non-integer. */
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		d = s[i] - '0';
		if (v > (lim - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	return (0);
}

int
pw_json_bool(const struct pw_json *j, int tok, int *out)
{
	const struct pw_json_tok *t;

	if ((t = token(j, tok)) == NULL || t->type != PW_JSON_BOOL)
		return (-1);
	*out = j->js[t->start] == 't';
	return (0);
}
