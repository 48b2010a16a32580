/*
 * Unit tests: base64url.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pw_crypto.h"
#include "check_run.h"
#include "check_crypto.h"

/* RFC 4648 section 10, in the url alphabet without padding. */
static const struct {
	const char	*plain;
	const char	*enc;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_b64url_rfc4648)
{
	uint8_t	 buf[16];
	char	 enc[16];
	size_t	 i, n;
	int	 r;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		n = strlen(rfc4648[i].plain);
		r = pw_b64url_encode((const uint8_t *)rfc4648[i].plain, n,
		    enc, sizeof(enc));
		ck_assert_int_eq(r, (int)strlen(rfc4648[i].enc));
		ck_assert_str_eq(enc, rfc4648[i].enc);
		r = pw_b64url_decode(rfc4648[i].enc, strlen(rfc4648[i].enc),
		    buf, sizeof(buf));
		ck_assert_int_eq(r, (int)n);
		ck_assert_mem_eq(buf, rfc4648[i].plain, n);
	}
}
END_TEST

START_TEST(test_b64url_alphabet)
{
	static const uint8_t	 hi[] = { 0xfb, 0xff, 0xbf, 0xfb, 0xef };
	uint8_t			 all[256], back[256];
	char			 enc[400];
	int			 r;
	size_t			 i;

	/* 62 and 63 are '-' and '_', where base64 has '+' and '/'. */
	r = pw_b64url_encode(hi, sizeof(hi), enc, sizeof(enc));
	ck_assert_int_eq(r, 7);
	ck_assert_str_eq(enc, "-_-_--8");
	ck_assert_int_eq(pw_b64url_decode(enc, 7, back, sizeof(back)), 5);
	ck_assert_mem_eq(back, hi, sizeof(hi));

	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)(255 - i);
	for (i = 0; i <= sizeof(all); i++) {
		r = pw_b64url_encode(all, i, enc, sizeof(enc));
		ck_assert_int_eq(r, (int)((i * 4 + 2) / 3));
		ck_assert_int_eq(pw_b64url_decode(enc, (size_t)r, back,
		    sizeof(back)), (int)i);
		ck_assert_mem_eq(back, all, i);
	}
}
END_TEST

START_TEST(test_b64url_reject)
{
	static const char	*bad[] = {
		"Zg==",		/* padding */
		"Zm8=",
		"Zg=",
		"Zm+v",		/* base64 alphabet, not base64url */
		"Zm/v",
		"Zm9 ",		/* white space */
		"Zm9v\r\nYm",
		" Zm9vYmFy",
		"Zm9v\tYmE",
		"Z",		/* length % 4 == 1 */
		"Zm9vY",
		"Zh",		/* nonzero unused bits */
		"Zm9",
		"Zm.v",
		"Zm9v*",
		"Zm\xc3\xa9",
	};
	uint8_t			 buf[16];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pw_b64url_decode(bad[i], strlen(bad[i]), buf,
		    sizeof(buf)) == -1, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(pw_b64url_decode("Zm\0v", 4, buf, sizeof(buf)), -1);
}
END_TEST

START_TEST(test_b64url_bounds)
{
	uint8_t	 buf[8];
	char	 enc[9];

	/* Decoding needs exactly the decoded size, no more. */
	ck_assert_int_eq(pw_b64url_decode("Zm9vYmFy", 8, buf, 6), 6);
	ck_assert_int_eq(pw_b64url_decode("Zm9vYmFy", 8, buf, 5), -1);
	ck_assert_int_eq(pw_b64url_decode("Zm9vYmE", 7, buf, 5), 5);
	ck_assert_int_eq(pw_b64url_decode("Zm9vYmE", 7, buf, 4), -1);
	ck_assert_int_eq(pw_b64url_decode("", 0, buf, 0), 0);

	/* Encoding needs room for the NUL too. */
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"foobar", 6, enc,
	    9), 8);
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"foobar", 6, enc,
	    8), -1);
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"fooba", 5, enc,
	    8), 7);
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"fooba", 5, enc,
	    7), -1);
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"", 0, enc, 1), 0);
	ck_assert_str_eq(enc, "");
	ck_assert_int_eq(pw_b64url_encode((const uint8_t *)"", 0, enc, 0), -1);
}
END_TEST

static Suite *
crypto_b64_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("crypto_b64");

	tc = tcase_create("base64url");
	tcase_add_test(tc, test_b64url_rfc4648);
	tcase_add_test(tc, test_b64url_alphabet);
	tcase_add_test(tc, test_b64url_reject);
	tcase_add_test(tc, test_b64url_bounds);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(crypto_b64_suite()));
}
