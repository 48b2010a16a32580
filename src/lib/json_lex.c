/*
 * The lexical side of strict JSON (RFC 8259): white space, string
 * escapes and UTF-8, and the grammar of numbers and literals.  json.c
 * checks a text with these; json_get.c decodes strings with them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json_lex.h"
#include "pw_crypto.h"

static int
is_ws(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

size_t
json_skip_ws(const unsigned char *s, size_t i, size_t end)
{
	while (i < end && is_ws(s[i]))
		i++;
	return (i);
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
		if ((d = pw_hex_digit(s[*i + k])) < 0)
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
int32_t
json_unescape(const unsigned char *s, size_t *i, size_t end)
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
size_t
json_utf8_put(unsigned char *u, int32_t cp)
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
const char *
json_check_string(const unsigned char *s, size_t i, size_t end)
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
			if (json_unescape(s, &i, end) < 0)
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
enum pw_json_type
json_primitive_type(const unsigned char *s, size_t i, size_t end)
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

/* Decode the next character of a validated string body; -1 if broken. */
int32_t
json_next_cp(const unsigned char *s, size_t *i, size_t end)
{
	unsigned char	 c = s[*i];
	int32_t		 cp;
	size_t		 n, k;

	if (c == '\\') {
		(*i)++;
		return (json_unescape(s, i, end));
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
