/*
 * The bounded text builder.  Once anything has not fit, nothing more is
 * added, so a truncated reply is known as such and never sent half made.
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
