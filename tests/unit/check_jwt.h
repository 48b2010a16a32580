/*
 * What the jwt test programs share.
 */
#ifndef CHECK_JWT_H
#define CHECK_JWT_H

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pw_crypto.h"

#define NOW		INT64_C(1700000000)
#define SECRET		"change-me-jwt"
#define TOKMAX		8192

static const char hs256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* A token under construction. */
struct tok {
	char	 s[TOKMAX];
	size_t	 len;
};

static inline void
tok_append(struct tok *t, const char *s, size_t n)
{
	ck_assert_uint_lt(t->len + n, sizeof(t->s));
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static inline void
tok_append_b64(struct tok *t, const void *data, size_t n)
{
	int	 r;

	r = pw_b64url_encode(data, n, t->s + t->len, sizeof(t->s) - t->len);
	ck_assert_int_ge(r, 0);
	t->len += (size_t)r;
}

/* Append "." and the base64url HMAC-SHA256 of everything so far. */
static inline void
tok_sign(struct tok *t, const char *secret)
{
	uint8_t	 mac[PW_SHA256_LEN];

	pw_hmac_sha256(secret, strlen(secret), t->s, t->len, mac);
	tok_append(t, ".", 1);
	tok_append_b64(t, mac, sizeof(mac));
}

/* header.payload from encoded text as given, signed with secret. */
static inline void
tok_raw(struct tok *t, const char *h64, const char *p64, const char *secret)
{
	t->len = 0;
	t->s[0] = '\0';
	tok_append(t, h64, strlen(h64));
	tok_append(t, ".", 1);
	tok_append(t, p64, strlen(p64));
	tok_sign(t, secret);
}

/* A signed token from header and payload JSON. */
static inline void
tok_make(struct tok *t, const char *header, const char *payload,
    const char *secret)
{
	t->len = 0;
	t->s[0] = '\0';
	tok_append_b64(t, header, strlen(header));
	tok_append(t, ".", 1);
	tok_append_b64(t, payload, strlen(payload));
	tok_sign(t, secret);
}

/* The standard claims with the given exp and iat, jti included. */
static inline void
claims_json(char *buf, size_t bufsz, int64_t exp, int64_t iat)
{
	int	 n;

	n = snprintf(buf, bufsz, "{\"sub\":\"44-12345-67890\","
	    "\"game\":\"fantasyquest\",\"provider\":\"gameprovider\","
	    "\"brand\":\"12345\",\"currency\":\"usd\",\"exp\":%" PRId64 ","
	    "\"iat\":%" PRId64 ",\"jti\":\"launch-1\"}", exp, iat);
	ck_assert(n > 0 && (size_t)n < bufsz);
}

static inline enum pw_jwt_result
verify(const struct tok *t, struct pw_jwt_claims *c)
{
	return (pw_jwt_verify(t->s, t->len, SECRET, strlen(SECRET), NOW, c));
}

/* Verify a payload signed correctly under the HS256 header. */
static inline enum pw_jwt_result
verify_payload(const char *payload)
{
	struct tok		 t;
	struct pw_jwt_claims	 c;

	tok_make(&t, hs256, payload, SECRET);
	return (verify(&t, &c));
}

#endif /* CHECK_JWT_H */
