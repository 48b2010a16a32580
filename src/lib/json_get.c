/*
 * Reading a parsed request (json.c): members by decoded key, and values
 * as C strings, 64-bit integers and booleans.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json_lex.h"
#include "pw_json.h"

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
		if ((cp = json_unescape(s, &i, t->end)) <= 0)
			return (0);
		n = json_utf8_put(u, cp);
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
			if ((cp = json_unescape(s, &i, end)) <= 0)
				goto fail;
			n = json_utf8_put(u, cp);
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
		if (s[i++] == '\\' && json_unescape(s, &i, end) <= 0)
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
