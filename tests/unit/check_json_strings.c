/*
 * Unit tests: string escapes, UTF-8 and decoding.
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

static Suite *
json_strings_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("json_strings");

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

	return (s);
}

int
main(void)
{
	return (check_run(json_strings_suite()));
}
