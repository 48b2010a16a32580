/*
 * Unit tests: strict JSON request parsing (pw_json.h).
 *
 * Every body is copied into a heap buffer of exactly its length, with no
 * terminating NUL, so that a sanitizer build catches any read past the
 * end of the text.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw_json.h"
#include "check_run.h"

struct doc {
	struct pw_json	 j;
	char		*buf;
	const char	*why;
	int		 rc;
};

static void
doc_parse(struct doc *d, const char *s, size_t len)
{
	d->buf = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(d->buf);
	memcpy(d->buf, s, len);
	d->why = "unset";
	d->rc = pw_json_parse(&d->j, d->buf, len, &d->why);
}

static void
doc_free(struct doc *d)
{
	free(d->buf);
	d->buf = NULL;
}

#define PARSE(d, lit)	doc_parse((d), (lit), sizeof(lit) - 1)

/* Parse and require success. */
static void
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
static void
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
static void
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

static int64_t
expect_int(struct doc *d, const char *key)
{
	int64_t	 v = 42;
	int	 t;

	t = pw_json_get(&d->j, key);
	ck_assert_int_ge(t, 1);
	ck_assert_int_eq(pw_json_int64(&d->j, t, &v), 0);
	return (v);
}

static int
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

START_TEST(test_api_body)
{
	struct doc	 d;

	ACCEPT(&d, "{\"ott\":\"playwave_0f8e\",\"provider_user_id\":\"123\"}");
	ck_assert_int_eq(d.j.ntok, 5);
	ck_assert_int_eq(d.j.tok[0].size, 2);
	ck_assert_int_eq(pw_json_get(&d.j, "ott"), 2);
	ck_assert_int_eq(pw_json_get(&d.j, "provider_user_id"), 4);
	expect_str(&d, "ott", "playwave_0f8e", 13);
	expect_str(&d, "provider_user_id", "123", 3);
	/* A string that looks like a number is still a string. */
	ck_assert_int_eq(int_rc(&d, "provider_user_id"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_empty_object)
{
	struct doc	 d;

	ACCEPT(&d, "{}");
	ck_assert_int_eq(d.j.ntok, 1);
	ck_assert_int_eq(d.j.tok[0].size, 0);
	ck_assert_int_eq(d.j.tok[0].start, 0);
	ck_assert_int_eq(d.j.tok[0].end, 2);
	ck_assert_int_eq(pw_json_get(&d.j, "a"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, ""), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_white_space_everywhere)
{
	struct doc	 d;

	ACCEPT(&d, " \t\r\n{ \"a\" \t:\r\n 1 ,\n\"b\" : [ 1 , 2 ] ,"
	    "\"c\"\n:\n{ }\r\n} \r\n\t");
	ck_assert_int_eq(expect_int(&d, "a"), 1);
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "b")),
	    PW_JSON_ARRAY);
	ck_assert_int_eq(d.j.tok[pw_json_get(&d.j, "b")].size, 2);
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "c")),
	    PW_JSON_OBJECT);
	ck_assert_int_eq(d.j.tok[0].start, 4);
	doc_free(&d);
}
END_TEST

START_TEST(test_nested_object_value)
{
	struct doc	 d;
	int		 a;

	ACCEPT(&d, "{\"a\":{\"b\":{\"c\":1}},\"d\":2}");
	a = pw_json_get(&d.j, "a");
	ck_assert_int_eq(a, 2);
	ck_assert_int_eq(pw_json_type(&d.j, a), PW_JSON_OBJECT);
	ck_assert_int_eq(d.j.tok[a].size, 1);
	ck_assert_int_eq(expect_int(&d, "d"), 2);
	/* Only the top level is searched. */
	ck_assert_int_eq(pw_json_get(&d.j, "b"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, "c"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_nested_array_value)
{
	struct doc	 d;
	int		 a, b;

	ACCEPT(&d, "{\"a\":[1,\"x\",true,null,[],{},[[0]]],\"b\":false}");
	a = pw_json_get(&d.j, "a");
	ck_assert_int_eq(pw_json_type(&d.j, a), PW_JSON_ARRAY);
	ck_assert_int_eq(d.j.tok[a].size, 7);
	ck_assert_int_eq(pw_json_type(&d.j, a + 1), PW_JSON_NUMBER);
	ck_assert_int_eq(pw_json_type(&d.j, a + 2), PW_JSON_STRING);
	ck_assert_int_eq(pw_json_type(&d.j, a + 3), PW_JSON_BOOL);
	ck_assert_int_eq(pw_json_type(&d.j, a + 4), PW_JSON_NULL);
	ck_assert_int_eq(pw_json_type(&d.j, a + 5), PW_JSON_ARRAY);
	ck_assert_int_eq(pw_json_type(&d.j, a + 6), PW_JSON_OBJECT);
	ck_assert_int_eq(pw_json_type(&d.j, a + 7), PW_JSON_ARRAY);
	ck_assert_int_eq(pw_json_type(&d.j, a + 8), PW_JSON_ARRAY);
	ck_assert_int_eq(pw_json_type(&d.j, a + 9), PW_JSON_NUMBER);
	ck_assert_int_eq(d.j.tok[a + 1].parent, a);
	ck_assert_int_eq(d.j.tok[a + 9].parent, a + 8);
	b = pw_json_get(&d.j, "b");
	ck_assert_int_eq(b, a + 11);
	ck_assert_int_eq(pw_json_type(&d.j, b), PW_JSON_BOOL);
	ck_assert_int_eq(d.j.ntok, b + 1);
	doc_free(&d);
}
END_TEST

START_TEST(test_unknown_members_ignored)
{
	struct doc	 d;

	ACCEPT(&d, "{\"x\":1,\"ott\":\"t\",\"y\":{\"ott\":[\"no\"]},"
	    "\"z\":null}");
	ck_assert_int_eq(pw_json_get(&d.j, "ott"), 4);
	expect_str(&d, "ott", "t", 1);
	ck_assert_int_eq(pw_json_get(&d.j, "missing"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_token_tree)
{
	struct doc	 d;

	/* 0:{ 1:"k" 2:[ 3:1 4:{ 5:"v" 6:{ 7:"x" 8:"y" */
	ACCEPT(&d, "{\"k\":[1,{\"v\":{\"x\":\"y\"}}]}");
	ck_assert_int_eq(d.j.ntok, 9);
	ck_assert_int_eq(d.j.tok[0].parent, -1);
	ck_assert_int_eq(d.j.tok[0].size, 1);
	ck_assert_int_eq(d.j.tok[1].parent, 0);
	ck_assert_int_eq(d.j.tok[1].size, 0);
	ck_assert_int_eq(d.j.tok[2].parent, 1);
	ck_assert_int_eq(d.j.tok[2].size, 2);
	ck_assert_int_eq(d.j.tok[3].parent, 2);
	ck_assert_int_eq(d.j.tok[4].type, PW_JSON_OBJECT);
	ck_assert_int_eq(d.j.tok[4].parent, 2);
	ck_assert_int_eq(d.j.tok[5].parent, 4);
	ck_assert_int_eq(d.j.tok[6].parent, 5);
	ck_assert_int_eq(d.j.tok[7].parent, 6);
	ck_assert_int_eq(d.j.tok[8].parent, 7);
	ck_assert_int_eq(d.j.tok[8].type, PW_JSON_STRING);
	/* A string token spans its body, without the quotes. */
	ck_assert_int_eq(d.j.tok[1].start, 2);
	ck_assert_int_eq(d.j.tok[1].end, 3);
	ck_assert_int_eq(d.j.tok[3].start, 6);
	ck_assert_int_eq(d.j.tok[3].end, 7);
	ck_assert_int_eq(d.j.tok[0].end, 25);
	doc_free(&d);
}
END_TEST

START_TEST(test_literals)
{
	struct doc	 d;
	int		 b;

	ACCEPT(&d, "{\"t\":true,\"f\":false,\"n\":null}");
	b = -1;
	ck_assert_int_eq(pw_json_bool(&d.j, pw_json_get(&d.j, "t"), &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(pw_json_bool(&d.j, pw_json_get(&d.j, "f"), &b), 0);
	ck_assert_int_eq(b, 0);
	b = 7;
	ck_assert_int_eq(pw_json_bool(&d.j, pw_json_get(&d.j, "n"), &b), -1);
	ck_assert_int_eq(b, 7);
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "n")),
	    PW_JSON_NULL);
	ck_assert_int_eq(pw_json_bool(&d.j, 0, &b), -1);
	ck_assert_int_eq(pw_json_bool(&d.j, 99, &b), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_numbers_valid)
{
	struct doc	 d;

	ACCEPT(&d, "{\"a\":0,\"b\":-0,\"c\":1.5,\"d\":-1e10,\"e\":1E+2,"
	    "\"f\":0.0e-0,\"g\":123,\"h\":-7}");
	ck_assert_int_eq(expect_int(&d, "a"), 0);
	ck_assert_int_eq(expect_int(&d, "b"), 0);
	ck_assert_int_eq(expect_int(&d, "g"), 123);
	ck_assert_int_eq(expect_int(&d, "h"), -7);
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "c")),
	    PW_JSON_NUMBER);
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "f")),
	    PW_JSON_NUMBER);
	/* Fractions and exponents are numbers but not int64. */
	ck_assert_int_eq(int_rc(&d, "c"), -1);
	ck_assert_int_eq(int_rc(&d, "d"), -1);
	ck_assert_int_eq(int_rc(&d, "e"), -1);
	ck_assert_int_eq(int_rc(&d, "f"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_int64_edges)
{
	struct doc	 d;

	ACCEPT(&d, "{\"max\":9223372036854775807,"
	    "\"min\":-9223372036854775808,"
	    "\"over\":9223372036854775808,"
	    "\"under\":-9223372036854775809,"
	    "\"huge\":100000000000000000000,"
	    "\"max1\":9223372036854775799,"
	    "\"near\":9223372036854775810}");
	ck_assert(expect_int(&d, "max") == INT64_MAX);
	ck_assert(expect_int(&d, "min") == INT64_MIN);
	ck_assert(expect_int(&d, "max1") == INT64_MAX - 8);
	ck_assert_int_eq(int_rc(&d, "over"), -1);
	ck_assert_int_eq(int_rc(&d, "under"), -1);
	ck_assert_int_eq(int_rc(&d, "huge"), -1);
	ck_assert_int_eq(int_rc(&d, "near"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_int64_wrong_type)
{
	struct doc	 d;
	int64_t		 v = 5;

	ACCEPT(&d, "{\"s\":\"1\",\"b\":true,\"n\":null,\"a\":[1]}");
	ck_assert_int_eq(int_rc(&d, "s"), -1);
	ck_assert_int_eq(int_rc(&d, "b"), -1);
	ck_assert_int_eq(int_rc(&d, "n"), -1);
	ck_assert_int_eq(int_rc(&d, "a"), -1);
	ck_assert_int_eq(pw_json_int64(&d.j, -1, &v), -1);
	ck_assert_int_eq(pw_json_int64(&d.j, d.j.ntok, &v), -1);
	ck_assert_int_eq(v, 5);
	doc_free(&d);
}
END_TEST

START_TEST(test_empty_key_and_value)
{
	struct doc	 d;

	ACCEPT(&d, "{\"\":\"\",\"x\":[]}");
	expect_str(&d, "", "", 0);
	ck_assert_int_eq(d.j.tok[pw_json_get(&d.j, "x")].size, 0);
	doc_free(&d);
}
END_TEST

START_TEST(test_nested_duplicates_allowed)
{
	struct doc	 d;

	/* Only the top-level object is checked for duplicate keys. */
	ACCEPT(&d, "{\"a\":{\"x\":1,\"x\":2},\"b\":[{\"y\":1,\"y\":1}]}");
	ck_assert_int_eq(pw_json_type(&d.j, pw_json_get(&d.j, "a")),
	    PW_JSON_OBJECT);
	doc_free(&d);
}
END_TEST

START_TEST(test_token_limit_exact)
{
	struct doc	 d;
	char		 body[600];
	size_t		 n;
	int		 i;

	/* {"a":[0,0,...]}: 3 tokens + 125 elements = PW_JSON_MAXTOK. */
	n = (size_t)snprintf(body, sizeof(body), "{\"a\":[");
	for (i = 0; i < PW_JSON_MAXTOK - 3; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s0",
		    i ? "," : "");
	n += (size_t)snprintf(body + n, sizeof(body) - n, "]}");
	accept_len(&d, body, n);
	ck_assert_int_eq(d.j.ntok, PW_JSON_MAXTOK);
	ck_assert_int_eq(d.j.tok[2].size, PW_JSON_MAXTOK - 3);
	doc_free(&d);
}
END_TEST

START_TEST(test_raw_utf8_and_del)
{
	struct doc	 d;

	/* DEL is legal unescaped JSON; so is any valid UTF-8. */
	ACCEPT(&d, "{\"k\":\"\x7f caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80\"}");
	expect_str(&d, "k", "\x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    16);
	doc_free(&d);
}
END_TEST

START_TEST(test_why_may_be_null)
{
	struct pw_json	 j;

	ck_assert_int_eq(pw_json_parse(&j, "{}", 2, NULL), 0);
	ck_assert_int_eq(pw_json_parse(&j, "[]", 2, NULL), -1);
	ck_assert_int_eq(pw_json_parse(&j, NULL, 0, NULL), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Rejections: shape */

START_TEST(test_reject_empty)
{
	REJECT("", E_NOTOBJECT);
	REJECT(" \r\n\t ", E_NOTOBJECT);
}
END_TEST

START_TEST(test_reject_top_array)
{
	REJECT("[1,2]", E_NOTOBJECT);
	REJECT(" [] ", E_NOTOBJECT);
}
END_TEST

START_TEST(test_reject_top_scalar)
{
	REJECT("\"ott\"", E_NOTOBJECT);
	REJECT("123", E_NOTOBJECT);
	REJECT("true", E_NOTOBJECT);
	REJECT("null", E_NOTOBJECT);
}
END_TEST

START_TEST(test_reject_garbage)
{
	REJECT("x", E_MALFORMED);
	REJECT("}", E_MALFORMED);
	REJECT(",{}", E_MALFORMED);
	REJECT("\xef\xbb\xbf{}", E_MALFORMED);	/* a BOM is not white space */
	REJECT("\v{}", E_MALFORMED);		/* nor is a vertical tab */
}
END_TEST

START_TEST(test_reject_trailing_object)
{
	REJECT("{}{}", E_TRAILING);
	REJECT("{\"a\":1} {\"b\":2}", E_TRAILING);
}
END_TEST

START_TEST(test_reject_trailing_junk)
{
	REJECT("{} x", E_TRAILING);
	REJECT("{\"a\":1}}", E_TRAILING);
	REJECT("{\"a\":1}]", E_TRAILING);
	REJECT("{},", E_TRAILING);
	REJECT("{}\"", E_TRAILING);
	REJECT("{}\f", E_TRAILING);
}
END_TEST

START_TEST(test_reject_trailing_nul)
{
	/* jsmn stops at a NUL; the bytes after it still count. */
	REJECT("{}\0", E_TRAILING);
	REJECT("{\"a\":1}\0{}", E_TRAILING);
}
END_TEST

START_TEST(test_reject_nul_inside)
{
	REJECT("{\"a\0\":1}", E_MALFORMED);
	REJECT("{\"a\":1\0}", E_MALFORMED);
	REJECT("{\0}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_unclosed)
{
	REJECT("{", E_MALFORMED);
	REJECT("{\"a\":1", E_MALFORMED);
	REJECT("{\"a\":[1,2}", E_MALFORMED);
	REJECT("{\"a\":\"x}", E_MALFORMED);
	REJECT("{\"a\":{}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_missing_comma)
{
	REJECT("{\"a\":1 \"b\":2}", E_MALFORMED);
	REJECT("{\"a\":\"x\" \"b\":2}", E_MALFORMED);
	REJECT("{\"a\":{} \"b\":2}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_missing_comma_array)
{
	REJECT("{\"a\":[1 2]}", E_MALFORMED);
	REJECT("{\"a\":[\"x\" \"y\"]}", E_MALFORMED);
	REJECT("{\"a\":[[] {}]}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_missing_colon)
{
	REJECT("{\"a\" 1}", E_MALFORMED);
	REJECT("{\"a\" \"b\"}", E_MALFORMED);
	REJECT("{\"a\"}", E_MALFORMED);
	REJECT("{\"a\",\"b\":1}", E_MALFORMED);
	REJECT("{\"a\" {}}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_trailing_comma_object)
{
	REJECT("{\"a\":1,}", E_MALFORMED);
	REJECT("{\"a\":{\"b\":1,}}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_trailing_comma_array)
{
	REJECT("{\"a\":[1,]}", E_MALFORMED);
	REJECT("{\"a\":[[],]}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_lone_comma)
{
	REJECT("{,}", E_MALFORMED);
	REJECT("{\"a\":[,]}", E_MALFORMED);
	REJECT("{\"a\":[,1]}", E_MALFORMED);
	REJECT("{,\"a\":1}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_double_punct)
{
	REJECT("{\"a\":1,,\"b\":2}", E_MALFORMED);
	REJECT("{\"a\"::1}", E_MALFORMED);
	REJECT("{\"a\":[1,,2]}", E_MALFORMED);
	REJECT("{:\"a\":1}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_colon_misplaced)
{
	REJECT("{\"a\":[\"x\":1]}", E_MALFORMED);
	REJECT("{\"a\":\"x\":\"y\"}", E_MALFORMED);
	REJECT("{\"a\":1:2}", E_MALFORMED);
	REJECT("{\"a\":[\"x\":[1]]}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_non_string_key)
{
	REJECT("{1:2}", E_MALFORMED);
	REJECT("{true:1}", E_MALFORMED);
	REJECT("{null:1}", E_MALFORMED);
	REJECT("{{}:1}", E_MALFORMED);
	REJECT("{[]:1}", E_MALFORMED);
	REJECT("{a:1}", E_MALFORMED);
	REJECT("{'a':1}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_mismatched)
{
	REJECT("{\"a\":[}", E_MALFORMED);
	REJECT("{\"a\":{]}", E_MALFORMED);
	REJECT("{]", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_bad_literals)
{
	REJECT("{\"a\":tru}", E_MALFORMED);
	REJECT("{\"a\":truex}", E_MALFORMED);
	REJECT("{\"a\":nul}", E_MALFORMED);
	REJECT("{\"a\":nulll}", E_MALFORMED);
	REJECT("{\"a\":fals}", E_MALFORMED);
	REJECT("{\"a\":True}", E_MALFORMED);
	REJECT("{\"a\":t{}}", E_MALFORMED);
	REJECT("{\"a\":undefined}", E_MALFORMED);
	REJECT("{\"a\":NaN}", E_MALFORMED);
	REJECT("{\"a\":Infinity}", E_MALFORMED);
}
END_TEST

START_TEST(test_reject_comment)
{
	REJECT("{/* c */\"a\":1}", E_MALFORMED);
	REJECT("{\"a\":1}// c", E_TRAILING);
}
END_TEST

START_TEST(test_reject_duplicate_key)
{
	REJECT("{\"a\":1,\"a\":2}", E_DUPKEY);
	REJECT("{\"ott\":\"x\",\"provider_user_id\":\"1\",\"ott\":\"y\"}",
	    E_DUPKEY);
	REJECT("{\"\":1,\"\":1}", E_DUPKEY);
}
END_TEST

START_TEST(test_reject_duplicate_key_escaped)
{
	/* Keys compare by decoded value. */
	REJECT("{\"a\":1,\"\\u0061\":2}", E_DUPKEY);
	REJECT("{\"\\u00e9\":1,\"\xc3\xa9\":2}", E_DUPKEY);
	REJECT("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", E_DUPKEY);
	REJECT("{\"a/b\":1,\"a\\/b\":2}", E_DUPKEY);
}
END_TEST

/* {"k0":0,...,"k<n-1>":0<extra>} */
static size_t
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

START_TEST(test_many_keys)
{
	struct doc	 d;
	char		 body[1024];
	size_t		 n;

	/* 63 members: 127 tokens, the most an object can have. */
	n = many_keys(body, sizeof(body), 63, "");
	accept_len(&d, body, n);
	ck_assert_int_eq(d.j.ntok, 127);
	ck_assert_int_eq(expect_int(&d, "k0"), 0);
	ck_assert_int_eq(expect_int(&d, "k62"), 62);
	ck_assert_int_eq(pw_json_get(&d.j, "k63"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_reject_duplicate_key_many)
{
	struct doc	 d;
	char		 body[1024];
	size_t		 n;

	/* "k\u0033\u0037" is k37, spelled with escapes, last of many. */
	n = many_keys(body, sizeof(body), 60, ",\"k\\u0033\\u0037\":1");
	reject_len(body, n, E_DUPKEY);
	n = many_keys(body, sizeof(body), 60, ",\"k\\u0035\\u0039\":1");
	reject_len(body, n, E_DUPKEY);
	/* k60 is new: accepted, and found under its decoded name. */
	n = many_keys(body, sizeof(body), 60, ",\"k\\u0036\\u0030\":-1");
	accept_len(&d, body, n);
	ck_assert_int_eq(expect_int(&d, "k60"), -1);
	ck_assert_int_eq(expect_int(&d, "k6"), 6);
	doc_free(&d);
}
END_TEST

START_TEST(test_distinct_similar_keys)
{
	struct doc	 d;

	ACCEPT(&d, "{\"a\":1,\"ab\":2,\"\\u0062\":3,\"A\":4,\"\\u00e9\":5,"
	    "\"\\u00e8\":6}");
	ck_assert_int_eq(expect_int(&d, "a"), 1);
	ck_assert_int_eq(expect_int(&d, "ab"), 2);
	ck_assert_int_eq(expect_int(&d, "b"), 3);
	ck_assert_int_eq(expect_int(&d, "A"), 4);
	ck_assert_int_eq(expect_int(&d, "\xc3\xa9"), 5);
	ck_assert_int_eq(expect_int(&d, "\xc3\xa8"), 6);
	doc_free(&d);
}
END_TEST

START_TEST(test_reject_too_many_tokens)
{
	char		 body[600];
	size_t		 n;
	int		 i;

	/* One element more than test_token_limit_exact. */
	n = (size_t)snprintf(body, sizeof(body), "{\"a\":[");
	for (i = 0; i < PW_JSON_MAXTOK - 2; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s0",
		    i ? "," : "");
	n += (size_t)snprintf(body + n, sizeof(body) - n, "]}");
	reject_len(body, n, E_TOOMANY);
}
END_TEST

START_TEST(test_reject_too_many_after_object)
{
	char		 body[1024];
	size_t		 n;
	int		 i;

	/* A valid object then a flood of tokens: still refused. */
	n = (size_t)snprintf(body, sizeof(body), "{\"a\":1}[");
	for (i = 0; i < 2 * PW_JSON_MAXTOK; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s1",
		    i ? "," : "");
	n += (size_t)snprintf(body + n, sizeof(body) - n, "]");
	reject_len(body, n, E_TRAILING);
}
END_TEST

START_TEST(test_reject_deep_nesting)
{
	char	 body[2 * PW_JSON_MAXTOK + 16];
	size_t	 n = 0;
	int	 i;

	/* {"a":[[[[...]]]]} nested past the token limit */
	n = (size_t)snprintf(body, sizeof(body), "{\"a\":");
	for (i = 0; i < PW_JSON_MAXTOK; i++)
		body[n++] = '[';
	for (i = 0; i < PW_JSON_MAXTOK; i++)
		body[n++] = ']';
	body[n++] = '}';
	reject_len(body, n, E_TOOMANY);
}
END_TEST

START_TEST(test_reject_short_len)
{
	/* len stops before the closing brace: the rest is not looked at. */
	reject_len("{\"a\":1}", 6, E_MALFORMED);
	reject_len("{\"a\":\"b\"}", 7, E_MALFORMED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Numbers */

static const char *const bad_numbers[] = {
	"{\"a\":01}", "{\"a\":-01}", "{\"a\":00}", "{\"a\":-}", "{\"a\":1.}",
	"{\"a\":.5}", "{\"a\":-.5}", "{\"a\":1e}", "{\"a\":1e+}",
	"{\"a\":1E-}", "{\"a\":+1}", "{\"a\":1.2.3}", "{\"a\":0x10}",
	"{\"a\":1e5.0}", "{\"a\":1ee5}", "{\"a\":--1}", "{\"a\":1-}",
	"{\"a\":1.e5}", "{\"a\":12a}", "{\"a\":[1.0.0]}", "{\"a\":- 1}",
};

START_TEST(test_reject_bad_number)
{
	reject_len(bad_numbers[_i], strlen(bad_numbers[_i]), E_MALFORMED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Strings: escapes */

START_TEST(test_all_short_escapes)
{
	struct doc	 d;

	ACCEPT(&d, "{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}");
	expect_str(&d, "k", "\"\\/\b\f\n\r\t", 8);
	doc_free(&d);
}
END_TEST

START_TEST(test_unicode_escapes)
{
	struct doc	 d;

	ACCEPT(&d, "{\"a\":\"\\u0041\",\"e\":\"caf\\u00e9\",\"E\":\"\\u00C9\","
	    "\"eur\":\"\\u20ac\",\"max\":\"\\uFFFF\",\"ctl\":\"\\u001f\","
	    "\"x7ff\":\"\\u07ff\"}");
	expect_str(&d, "a", "A", 1);
	expect_str(&d, "e", "caf\xc3\xa9", 5);
	expect_str(&d, "E", "\xc3\x89", 2);
	expect_str(&d, "eur", "\xe2\x82\xac", 3);
	expect_str(&d, "max", "\xef\xbf\xbf", 3);
	expect_str(&d, "ctl", "\x1f", 1);
	expect_str(&d, "x7ff", "\xdf\xbf", 2);
	doc_free(&d);
}
END_TEST

START_TEST(test_surrogate_pair)
{
	struct doc	 d;

	ACCEPT(&d, "{\"s\":\"\\ud83d\\ude00\",\"S\":\"x\\uD83D\\uDE00y\","
	    "\"hi\":\"\\udbff\\udfff\",\"lo\":\"\\ud800\\udc00\"}");
	expect_str(&d, "s", "\xf0\x9f\x98\x80", 4);
	expect_str(&d, "S", "x\xf0\x9f\x98\x80y", 6);
	expect_str(&d, "hi", "\xf4\x8f\xbf\xbf", 4);
	expect_str(&d, "lo", "\xf0\x90\x80\x80", 4);
	doc_free(&d);
}
END_TEST

START_TEST(test_reject_lone_high_surrogate)
{
	REJECT("{\"a\":\"\\ud83d\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\ud83dx\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\ud83d\\n\"}", E_ESCAPE);
}
END_TEST

START_TEST(test_reject_high_then_non_low)
{
	REJECT("{\"a\":\"\\ud83d\\u0041\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\ud83d\\ud83d\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\ud83d\\ue000\"}", E_ESCAPE);
}
END_TEST

START_TEST(test_reject_lone_low_surrogate)
{
	REJECT("{\"a\":\"\\ude00\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\udc00\\ud800\"}", E_ESCAPE);
	REJECT("{\"a\":\"\\udfff\"}", E_ESCAPE);
}
END_TEST

static const char *const bad_escapes[] = {
	"{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}",
	"{\"a\":\"\\U0041\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\0\"}",
	"{\"a\":\"\\a\"}", "{\"a\":\"\\ \"}", "{\"a\":\"\\u\"}",
	"{\"a\":\"\\ud83d\\u12\"}", "{\"\\q\":1}", "{\"a\":[\"\\x\"]}",
	"{\"a\":{\"b\\c\":1}}",
};

START_TEST(test_reject_bad_escape)
{
	reject_len(bad_escapes[_i], strlen(bad_escapes[_i]), E_ESCAPE);
}
END_TEST

START_TEST(test_reject_bad_escape_reason)
{
	/* Escapes jsmn lets through: bad surrogate pairing. */
	REJECT("{\"a\":\"\\uDBFF\\u0000\"}", E_ESCAPE);
	REJECT("{\"\\udc00\":1}", E_ESCAPE);
}
END_TEST

START_TEST(test_reject_escape_elsewhere)
{
	/* An unfinished escape is a cut-off body, not a bad escape. */
	REJECT("{\"a\":\"\\", E_MALFORMED);
	REJECT("{\"a\":\"\\u00", E_MALFORMED);
	/* After a complete object, a bad escape is just trailing junk. */
	REJECT("{}\"\\x\"", E_TRAILING);
}
END_TEST

START_TEST(test_escaped_nul)
{
	struct doc	 d;
	char		 out[16];

	/* Valid JSON, but a C string cannot carry it. */
	ACCEPT(&d, "{\"a\":\"x\\u0000y\",\"b\":\"\\u0000\"}");
	memset(out, 'Z', sizeof(out));
	ck_assert_int_eq(pw_json_string(&d.j, pw_json_get(&d.j, "a"), out,
	    sizeof(out)), -1);
	ck_assert_int_eq(out[0], '\0');
	ck_assert_int_eq(pw_json_string(&d.j, pw_json_get(&d.j, "b"), out,
	    sizeof(out)), -1);
	/* -1 wins over -2 even when the NUL is past the buffer. */
	ck_assert_int_eq(pw_json_string(&d.j, pw_json_get(&d.j, "a"), out,
	    2), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_key_with_escaped_nul)
{
	struct doc	 d;

	ACCEPT(&d, "{\"a\\u0000\":1,\"a\":2}");
	ck_assert_int_eq(expect_int(&d, "a"), 2);
	doc_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Strings: raw bytes */

START_TEST(test_reject_raw_control)
{
	REJECT("{\"a\":\"x\x01y\"}", E_CONTROL);
	REJECT("{\"a\":\"\t\"}", E_CONTROL);
	REJECT("{\"a\":\"line\nbreak\"}", E_CONTROL);
	REJECT("{\"a\":\"\r\"}", E_CONTROL);
	REJECT("{\"a\x1f\":1}", E_CONTROL);
}
END_TEST

static const char *const bad_utf8[] = {
	"\xc0\x80",			/* overlong NUL */
	"\xc1\xbf",			/* overlong 2-byte */
	"\xe0\x80\x80",			/* overlong 3-byte */
	"\xe0\x9f\xbf",			/* overlong U+07FF */
	"\xed\xa0\x80",			/* U+D800 encoded */
	"\xed\xbf\xbf",			/* U+DFFF encoded */
	"\xed\xa0\xbd\xed\xb8\x80",	/* CESU-8 pair */
	"\xf0\x80\x80\x80",		/* overlong 4-byte */
	"\xf0\x8f\xbf\xbf",		/* overlong U+FFFF */
	"\xf4\x90\x80\x80",		/* U+110000 */
	"\xf5\x80\x80\x80",		/* lead byte past F4 */
	"\xf8\x88\x80\x80\x80",		/* 5-byte form */
	"\xfe", "\xff",
	"\x80",				/* lone continuation */
	"a\xbf",
	"\xc3",				/* truncated before the quote */
	"\xe2\x82",
	"\xf0\x9f\x98",
	"\xc3\x28",			/* bad continuation */
	"\xe2\x28\xa1",
	"\xe2\x82\x28",
	"\xf0\x9f\x28\x80",
	"\xf0\x9f\x98\x28",
};

START_TEST(test_reject_bad_utf8)
{
	char	 body[64];
	int	 n;

	n = snprintf(body, sizeof(body), "{\"a\":\"%s\"}", bad_utf8[_i]);
	reject_len(body, (size_t)n, E_UTF8);
	/* In a key too. */
	n = snprintf(body, sizeof(body), "{\"%s\":1}", bad_utf8[_i]);
	reject_len(body, (size_t)n, E_UTF8);
}
END_TEST

static const char *const good_utf8[] = {
	"\xc2\x80",		/* U+0080 */
	"\xdf\xbf",		/* U+07FF */
	"\xe0\xa0\x80",		/* U+0800 */
	"\xed\x9f\xbf",		/* U+D7FF */
	"\xee\x80\x80",		/* U+E000 */
	"\xef\xbf\xbf",		/* U+FFFF */
	"\xf0\x90\x80\x80",	/* U+10000 */
	"\xf3\xbf\xbf\xbf",	/* U+FFFFF */
	"\xf4\x8f\xbf\xbf",	/* U+10FFFF */
};

START_TEST(test_good_utf8_edges)
{
	struct doc	 d;
	char		 body[64];
	int		 n;

	n = snprintf(body, sizeof(body), "{\"a\":\"%s\"}", good_utf8[_i]);
	accept_len(&d, body, (size_t)n);
	expect_str(&d, "a", good_utf8[_i], strlen(good_utf8[_i]));
	doc_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pw_json_string bounds */

START_TEST(test_string_too_long)
{
	struct doc	 d;
	char		 out[8];
	int		 t;

	ACCEPT(&d, "{\"a\":\"abc\",\"e\":\"\\u00e9\","
	    "\"p\":\"\\ud83d\\ude00\"}");
	t = pw_json_get(&d.j, "a");
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 4), 3);
	ck_assert_str_eq(out, "abc");
	memset(out, 'Z', sizeof(out));
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 3), -2);
	ck_assert_int_eq(out[0], '\0');
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 1), -2);
	ck_assert_int_eq(pw_json_string(&d.j, t, NULL, 0), -2);
	/* A multi-byte character is never split. */
	t = pw_json_get(&d.j, "e");
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 2), -2);
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 3), 2);
	t = pw_json_get(&d.j, "p");
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 4), -2);
	ck_assert_int_eq(pw_json_string(&d.j, t, out, 5), 4);
	doc_free(&d);
}
END_TEST

START_TEST(test_string_wrong_token)
{
	struct doc	 d;
	char		 out[8];

	ACCEPT(&d, "{\"n\":1,\"o\":{}}");
	ck_assert_int_eq(pw_json_string(&d.j, pw_json_get(&d.j, "n"), out,
	    sizeof(out)), -1);
	ck_assert_int_eq(pw_json_string(&d.j, pw_json_get(&d.j, "o"), out,
	    sizeof(out)), -1);
	ck_assert_int_eq(pw_json_string(&d.j, -1, out, sizeof(out)), -1);
	ck_assert_int_eq(pw_json_string(&d.j, 99, out, sizeof(out)), -1);
	/* The key itself is a string token. */
	ck_assert_int_eq(pw_json_string(&d.j, 1, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "n");
	doc_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pw_json_get */

START_TEST(test_get_escaped_key)
{
	struct doc	 d;

	ACCEPT(&d, "{\"\\u006ftt\":\"x\",\"a\\\"b\":1,\"c\\\\d\":2,"
	    "\"\\u00e9t\\u00e9\":3}");
	expect_str(&d, "ott", "x", 1);
	ck_assert_int_eq(expect_int(&d, "a\"b"), 1);
	ck_assert_int_eq(expect_int(&d, "c\\d"), 2);
	ck_assert_int_eq(expect_int(&d, "\xc3\xa9t\xc3\xa9"), 3);
	ck_assert_int_eq(pw_json_get(&d.j, "\\u006ftt"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_get_prefix_mismatch)
{
	struct doc	 d;

	ACCEPT(&d, "{\"ott\":1,\"\\u00e9\":2}");
	ck_assert_int_eq(pw_json_get(&d.j, "ot"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, "ottx"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, "OTT"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, ""), -1);
	ck_assert_int_eq(pw_json_get(&d.j, "\xc3"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, "\xc3\xa9\xa9"), -1);
	ck_assert_int_eq(pw_json_get(&d.j, NULL), -1);
	ck_assert_int_eq(pw_json_get(NULL, "ott"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_get_skips_values)
{
	struct doc	 d;

	/* String values equal to the key must not be taken for keys. */
	ACCEPT(&d, "{\"x\":\"ott\",\"y\":[\"ott\"],\"ott\":\"real\"}");
	expect_str(&d, "ott", "real", 4);
	ck_assert_int_eq(pw_json_get(&d.j, "real"), -1);
	doc_free(&d);
}
END_TEST

START_TEST(test_failed_parse_clears)
{
	struct doc	 d;

	ACCEPT(&d, "{\"a\":1}");
	doc_free(&d);
	PARSE(&d, "{\"a\":1,}");
	ck_assert_int_eq(d.rc, -1);
	ck_assert_int_eq(d.j.ntok, 0);
	ck_assert_int_eq(pw_json_get(&d.j, "a"), -1);
	ck_assert_int_eq(pw_json_type(&d.j, 0), PW_JSON_NONE);
	ck_assert_int_eq(pw_json_type(&d.j, -5), PW_JSON_NONE);
	doc_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pw_json_quote */

START_TEST(test_quote_plain)
{
	char	 out[32];

	ck_assert_uint_eq(pw_json_quote(out, sizeof(out), "abc", 3), 5);
	ck_assert_str_eq(out, "\"abc\"");
	ck_assert_uint_eq(pw_json_quote(out, sizeof(out), "", 0), 2);
	ck_assert_str_eq(out, "\"\"");
	ck_assert_uint_eq(pw_json_quote(out, sizeof(out), "caf\xc3\xa9", 5),
	    7);
	ck_assert_str_eq(out, "\"caf\xc3\xa9\"");
}
END_TEST

START_TEST(test_quote_escapes)
{
	char	 out[64];

	ck_assert_uint_eq(pw_json_quote(out, sizeof(out),
	    "a\"b\\c\nd\x01\x7f", 9), 24);
	ck_assert_str_eq(out, "\"a\\\"b\\\\c\\nd\\u0001\\u007f\"");
	ck_assert_uint_eq(pw_json_quote(out, sizeof(out),
	    "\b\f\r\t\x1f/", 6), 17);
	ck_assert_str_eq(out, "\"\\b\\f\\r\\t\\u001f/\"");
	ck_assert_uint_eq(pw_json_quote(out, sizeof(out), "\0", 1), 8);
	ck_assert_str_eq(out, "\"\\u0000\"");
}
END_TEST

START_TEST(test_quote_truncates)
{
	char	 out[8];

	memset(out, 'Z', sizeof(out));
	ck_assert_uint_eq(pw_json_quote(out, 5, "abcdef", 6), 8);
	ck_assert_str_eq(out, "\"abc");
	ck_assert_int_eq(out[5], 'Z');
	ck_assert_uint_eq(pw_json_quote(out, 1, "abc", 3), 5);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(pw_json_quote(NULL, 0, "a\n", 2), 5);
	/* Exactly enough room. */
	ck_assert_uint_eq(pw_json_quote(out, 6, "a\n", 2), 5);
	ck_assert_str_eq(out, "\"a\\n\"");
}
END_TEST

/* Quote s, wrap it as {"k":...}, parse it back; the decoded length. */
static int
round_trip(const char *s, size_t n, char *out, size_t outsz)
{
	struct doc	 d;
	char		 body[1024];
	size_t		 q;
	int		 r;

	memcpy(body, "{\"k\":", 5);
	q = pw_json_quote(body + 5, sizeof(body) - 5, s, n);
	ck_assert_uint_lt(q + 6, sizeof(body));
	body[5 + q] = '}';
	accept_len(&d, body, q + 6);
	r = pw_json_string(&d.j, pw_json_get(&d.j, "k"), out, outsz);
	doc_free(&d);
	return (r);
}

START_TEST(test_quote_round_trip)
{
	const char	 s[] = "say \"hi\" \\ o/\nnext\x01 \xc3\xa9\t\x7f";
	char		 out[128];

	ck_assert_int_eq(round_trip(s, sizeof(s) - 1, out, sizeof(out)),
	    (int)sizeof(s) - 1);
	ck_assert_mem_eq(out, s, sizeof(s) - 1);
}
END_TEST

START_TEST(test_quote_round_trip_all_ascii)
{
	char	 s[127], out[256];
	int	 i;

	for (i = 1; i < 128; i++)
		s[i - 1] = (char)i;
	ck_assert_int_eq(round_trip(s, sizeof(s), out, sizeof(out)),
	    (int)sizeof(s));
	ck_assert_mem_eq(out, s, sizeof(s));
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
json_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("json");

	tc = tcase_create("valid");
	tcase_add_test(tc, test_api_body);
	tcase_add_test(tc, test_empty_object);
	tcase_add_test(tc, test_white_space_everywhere);
	tcase_add_test(tc, test_nested_object_value);
	tcase_add_test(tc, test_nested_array_value);
	tcase_add_test(tc, test_unknown_members_ignored);
	tcase_add_test(tc, test_token_tree);
	tcase_add_test(tc, test_literals);
	tcase_add_test(tc, test_numbers_valid);
	tcase_add_test(tc, test_int64_edges);
	tcase_add_test(tc, test_int64_wrong_type);
	tcase_add_test(tc, test_empty_key_and_value);
	tcase_add_test(tc, test_nested_duplicates_allowed);
	tcase_add_test(tc, test_token_limit_exact);
	tcase_add_test(tc, test_raw_utf8_and_del);
	tcase_add_test(tc, test_why_may_be_null);
	tcase_add_test(tc, test_distinct_similar_keys);
	tcase_add_test(tc, test_many_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_test(tc, test_reject_empty);
	tcase_add_test(tc, test_reject_top_array);
	tcase_add_test(tc, test_reject_top_scalar);
	tcase_add_test(tc, test_reject_garbage);
	tcase_add_test(tc, test_reject_trailing_object);
	tcase_add_test(tc, test_reject_trailing_junk);
	tcase_add_test(tc, test_reject_trailing_nul);
	tcase_add_test(tc, test_reject_nul_inside);
	tcase_add_test(tc, test_reject_unclosed);
	tcase_add_test(tc, test_reject_missing_comma);
	tcase_add_test(tc, test_reject_missing_comma_array);
	tcase_add_test(tc, test_reject_missing_colon);
	tcase_add_test(tc, test_reject_trailing_comma_object);
	tcase_add_test(tc, test_reject_trailing_comma_array);
	tcase_add_test(tc, test_reject_lone_comma);
	tcase_add_test(tc, test_reject_double_punct);
	tcase_add_test(tc, test_reject_colon_misplaced);
	tcase_add_test(tc, test_reject_non_string_key);
	tcase_add_test(tc, test_reject_mismatched);
	tcase_add_test(tc, test_reject_bad_literals);
	tcase_add_test(tc, test_reject_comment);
	tcase_add_test(tc, test_reject_duplicate_key);
	tcase_add_test(tc, test_reject_duplicate_key_escaped);
	tcase_add_test(tc, test_reject_duplicate_key_many);
	tcase_add_test(tc, test_reject_too_many_tokens);
	tcase_add_test(tc, test_reject_too_many_after_object);
	tcase_add_test(tc, test_reject_deep_nesting);
	tcase_add_test(tc, test_reject_short_len);
	tcase_add_loop_test(tc, test_reject_bad_number, 0,
	    (int)(sizeof(bad_numbers) / sizeof(bad_numbers[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_test(tc, test_all_short_escapes);
	tcase_add_test(tc, test_unicode_escapes);
	tcase_add_test(tc, test_surrogate_pair);
	tcase_add_test(tc, test_reject_lone_high_surrogate);
	tcase_add_test(tc, test_reject_high_then_non_low);
	tcase_add_test(tc, test_reject_lone_low_surrogate);
	tcase_add_loop_test(tc, test_reject_bad_escape, 0,
	    (int)(sizeof(bad_escapes) / sizeof(bad_escapes[0])));
	tcase_add_test(tc, test_reject_bad_escape_reason);
	tcase_add_test(tc, test_reject_escape_elsewhere);
	tcase_add_test(tc, test_escaped_nul);
	tcase_add_test(tc, test_key_with_escaped_nul);
	tcase_add_test(tc, test_reject_raw_control);
	tcase_add_loop_test(tc, test_reject_bad_utf8, 0,
	    (int)(sizeof(bad_utf8) / sizeof(bad_utf8[0])));
	tcase_add_loop_test(tc, test_good_utf8_edges, 0,
	    (int)(sizeof(good_utf8) / sizeof(good_utf8[0])));
	tcase_add_test(tc, test_string_too_long);
	tcase_add_test(tc, test_string_wrong_token);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_test(tc, test_get_escaped_key);
	tcase_add_test(tc, test_get_prefix_mismatch);
	tcase_add_test(tc, test_get_skips_values);
	tcase_add_test(tc, test_failed_parse_clears);
	suite_add_tcase(s, tc);

	tc = tcase_create("quote");
	tcase_add_test(tc, test_quote_plain);
	tcase_add_test(tc, test_quote_escapes);
	tcase_add_test(tc, test_quote_truncates);
	tcase_add_test(tc, test_quote_round_trip);
	tcase_add_test(tc, test_quote_round_trip_all_ascii);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(json_suite()));
}
