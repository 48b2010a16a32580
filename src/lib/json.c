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
 * Lexing is in json_lex.c, reading members and values in json_get.c.
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

#include "json_lex.h"
#include "pw_json.h"

#define E_MALFORMED	"malformed JSON"
#define E_NOTOBJECT	"body must be a JSON object"
#define E_TRAILING	"trailing garbage after JSON"
#define E_TOOMANY	"too many JSON tokens"
#define E_DUPKEY	"duplicate key"

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
	at = json_skip_ws(w->s, *pos, w->len);
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

	at = json_skip_ws(w->s, *pos, w->len);
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
	if ((why = json_check_string(w->s, t->start, t->end)) != NULL) {
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
		    (type = json_primitive_type(w->s, t->start, t->end)) ==
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
		ca = json_next_cp(s, &ia, a->end);
		cb = json_next_cp(s, &ib, b->end);
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

	while (i < (size_t)t->end && (cp = json_next_cp(s, &i, t->end)) >= 0)
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
	if (json_skip_ws(w.s, pos, len) != len || w.next != njt)
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
	at = json_skip_ws((const unsigned char *)js, 0, len);
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
