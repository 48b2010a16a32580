/*
 * Unit tests: JWT claims.
 * JSON text with pw_b64url_encode and pw_hmac_sha256.
 */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pw_crypto.h"
#include "check_run.h"
#include "check_jwt.h"

START_TEST(test_expired)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];

	claims_json(p, sizeof(p), NOW, NOW - 600);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_EXPIRED);
	ck_assert_str_eq(c.sub, "44-12345-67890");

	claims_json(p, sizeof(p), NOW - 1, NOW - 600);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_EXPIRED);

	claims_json(p, sizeof(p), INT64_MIN, INT64_MIN);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_EXPIRED);

	claims_json(p, sizeof(p), NOW + 1, NOW - 600);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);

	/* Expired and badly signed is INVALID, never EXPIRED. */
	claims_json(p, sizeof(p), NOW - 1, NOW - 600);
	tok_make(&t, hs256, p, "another-secret");
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	ck_assert_str_eq(c.sub, "");
}
END_TEST

START_TEST(test_iat)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];

	claims_json(p, sizeof(p), NOW + 3600, NOW + 61);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	/* Parsed, then refused: nothing of it reaches the caller. */
	ck_assert_str_eq(c.sub, "");
	claims_json(p, sizeof(p), NOW + 3600, NOW + 3000);
	ck_assert_int_eq(verify_payload(p), PW_JWT_INVALID);
	claims_json(p, sizeof(p), INT64_MAX, INT64_MAX);
	ck_assert_int_eq(verify_payload(p), PW_JWT_INVALID);
	claims_json(p, sizeof(p), NOW + 3600, NOW + 60);
	ck_assert_int_eq(verify_payload(p), PW_JWT_OK);
	claims_json(p, sizeof(p), NOW + 3600, NOW + 30);
	ck_assert_int_eq(verify_payload(p), PW_JWT_OK);
	claims_json(p, sizeof(p), NOW + 3600, INT64_MIN);
	ck_assert_int_eq(verify_payload(p), PW_JWT_OK);
}
END_TEST

/* Payloads that must fail although they are signed right. */
START_TEST(test_bad_claims)
{
	static const char	*bad[] = {
		/* sub missing, empty, a number, null */
		"{\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":\"\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":42,\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":null,\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		/* each other string claim missing */
		"{\"sub\":\"s\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"exp\":1700003600,\"iat\":1700000000}",
		/* exp a string, a fraction, an exponent, missing */
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":\"1700003600\",\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600.5,\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":2e9,\"iat\":1700000000}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"iat\":1700000000}",
		/* exp beyond int64 */
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":9223372036854775808,"
		"\"iat\":1700000000}",
		/* iat missing, a string */
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":\"0\"}",
		/* jti present but not a string, or empty */
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000,"
		"\"jti\":7}",
		"{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\",\"brand\":\"b\","
		"\"currency\":\"usd\",\"exp\":1700003600,\"iat\":1700000000,"
		"\"jti\":\"\"}",
		/* a NUL inside a claim */
		"{\"sub\":\"s\\u0000t\",\"game\":\"g\",\"provider\":\"p\","
		"\"brand\":\"b\",\"currency\":\"usd\",\"exp\":1700003600,"
		"\"iat\":1700000000}",
		/* a duplicate claim */
		"{\"sub\":\"s\",\"sub\":\"t\",\"game\":\"g\",\"provider\":\"p\","
		"\"brand\":\"b\",\"currency\":\"usd\",\"exp\":1700003600,"
		"\"iat\":1700000000}",
		/* not an object, not JSON */
		"[\"s\",\"g\"]",
		"{\"sub\":\"s\",}",
		"sub=s",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(verify_payload(bad[i]) == PW_JWT_INVALID,
		    "accepted payload %s", bad[i]);
}
END_TEST

/* A payload with one string claim of n 'x' bytes. */
static enum pw_jwt_result
verify_claim_len(const char *claim, size_t n, struct pw_jwt_claims *c)
{
	static const char	*names[] = {
		"sub", "game", "provider", "brand", "currency", "jti"
	};
	struct tok		 t;
	char			 p[1024], val[256];
	size_t			 i, o;
	int			 r;

	ck_assert_uint_lt(n, sizeof(val));
	memset(val, 'x', n);
	val[n] = '\0';
	o = 0;
	p[o++] = '{';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = snprintf(p + o, sizeof(p) - o, "\"%s\":\"%s\",", names[i],
		    strcmp(names[i], claim) == 0 ? val : "v");
		ck_assert(r > 0 && (size_t)r < sizeof(p) - o);
		o += (size_t)r;
	}
	snprintf(p + o, sizeof(p) - o, "\"exp\":1700003600,\"iat\":1700000000}");
	tok_make(&t, hs256, p, SECRET);
	return (verify(&t, c));
}

START_TEST(test_claim_length)
{
	struct pw_jwt_claims	 c;

	ck_assert_int_eq(verify_claim_len("sub", 63, &c), PW_JWT_OK);
	ck_assert_uint_eq(strlen(c.sub), 63);
	ck_assert_int_eq(verify_claim_len("sub", 64, &c), PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("sub", 200, &c), PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("game", 63, &c), PW_JWT_OK);
	ck_assert_int_eq(verify_claim_len("game", 64, &c), PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("provider", 64, &c),
	    PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("brand", 64, &c), PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("currency", 15, &c), PW_JWT_OK);
	ck_assert_uint_eq(strlen(c.currency), 15);
	ck_assert_int_eq(verify_claim_len("currency", 16, &c),
	    PW_JWT_INVALID);
	ck_assert_int_eq(verify_claim_len("jti", 63, &c), PW_JWT_OK);
	ck_assert_int_eq(verify_claim_len("jti", 64, &c), PW_JWT_INVALID);
}
END_TEST

static Suite *
jwt_claims_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jwt_claims");

	tc = tcase_create("claims");
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_iat);
	tcase_add_test(tc, test_bad_claims);
	tcase_add_test(tc, test_claim_length);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(jwt_claims_suite()));
}
