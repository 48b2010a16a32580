/*
 * Unit tests: JWT signatures and token format.
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

START_TEST(test_good)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];

	claims_json(p, sizeof(p), NOW + 3600, NOW - 10);
	tok_make(&t, hs256, p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	ck_assert_str_eq(c.sub, "44-12345-67890");
	ck_assert_str_eq(c.game, "fantasyquest");
	ck_assert_str_eq(c.provider, "gameprovider");
	ck_assert_str_eq(c.brand, "12345");
	ck_assert_str_eq(c.currency, "usd");
	ck_assert_str_eq(c.jti, "launch-1");
	ck_assert(c.exp == NOW + 3600);
	ck_assert(c.iat == NOW - 10);

	/* No out argument is allowed too. */
	ck_assert_int_eq(pw_jwt_verify(t.s, t.len, SECRET, strlen(SECRET), NOW,
	    NULL), PW_JWT_OK);
}
END_TEST

START_TEST(test_good_variants)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;

	/* jti absent is "", typ absent is fine, unknown claims ignored. */
	tok_make(&t, "{\"alg\":\"HS256\"}",
	    "{\"iat\":1700000000,\"exp\":1700000300,\"currency\":\"eur\","
	    "\"brand\":\"b\",\"provider\":\"p\",\"game\":\"g\",\"sub\":\"s\","
	    "\"aud\":[\"x\",{\"y\":null}],\"nbf\":1.5}", SECRET);
	memset(&c, 'x', sizeof(c));
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	ck_assert_str_eq(c.sub, "s");
	ck_assert_str_eq(c.currency, "eur");
	ck_assert_str_eq(c.jti, "");

	/* Escapes in claims are decoded; white space in the JSON is fine. */
	tok_make(&t, " { \"typ\" : \"JWT\" , \"alg\" : \"HS256\" } ",
	    "{\"sub\":\"a\\u00e9\\/b\",\"game\":\"g\",\"provider\":\"p\","
	    "\"brand\":\"b\",\"currency\":\"usd\",\"exp\":1700000001,"
	    "\"iat\":0}\n", SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	ck_assert_str_eq(c.sub, "a\xc3\xa9/b");

	/* An empty secret still verifies what it signed. */
	tok_make(&t, hs256, "{\"sub\":\"s\",\"game\":\"g\",\"provider\":\"p\","
	    "\"brand\":\"b\",\"currency\":\"usd\",\"exp\":1700000001,"
	    "\"iat\":0}", "");
	ck_assert_int_eq(pw_jwt_verify(t.s, t.len, "", 0, NOW, &c),
	    PW_JWT_OK);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

START_TEST(test_tampered_payload)
{
	struct tok		 t, u;
	struct pw_jwt_claims	 c;
	char			 p[512];
	const char		*dot;

	/* u's signature on t's header and payload. */
	claims_json(p, sizeof(p), NOW + 3600, NOW);
	tok_make(&t, hs256, p, SECRET);
	p[9] = '5';		/* sub "44-12345-..." becomes "45-12345-..." */
	tok_make(&u, hs256, p, SECRET);
	dot = strrchr(t.s, '.');
	memcpy(u.s + (strrchr(u.s, '.') - u.s), dot, strlen(dot));
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);

	/* One character of the encoded payload changed in place. */
	memcpy(&u, &t, sizeof(t));
	dot = strchr(u.s, '.');
	u.s[dot - u.s + 5] = u.s[dot - u.s + 5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);

	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
}
END_TEST

START_TEST(test_tampered_signature)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];
	size_t			 sig, i;
	char			 orig;

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	tok_make(&t, hs256, p, SECRET);
	sig = (size_t)(strrchr(t.s, '.') - t.s) + 1;
	ck_assert_uint_eq(t.len - sig, 43);
	/* Every position, changed to another alphabet character. */
	for (i = sig; i < t.len; i++) {
		orig = t.s[i];
		t.s[i] = orig == 'A' ? 'Q' : 'A';
		ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
		t.s[i] = orig;
	}
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);

	/* Truncated and extended signatures. */
	t.len--;
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	t.len++;
	tok_append(&t, "A", 1);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

START_TEST(test_other_secret)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	tok_make(&t, hs256, p, "another-secret");
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	/* A secret that is a prefix of the right one. */
	tok_make(&t, hs256, p, "change-me-jw");
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

START_TEST(test_alg_none)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	/* The classic: alg none and an empty signature. */
	t.len = 0;
	tok_append_b64(&t, "{\"alg\":\"none\",\"typ\":\"JWT\"}", 26);
	tok_append(&t, ".", 1);
	tok_append_b64(&t, p, strlen(p));
	tok_append(&t, ".", 1);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);

	/* alg none even with a good HMAC. */
	tok_make(&t, "{\"alg\":\"none\"}", p, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

/* Headers that must fail although the HMAC over them is right. */
START_TEST(test_bad_headers)
{
	static const char	*bad[] = {
		"{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
		"{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256 \"}",
		"{\"alg\":\"HS2560\"}",
		"{\"alg\":\"HS256\\u0000\"}",
		"{\"typ\":\"JWT\"}",
		"{}",
		"{\"alg\":256}",
		"{\"alg\":null}",
		"{\"alg\":[\"HS256\"]}",
		"{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWS\"}",
		"{\"alg\":\"HS256\",\"typ\":1}",
		"{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
		"[\"HS256\"]",
		"\"HS256\"",
		"HS256",
		"{\"alg\":\"HS256\"",
		"{\"alg\":\"HS256\"}x",
		"{\"alg\":'HS256'}",
	};
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[512];
	size_t			 i;

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok_make(&t, bad[i], p, SECRET);
		ck_assert_msg(verify(&t, &c) == PW_JWT_INVALID,
		    "accepted header %s", bad[i]);
	}
}
END_TEST

START_TEST(test_parts)
{
	struct tok		 t, u;
	struct pw_jwt_claims	 c;
	char			 p[512], *dot1, *dot2;

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	tok_make(&t, hs256, p, SECRET);
	dot1 = strchr(t.s, '.');
	dot2 = strrchr(t.s, '.');

	/* Two parts: header.payload, and header.signature. */
	ck_assert_int_eq(pw_jwt_verify(t.s, (size_t)(dot2 - t.s), SECRET,
	    strlen(SECRET), NOW, &c), PW_JWT_INVALID);
	u.len = 0;
	tok_append(&u, t.s, (size_t)(dot1 - t.s));
	tok_append(&u, dot2, strlen(dot2));
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);

	/* One part, four parts, a trailing dot. */
	ck_assert_int_eq(pw_jwt_verify(t.s, (size_t)(dot1 - t.s), SECRET,
	    strlen(SECRET), NOW, &c), PW_JWT_INVALID);
	memcpy(&u, &t, sizeof(t));
	tok_append(&u, ".e30", 4);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	memcpy(&u, &t, sizeof(t));
	tok_append(&u, ".", 1);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	/* Four parts whose first three are signed. */
	u.len = 0;
	tok_append(&u, t.s, (size_t)(dot2 - t.s));
	tok_append(&u, ".e30", 4);
	tok_sign(&u, SECRET);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);

	/* Each part empty in turn. */
	u.len = 0;
	tok_append(&u, dot1, strlen(dot1));
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	tok_raw(&u, "", "e30", SECRET);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	u.len = 0;
	tok_append(&u, t.s, (size_t)(dot1 - t.s) + 1);
	tok_append(&u, dot2, strlen(dot2));
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	u.len = 0;
	tok_append(&u, t.s, (size_t)(dot2 - t.s) + 1);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	ck_assert_int_eq(pw_jwt_verify("..", 2, SECRET, strlen(SECRET), NOW,
	    &c), PW_JWT_INVALID);
	ck_assert_int_eq(pw_jwt_verify("", 0, SECRET, strlen(SECRET), NOW,
	    &c), PW_JWT_INVALID);

	/* Leading or trailing white space. */
	memcpy(&u, &t, sizeof(t));
	tok_append(&u, "\n", 1);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);
	u.len = 0;
	tok_append(&u, " ", 1);
	tok_append(&u, t.s, t.len);
	ck_assert_int_eq(verify(&u, &c), PW_JWT_INVALID);

	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
}
END_TEST

/* Good claims whose base64url has length % 4 == rem (white space pads). */
static void
payload_b64(char *out, size_t outsz, size_t rem)
{
	char	 p[512];
	size_t	 i, n;
	int	 r;

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	for (i = 0; i < 3; i++) {
		n = strlen(p);
		r = pw_b64url_encode((const uint8_t *)p, n, out, outsz);
		ck_assert_int_gt(r, 0);
		if ((size_t)r % 4 == rem)
			return;
		p[n] = ' ';
		p[n + 1] = '\0';
	}
	ck_abort_msg("no payload with length %% 4 == %zu", rem);
}

START_TEST(test_bad_base64url)
{
	static const char	 padhdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\" }";
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 h64[128], p64[1024], bad[1024], p[512];
	size_t			 hl, rem;

	claims_json(p, sizeof(p), NOW + 3600, NOW);
	ck_assert_int_ge(pw_b64url_encode((const uint8_t *)hs256,
	    strlen(hs256), h64, sizeof(h64)), 0);
	ck_assert_int_ge(pw_b64url_encode((const uint8_t *)p, strlen(p), p64,
	    sizeof(p64)), 0);
	tok_raw(&t, h64, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);

	/* '+', '/', '*' and a space in the payload, HMAC made over them. */
	snprintf(bad, sizeof(bad), "%s", p64);
	bad[4] = '+';
	tok_raw(&t, h64, bad, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	bad[4] = '/';
	tok_raw(&t, h64, bad, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	bad[4] = '*';
	tok_raw(&t, h64, bad, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	bad[4] = ' ';
	tok_raw(&t, h64, bad, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);

	/* And in the header. */
	snprintf(bad, sizeof(bad), "%s", h64);
	bad[2] = '+';
	tok_raw(&t, bad, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);

	/* A 28-byte header, which base64 would pad with "==". */
	hl = (size_t)pw_b64url_encode((const uint8_t *)padhdr,
	    strlen(padhdr), bad, sizeof(bad));
	ck_assert_uint_eq(hl % 4, 2);
	tok_raw(&t, bad, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	strlcat(bad, "==", sizeof(bad));
	tok_raw(&t, bad, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	bad[hl + 1] = '\0';
	tok_raw(&t, bad, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);

	/* An impossible length: a whole-quantum payload and one more. */
	payload_b64(p64, sizeof(p64), 0);
	tok_raw(&t, h64, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	strlcat(p64, "A", sizeof(p64));
	tok_raw(&t, h64, p64, SECRET);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);

	/*
	 * Nonzero unused bits: the next alphabet character sets the lowest
	 * unused bit and decodes to the same bytes, a second spelling.
	 */
	for (rem = 2; rem <= 3; rem++) {
		payload_b64(p64, sizeof(p64), rem);
		tok_raw(&t, h64, p64, SECRET);
		ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
		p64[strlen(p64) - 1]++;
		tok_raw(&t, h64, p64, SECRET);
		ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
	}

	/* A padded signature. */
	tok_raw(&t, h64, p64, SECRET);
	tok_append(&t, "=", 1);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

START_TEST(test_token_length)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;
	char			 p[4096];
	size_t			 pad;

	/* A padding claim sized so the whole token is 4096 bytes, then 4097. */
	for (pad = 2900; pad < 3100; pad++) {
		snprintf(p, sizeof(p), "{\"sub\":\"s\",\"game\":\"g\","
		    "\"provider\":\"p\",\"brand\":\"b\",\"currency\":\"usd\","
		    "\"exp\":1700003600,\"iat\":1700000000,\"x\":\"%*s\"}",
		    (int)pad, "");
		tok_make(&t, hs256, p, SECRET);
		if (t.len >= 4096)
			break;
	}
	ck_assert_uint_eq(t.len, 4096);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_OK);
	for (; t.len <= 4096; pad++) {
		snprintf(p, sizeof(p), "{\"sub\":\"s\",\"game\":\"g\","
		    "\"provider\":\"p\",\"brand\":\"b\",\"currency\":\"usd\","
		    "\"exp\":1700003600,\"iat\":1700000000,\"x\":\"%*s\"}",
		    (int)pad, "");
		tok_make(&t, hs256, p, SECRET);
	}
	ck_assert_uint_gt(t.len, 4096);
	ck_assert_int_eq(verify(&t, &c), PW_JWT_INVALID);
}
END_TEST

static Suite *
jwt_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jwt");

	tc = tcase_create("signature");
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_good_variants);
	tcase_add_test(tc, test_tampered_payload);
	tcase_add_test(tc, test_tampered_signature);
	tcase_add_test(tc, test_other_secret);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_bad_headers);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_bad_base64url);
	tcase_add_test(tc, test_token_length);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(jwt_suite()));
}
