/*
 * Unit tests: bodies pw_json_parse must refuse, with the reason it gives.
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

static Suite *
json_reject_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("json_reject");

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

	return (s);
}

int
main(void)
{
	return (check_run(json_reject_suite()));
}
