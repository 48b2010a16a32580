/*
 * The bounded text builder.  Once anything has not fit, nothing more is
 * added, so a truncated reply is known as such and never sent half made.
 * pw_buf_add formats with vsnprintf(3), for what is off the request path
 * (/metrics); replies use the stdio-free pieces below it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pw_buf.h"
#include "pw_json.h"

void
pw_buf_init(struct pw_buf *b, char *buf, size_t size)
{
	b->buf = buf;
	b->size = size;
	b->len = 0;
	b->overflow = size == 0;
	if (size > 0)
		buf[0] = '\0';
}

void
pw_buf_add(struct pw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len) {
		b->overflow = 1;
		b->buf[b->len] = '\0';
	} else
		b->len += (size_t)n;
}

void
pw_buf_quote(struct pw_buf *b, const char *s)
{
	size_t n;

	if (b->overflow)
		return;
	n = pw_json_quote(b->buf + b->len, b->size - b->len, s, strlen(s));
	if (n >= b->size - b->len) {
		b->overflow = 1;
		b->buf[b->len] = '\0';
	} else
		b->len += n;
}

void
pw_buf_mem(struct pw_buf *b, const void *p, size_t n)
{
	if (b->overflow)
		return;
	if (n >= b->size - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
pw_buf_str(struct pw_buf *b, const char *s)
{
	pw_buf_mem(b, s, strlen(s));
}

/* The digits of v, at the end of d[20]; how many. */
static size_t
digits(uint64_t v, char d[20])
{
	size_t n = 0;

	do {
		d[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return (n);
}

void
pw_buf_u64(struct pw_buf *b, uint64_t v)
{
	char d[20];
	size_t n;

	n = digits(v, d);
	pw_buf_mem(b, d + 20 - n, n);
}

void
pw_buf_i64(struct pw_buf *b, int64_t v)
{
	if (v < 0) {
		pw_buf_mem(b, "-", 1);
		pw_buf_u64(b, -(uint64_t)v);
	} else
		pw_buf_u64(b, (uint64_t)v);
}

void
pw_buf_u64_pad(struct pw_buf *b, uint64_t v, size_t width)
{
	static const char blanks[] = "                    ";
	char d[20];
	size_t n;

	n = digits(v, d);
	pw_buf_mem(b, d + 20 - n, n);
	if (n < width)
		pw_buf_mem(b, blanks, width - n < sizeof(blanks) - 1 ?
		    width - n : sizeof(blanks) - 1);
}
