/*
 * A bounded text builder over a caller's buffer: output that does not fit
 * is remembered as overflow, never written past the end, and the text so
 * far stays NUL terminated.  Replies and /metrics are built with it.
 */
#ifndef PW_BUF_H
#define PW_BUF_H

#include <stddef.h>
#include <stdint.h>

struct pw_buf {
	char		*buf;
	size_t		 size, len;
	int		 overflow;
};

void	 pw_buf_init(struct pw_buf *, char *buf, size_t size);
void	 pw_buf_add(struct pw_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* s as a quoted JSON string (pw_json_quote). */
void	 pw_buf_quote(struct pw_buf *, const char *s);
/*
 * Without stdio, for the request path: a string, n bytes, a number in
 * decimal, and a number left-aligned in width columns (space-padded).
 */
void	 pw_buf_str(struct pw_buf *, const char *s);
void	 pw_buf_mem(struct pw_buf *, const void *p, size_t n);
void	 pw_buf_u64(struct pw_buf *, uint64_t v);
void	 pw_buf_i64(struct pw_buf *, int64_t v);
void	 pw_buf_u64_pad(struct pw_buf *, uint64_t v, size_t width);

#endif /* PW_BUF_H */
