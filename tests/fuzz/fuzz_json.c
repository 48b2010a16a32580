/*
 * libFuzzer harness for pw_json.
 *
 * Not crashing is not enough for a validator: accepting bad JSON is the
 * bug that matters.  So every input is also judged by a small, separate
 * recursive-descent reference written straight from RFC 8259 (and not
 * sharing any code with src/lib/json.c), and the two must agree on accept or
 * reject, on the token count, the token types, which token pw_json_get
 * finds for each top-level key, and what each string decodes to.
 * Integers are checked against strtoll and pw_json_quote() against a round
 * trip through the parser.  Any disagreement aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pw_json.h"

#define FUZZ_MAX	16384

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum ref_result { REF_OK, REF_BAD, REF_TOOMANY, REF_DUP };

/* The reference parser's state. */
struct ref {
	const unsigned char	*s;
	size_t			 len, i;
	int			 ntok;
	enum pw_json_type	 type[PW_JSON_MAXTOK];
	size_t			 kstart[PW_JSON_MAXTOK];	/* top keys */
	size_t			 kend[PW_JSON_MAXTOK];
	int			 kval[PW_JSON_MAXTOK];
	int			 nkeys;
	int			 toomany;
};

static int	ref_value(struct ref *, int);

static void
ref_ws(struct ref *r)
{
	while (r->i < r->len && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
	    r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int
ref_tok(struct ref *r, enum pw_json_type t)
{
	if (r->ntok >= PW_JSON_MAXTOK) {
		r->toomany = 1;
		return (-1);
	}
	r->type[r->ntok++] = t;
	return (0);
}

static long
ref_hex4(const unsigned char *s, size_t i, size_t len)
{
	unsigned char	 c;
	long		 v = 0;
	int		 k;

	if (len < 4 || i > len - 4)
		return (-1);
	for (k = 0; k < 4; k++) {
		c = s[i + k];
		v *= 16;
		if (c >= '0' && c <= '9')
			v += c - '0';
		else if (c >= 'a' && c <= 'f')
			v += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v += c - 'A' + 10;
		else
			return (-1);
	}
	return (v);
}

/*
 * The code point at s[*i] inside a string (raw UTF-8 or an escape), or
 * -1.  Decodes arithmetically and then rejects overlongs, surrogates and
 * values past U+10FFFF, unlike the table-driven check in src/lib/json_lex.c.
 */
static long
ref_char(const unsigned char *s, size_t *i, size_t len)
{
	static const long	 min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned char		 c = s[*i];
	long			 cp, lo;
	int			 n, k;

	if (c == '\\') {
		if (*i + 1 >= len)
			return (-1);
		c = s[*i + 1];
		*i += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			return (c);
		case 'b':
			return (8);
		case 'f':
			return (12);
		case 'n':
			return (10);
		case 'r':
			return (13);
		case 't':
			return (9);
		case 'u':
			break;
		default:
			return (-1);
		}
		if ((cp = ref_hex4(s, *i, len)) < 0)
			return (-1);
		*i += 4;
		if (cp >= 0xdc00 && cp < 0xe000)
			return (-1);
		if (cp < 0xd800 || cp >= 0xdc00)
			return (cp);
		if (*i + 1 >= len || s[*i] != '\\' || s[*i + 1] != 'u' ||
		    (lo = ref_hex4(s, *i + 2, len)) < 0xdc00 || lo >= 0xe000)
			return (-1);
		*i += 6;
		return (((cp - 0xd800) << 10 | (lo - 0xdc00)) + 0x10000);
	}
	if (c < 0x20 || c == '"')
		return (-1);
	if (c < 0x80) {
		(*i)++;
		return (c);
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		cp = c & 0x07;
	} else
		return (-1);
	for (k = 1; k < n; k++) {
		if (*i + k >= len || (s[*i + k] & 0xc0) != 0x80)
			return (-1);
		cp = cp << 6 | (s[*i + k] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return (-1);
	*i += n;
	return (cp);
}

static int
ref_string(struct ref *r)
{
	if (r->i >= r->len || r->s[r->i] != '"')
		return (-1);
	for (r->i++; r->i < r->len && r->s[r->i] != '"'; )
		if (ref_char(r->s, &r->i, r->len) < 0)
			return (-1);
	if (r->i >= r->len)
		return (-1);
	r->i++;
	return (ref_tok(r, PW_JSON_STRING));
}

static int
ref_digits(struct ref *r)
{
	size_t	 from = r->i;

	while (r->i < r->len && r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return (r->i > from ? 0 : -1);
}

static int
ref_number(struct ref *r)
{
	if (r->i < r->len && r->s[r->i] == '-')
		r->i++;
	if (r->i >= r->len)
		return (-1);
	if (r->s[r->i] == '0')
		r->i++;
	else if (ref_digits(r) == -1)
		return (-1);
	if (r->i < r->len && r->s[r->i] == '.') {
		r->i++;
		if (ref_digits(r) == -1)
			return (-1);
	}
	if (r->i < r->len && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->len && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (ref_digits(r) == -1)
			return (-1);
	}
	return (ref_tok(r, PW_JSON_NUMBER));
}

static int
ref_word(struct ref *r, const char *w, enum pw_json_type t)
{
	size_t	 n = strlen(w);

	if (r->len - r->i < n || memcmp(r->s + r->i, w, n) != 0)
		return (-1);
	r->i += n;
	return (ref_tok(r, t));
}

static int
ref_object(struct ref *r, int top)
{
	size_t	 ks;

	if (ref_tok(r, PW_JSON_OBJECT) == -1)
		return (-1);
	r->i++;
	ref_ws(r);
	if (r->i < r->len && r->s[r->i] == '}') {
		r->i++;
		return (0);
	}
	for (;;) {
		ref_ws(r);
		ks = r->i + 1;
		if (ref_string(r) == -1)
			return (-1);
		if (top) {
			r->kstart[r->nkeys] = ks;
			r->kend[r->nkeys] = r->i - 1;
			r->kval[r->nkeys++] = r->ntok;
		}
		ref_ws(r);
		if (r->i >= r->len || r->s[r->i++] != ':')
			return (-1);
		if (ref_value(r, 0) == -1)
			return (-1);
		ref_ws(r);
		if (r->i >= r->len)
			return (-1);
		if (r->s[r->i] == '}') {
			r->i++;
			return (0);
		}
		if (r->s[r->i++] != ',')
			return (-1);
	}
}

static int
ref_array(struct ref *r)
{
	if (ref_tok(r, PW_JSON_ARRAY) == -1)
		return (-1);
	r->i++;
	ref_ws(r);
	if (r->i < r->len && r->s[r->i] == ']') {
		r->i++;
		return (0);
	}
	for (;;) {
		if (ref_value(r, 0) == -1)
			return (-1);
		ref_ws(r);
		if (r->i >= r->len)
			return (-1);
		if (r->s[r->i] == ']') {
			r->i++;
			return (0);
		}
		if (r->s[r->i++] != ',')
			return (-1);
	}
}

static int
ref_value(struct ref *r, int top)
{
	ref_ws(r);
	if (r->i >= r->len)
		return (-1);
	switch (r->s[r->i]) {
	case '{':
		return (ref_object(r, top));
	case '[':
		return (ref_array(r));
	case '"':
		return (ref_string(r));
	case 't':
		return (ref_word(r, "true", PW_JSON_BOOL));
	case 'f':
		return (ref_word(r, "false", PW_JSON_BOOL));
	case 'n':
		return (ref_word(r, "null", PW_JSON_NULL));
	default:
		return (ref_number(r));
	}
}

/* Decode a validated string body s[i..end) into out; the length. */
static size_t
ref_decode(const unsigned char *s, size_t i, size_t end, unsigned char *out,
    int *hasnul)
{
	size_t	 o = 0;
	long	 cp;

	*hasnul = 0;
	while (i < end) {
		cp = ref_char(s, &i, end);
		if (cp == 0)
			*hasnul = 1;
		if (cp < 0x80)
			out[o++] = (unsigned char)cp;
		else if (cp < 0x800) {
			out[o++] = (unsigned char)(0xc0 | cp >> 6);
			out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (unsigned char)(0xe0 | cp >> 12);
			out[o++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (unsigned char)(0xf0 | cp >> 18);
			out[o++] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			out[o++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
	return (o);
}

static enum ref_result
ref_parse(struct ref *r, const unsigned char *s, size_t len,
    unsigned char *ka, unsigned char *kb)
{
	size_t	 na, nb;
	int	 a, b, nul;

	memset(r, 0, sizeof(*r));
	r->s = s;
	r->len = len;
	ref_ws(r);
	if (r->i >= len || s[r->i] != '{')
		return (REF_BAD);
	if (ref_value(r, 1) == -1)
		return (r->toomany ? REF_TOOMANY : REF_BAD);
	ref_ws(r);
	if (r->i != len)
		return (REF_BAD);
	for (a = 0; a < r->nkeys; a++)
		for (b = 0; b < a; b++) {
			na = ref_decode(s, r->kstart[a], r->kend[a], ka, &nul);
			nb = ref_decode(s, r->kstart[b], r->kend[b], kb, &nul);
			if (na == nb && memcmp(ka, kb, na) == 0)
				return (REF_DUP);
		}
	return (REF_OK);
}

/* The numeric accessors agree with strtoll on the token's text. */
static void
check_number(const struct pw_json *j, int t)
{
	char		 buf[64];
	const char	*p = j->js + j->tok[t].start;
	size_t		 n = (size_t)(j->tok[t].end - j->tok[t].start);
	long long	 v;
	int64_t		 got = 0;
	int		 rc;

	rc = pw_json_int64(j, t, &got);
	if (memchr(p, '.', n) != NULL || memchr(p, 'e', n) != NULL ||
	    memchr(p, 'E', n) != NULL) {
		if (rc != -1)
			abort();
		return;
	}
	if (n >= sizeof(buf)) {
		if (rc != -1)
			abort();
		return;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, NULL, 10);
	if (errno == ERANGE ? rc != -1 : (rc != 0 || got != v))
		abort();
}

/* Quote bytes, parse them back inside an object, compare. */
static void
check_quote(const unsigned char *s, size_t n, int expect_ok)
{
	struct pw_json	 j;
	char		*body, *out, small[7];
	const char	*why;
	size_t		 q, q2;
	int		 rc, t;

	body = malloc(6 * n + 16);
	out = malloc(n + 1);
	if (body == NULL || out == NULL)
		abort();
	memcpy(body, "{\"k\":", 5);
	q = pw_json_quote(body + 5, 6 * n + 11, (const char *)s, n);
	if (q > 6 * n + 2)
		abort();
	q2 = pw_json_quote(small, sizeof(small), (const char *)s, n);
	if (q2 != q || strncmp(small, body + 5, sizeof(small) - 1) != 0)
		abort();
	body[5 + q] = '}';
	rc = pw_json_parse(&j, body, q + 6, &why);
	if (expect_ok != (rc == 0))
		abort();
	if (rc == 0) {
		t = pw_json_get(&j, "k");
		rc = pw_json_string(&j, t, out, n + 1);
		if (memchr(s, '\0', n) != NULL ? rc != -1 :
		    (rc != (int)n || memcmp(out, s, n) != 0))
			abort();
	} else if (strcmp(why, "invalid UTF-8 in string") != 0)
		abort();
	free(out);
	free(body);
}

/* Whether s is valid UTF-8 by the reference decoder. */
static int
ref_utf8(const unsigned char *s, size_t n)
{
	size_t	 i = 0;

	while (i < n) {
		if (s[i] < 0x80)
			i++;
		else if (ref_char(s, &i, n) < 0)
			return (0);
	}
	return (1);
}

static void
check_tokens(const struct pw_json *j, const struct ref *r,
    unsigned char *dec, size_t declen)
{
	char	 small[3];
	size_t	 n;
	int	 t, rc, b, nul;

	for (t = 0; t < j->ntok; t++) {
		if (pw_json_type(j, t) != r->type[t] ||
		    j->tok[t].start < 0 || j->tok[t].end < j->tok[t].start ||
		    (size_t)j->tok[t].end > j->len)
			abort();
		rc = pw_json_bool(j, t, &b);
		if ((rc == 0) != (r->type[t] == PW_JSON_BOOL) ||
		    (rc == 0 && b != (j->js[j->tok[t].start] == 't')))
			abort();
		if (r->type[t] == PW_JSON_NUMBER)
			check_number(j, t);
		else if (pw_json_int64(j, t, &(int64_t){ 0 }) != -1)
			abort();
		rc = pw_json_string(j, t, (char *)dec, declen);
		if (r->type[t] != PW_JSON_STRING) {
			if (rc != -1)
				abort();
			continue;
		}
		n = ref_decode(j->tok[t].start + (const unsigned char *)j->js,
		    0, (size_t)(j->tok[t].end - j->tok[t].start),
		    dec + declen / 2, &nul);
		if (nul ? rc != -1 : (rc != (int)n ||
		    memcmp(dec, dec + declen / 2, n) != 0 || dec[n] != '\0'))
			abort();
		if (!nul)
			check_quote(dec, n, 1);
		rc = pw_json_string(j, t, small, sizeof(small));
		if (nul ? rc != -1 : n >= sizeof(small) ? rc != -2 :
		    rc != (int)n)
			abort();
	}
}

/* pw_json_get finds each top-level key at the reference's value index. */
static void
check_keys(const struct pw_json *j, const struct ref *r, unsigned char *dec)
{
	size_t	 n;
	int	 k, nul;

	for (k = 0; k < r->nkeys; k++) {
		n = ref_decode(r->s, r->kstart[k], r->kend[k], dec, &nul);
		if (nul)
			continue;
		dec[n] = '\0';
		if (pw_json_get(j, (const char *)dec) != r->kval[k])
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_json	 j;
	struct ref	 r;
	unsigned char	*ka, *kb;
	const char	*why = NULL;
	enum ref_result	 want;
	int		 rc;

	if (size > FUZZ_MAX)
		return (0);
	/* Room for two decodings of anything in the input. */
	ka = malloc(2 * size + 2);
	kb = malloc(size + 1);
	if (ka == NULL || kb == NULL)
		abort();
	rc = pw_json_parse(&j, (const char *)data, size, &why);
	want = ref_parse(&r, data, size, ka, kb);
	if (rc == 0) {
		if (want != REF_OK || why != NULL || j.ntok != r.ntok)
			abort();
		check_tokens(&j, &r, ka, 2 * size + 2);
		check_keys(&j, &r, kb);
		if (pw_json_get(&j, "\xff") != -1)
			abort();
	} else {
		if (want == REF_OK || why == NULL || j.ntok != 0 ||
		    pw_json_get(&j, "a") != -1 ||
		    pw_json_type(&j, 0) != PW_JSON_NONE)
			abort();
		if (want == REF_DUP && strcmp(why, "duplicate key") != 0)
			abort();
	}
	check_quote(data, size, ref_utf8(data, size));
	free(kb);
	free(ka);
	return (0);
}
