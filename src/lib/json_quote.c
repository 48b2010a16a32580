/*
 * JSON out: strings quoted and escaped for the replies we build.  The
 * parsing side, and the only use of jsmn, is json.c.
 */
#include <stddef.h>

#include "pw_json.h"

/* Append c to dst if it still fits with the terminating NUL. */
static void
put(char *dst, size_t dstsz, size_t *o, char c)
{
	if (*o + 1 < dstsz)
		dst[*o] = c;
	(*o)++;
}

static void
put_escape(char *dst, size_t dstsz, size_t *o, unsigned char c)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 e;

	switch (c) {
	case '"':
		e = '"';
		break;
	case '\\':
		e = '\\';
		break;
	case '\b':
		e = 'b';
		break;
	case '\f':
		e = 'f';
		break;
	case '\n':
		e = 'n';
		break;
	case '\r':
		e = 'r';
		break;
	case '\t':
		e = 't';
		break;
	default:
		put(dst, dstsz, o, '\\');
		put(dst, dstsz, o, 'u');
		put(dst, dstsz, o, '0');
		put(dst, dstsz, o, '0');
		put(dst, dstsz, o, hex[c >> 4]);
		put(dst, dstsz, o, hex[c & 0xf]);
		return;
	}
	put(dst, dstsz, o, '\\');
	put(dst, dstsz, o, e);
}

/*
 * DEL is escaped too: it is legal raw in JSON but a control character,
 * and escaping it keeps log lines and terminals clean.
 */
size_t
pw_json_quote(char *dst, size_t dstsz, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, o = 0;

	put(dst, dstsz, &o, '"');
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == '"' || u[i] == '\\' || u[i] == 0x7f)
			put_escape(dst, dstsz, &o, u[i]);
		else
			put(dst, dstsz, &o, (char)u[i]);
	}
	put(dst, dstsz, &o, '"');
	if (dstsz > 0)
		dst[o < dstsz ? o : dstsz - 1] = '\0';
	return (o);
}
