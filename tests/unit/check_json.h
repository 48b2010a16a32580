/*
 * What the json test programs share.
 */
#ifndef CHECK_JSON_H
#define CHECK_JSON_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw_json.h"

struct doc {
	struct pw_json	 j;
	char		*buf;
	const char	*why;
	int		 rc;
};

static inline void
doc_parse(struct doc *d, const char *s, size_t len)
{
	d->buf = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(d->buf);
	memcpy(d->buf, s, len);
	d->why = "unset";
	d->rc = pw_json_parse(&d->j, d->buf, len, &d->why);
}

static inline void
doc_free(struct doc *d)
{
	free(d->buf);
	d->buf = NULL;
}

#define PARSE(d, lit)	doc_parse((d), (lit), sizeof(lit) - 1)

/* Parse and require success. */
static inline void
accept_len(struct doc *d, const char *s, size_t len)
{
	doc_parse(d, s, len);
	ck_assert_msg(d->rc == 0, "rejected (%s): %.*s", d->why, (int)len, s);
	ck_assert_ptr_null(d->why);
	ck_assert_int_ge(d->j.ntok, 1);
	ck_assert_int_eq(pw_json_type(&d->j, 0), PW_JSON_OBJECT);
}

#define ACCEPT(d, lit)	accept_len((d), (lit), sizeof(lit) - 1)

/* Parse and require -1 with the given reason and nothing left usable. */
static inline void
reject_len(const char *s, size_t len, const char *why)
{
	struct doc	 d;

	doc_parse(&d, s, len);
	ck_assert_msg(d.rc == -1, "accepted: %.*s", (int)len, s);
	ck_assert_ptr_nonnull(d.why);
	ck_assert_str_eq(d.why, why);
	ck_assert_int_eq(d.j.ntok, 0);
	ck_assert_int_eq(pw_json_type(&d.j, 0), PW_JSON_NONE);
	ck_assert_int_eq(pw_json_get(&d.j, "a"), -1);
	doc_free(&d);
}

#define REJECT(lit, why)	reject_len((lit), sizeof(lit) - 1, (why))

#define E_MALFORMED	"malformed JSON"
#define E_NOTOBJECT	"body must be a JSON object"
#define E_TRAILING	"trailing garbage after JSON"
#define E_TOOMANY	"too many JSON tokens"
#define E_DUPKEY	"duplicate key"
#define E_ESCAPE	"invalid string escape"
#define E_UTF8		"invalid UTF-8 in string"
#define E_CONTROL	"control character in string"

/* The decoded string value of top-level member key, or fail. */
static inline void
expect_str(struct doc *d, const char *key, const char *want, size_t wantlen)
{
	char	 out[256];
	int	 t, n;

	t = pw_json_get(&d->j, key);
	ck_assert_int_ge(t, 1);
	ck_assert_int_eq(pw_json_type(&d->j, t), PW_JSON_STRING);
	n = pw_json_string(&d->j, t, out, sizeof(out));
	ck_assert_int_eq(n, (int)wantlen);
	ck_assert_mem_eq(out, want, wantlen);
	ck_assert_int_eq(out[n], '\0');
}

static inline int64_t
expect_int(struct doc *d, const char *key)
{
	int64_t	 v = 42;
	int	 t;

	t = pw_json_get(&d->j, key);
	ck_assert_int_ge(t, 1);
	ck_assert_int_eq(pw_json_int64(&d->j, t, &v), 0);
	return (v);
}

static inline int
int_rc(struct doc *d, const char *key)
{
	int64_t	 v = 42;
	int	 rc;

	rc = pw_json_int64(&d->j, pw_json_get(&d->j, key), &v);
	if (rc != 0)
		ck_assert_int_eq(v, 42);	/* untouched on failure */
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Valid bodies */

/* {"k0":0,...,"k<n-1>":0<extra>} */
static inline size_t
many_keys(char *body, size_t sz, int n, const char *extra)
{
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(body, sz, "{");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, sz - o, "%s\"k%d\":%d",
		    i ? "," : "", i, i);
	o += (size_t)snprintf(body + o, sz - o, "%s}", extra);
	ck_assert_uint_lt(o, sz);
	return (o);
}

#endif /* CHECK_JSON_H */
