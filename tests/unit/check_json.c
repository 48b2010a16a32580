/*
 * Unit tests: strict JSON request parsing (pw_json.h): valid bodies, look-ups and quoting.
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
#include "check_json.h"

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
