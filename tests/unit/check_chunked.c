/*
 * Chunked request bodies (http_chunked.c): decoded in place, the same
 * however the bytes arrive, and every lenient spelling refused.
 */
#include <sys/types.h>

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "pw_frame.h"
#include "check_run.h"

/* Decode body fed step bytes at a time; rc, and the data in out. */
static enum pw_chunk_rc
decode(const char *body, size_t step, size_t max, char *out, size_t *outlen,
    size_t *used)
{
	struct pw_chunked c;
	char buf[4096];
	enum pw_chunk_rc rc = PW_CHUNK_MORE;
	size_t n = strlen(body), have = 0, in = 0, o = 0, k;

	ck_assert_uint_lt(n, sizeof(buf));
	pw_chunked_init(&c, max);
	while (rc == PW_CHUNK_MORE && have < n) {
		k = n - have < step ? n - have : step;
		memcpy(buf + have, body + have, k);
		have += k;
		rc = pw_chunked_feed(&c, buf, have, &in, &o);
	}
	memcpy(out, buf, o);
	out[o] = '\0';
	*outlen = o;
	*used = in;
	return (rc);
}

static void
good(const char *body, const char *want, size_t rest)
{
	char out[4096];
	size_t len, used, step;

	for (step = 1; step <= strlen(body); step++) {
		ck_assert_msg(decode(body, step, 1000, out, &len, &used) ==
		    PW_CHUNK_DONE, "%s: step %zu", body, step);
		ck_assert_str_eq(out, want);
		ck_assert_uint_eq(used, strlen(body) - rest);
	}
}

static void
bad(const char *body)
{
	char out[4096];
	size_t len, used, step;

	for (step = 1; step <= strlen(body); step++)
		ck_assert_msg(decode(body, step, 1000, out, &len, &used) ==
		    PW_CHUNK_BAD, "accepted %s (step %zu)", body, step);
}

START_TEST(test_chunked_good)
{
	good("0\r\n\r\n", "", 0);
	good("2\r\n{}\r\n0\r\n\r\n", "{}", 0);
	good("2\r\n{\"\r\n3\r\na\":\r\n1\r\n1\r\n2\r\n}\n\r\n0\r\n\r\n",
	    "{\"a\":1}\n", 0);
	good("A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0);
	good("a;name=value\r\n0123456789\r\n0;x\r\n\r\n", "0123456789", 0);
	good("00000002\r\nhi\r\n0\r\nX-Trailer: yes\r\nY: \r\n\r\n", "hi", 0);
	/* What follows the body is not the body's. */
	good("1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "x",
	    strlen("GET / HTTP/1.1\r\n"));
}
END_TEST

/* What lenient parsers take and smuggling uses: all refused. */
START_TEST(test_chunked_bad)
{
	static const char *const cases[] = {
		"0x57\r\n",			/* a prefix */
		" 57\r\n",			/* leading blank */
		"57 \r\n",			/* trailing blank */
		"+5\r\n",			/* a sign */
		"-5\r\n",
		"\r\n",				/* no size */
		"g\r\n",			/* not hex */
		"123456789\r\n",		/* nine digits */
		"2\nhi\r\n0\r\n\r\n",		/* bare LF after the size */
		"2\r\nhi\n0\r\n\r\n",		/* bare LF after the data */
		"2\r\nhi0\r\n\r\n",		/* no CRLF after the data */
		"2\r\nhiX\r\n0\r\n\r\n",	/* data longer than its size */
		"0\r\n\n",			/* bare LF ending the body */
		"0\r\nX-A: a\nb\r\n\r\n",	/* bare LF in a trailer */
		"0\r\nX-A : a\r\n\r\n",		/* blank before a colon */
		"0\r\n X-A: a\r\n\r\n",		/* folded trailer */
		"0\r\nnocolon\r\n\r\n",
		"0\r\nX-A: a\x01\r\n\r\n",	/* control byte */
		"1;a\x01\r\nx\r\n0\r\n\r\n",	/* control byte in an ext */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad(cases[i]);
}
END_TEST

START_TEST(test_chunked_bounds)
{
	char body[2048], out[4096];
	size_t len, used;

	/* A chunk that takes the data past max: refused before its data. */
	ck_assert_int_eq(decode("5\r\nhello\r\n6\r\n", 1, 10, out, &len,
	    &used), PW_CHUNK_TOO_LARGE);
	ck_assert_int_eq(decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 3,
	    10, out, &len, &used), PW_CHUNK_DONE);
	ck_assert_str_eq(out, "helloworld");
	/* An extension without end. */
	memset(body, 0, sizeof(body));
	memcpy(body, "1;", 2);
	memset(body + 2, 'e', 300);
	ck_assert_int_eq(decode(body, 7, 10, out, &len, &used), PW_CHUNK_BAD);
}
END_TEST

static Suite *
chunked_suite(void)
{
	Suite *s = suite_create("chunked");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_chunked_good);
	tcase_add_test(tc, test_chunked_bad);
	tcase_add_test(tc, test_chunked_bounds);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(chunked_suite()));
}
