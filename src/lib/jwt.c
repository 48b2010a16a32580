/*
 * base64url and HS256 compact JWTs (RFC 7515, RFC 7519).
 *
 * The launch token arrives from an untrusted client, so the parser is
 * strict everywhere and the signature is checked before any JSON is
 * parsed: nothing the token says is looked at until it is authenticated.
 * All buffers are on the stack and bounded by JWT_MAXLEN.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pw_crypto.h"
#include "pw_json.h"

#define JWT_MAXLEN	4096		/* longest token accepted, bytes */
#define JWT_MAXPART	(JWT_MAXLEN / 4 * 3)	/* its longest decoded part */
#define JWT_IAT_SKEW	60		/* seconds iat may lie ahead */
#define JWT_SIGLEN	43		/* base64url of 32 bytes, unpadded */

/* A base64url part decoded and parsed as one strict JSON object. */
static int
part_json(const char *s, size_t len, uint8_t *buf, size_t bufsz,
    struct pw_json *js)
{
	const char	*why;
	int		 n;

	if ((n = pw_b64url_decode(s, len, buf, bufsz)) <= 0)
		return (-1);
	return (pw_json_parse(js, (const char *)buf, (size_t)n, &why));
}

/* Whether member key is a string equal to want; -1 when absent. */
static int
json_str_is(const struct pw_json *js, const char *key, const char *want)
{
	char	 v[16];
	int	 tok;

	if ((tok = pw_json_get(js, key)) == -1)
		return (-1);
	if (pw_json_string(js, tok, v, sizeof(v)) < 0)
		return (0);
	return (strcmp(v, want) == 0);
}

/*
 * Only HS256 is accepted; the alg is compared exactly, so "none",
 * "hs256" and every other algorithm fail.  A "crit" member names
 * extensions we would have to understand (RFC 7515 4.1.11): refuse it.
 */
static int
header_ok(const char *s, size_t len, uint8_t *buf, size_t bufsz)
{
	struct pw_json	 js;

	if (part_json(s, len, buf, bufsz, &js) == -1)
		return (0);
	if (json_str_is(&js, "alg", "HS256") != 1)
		return (0);
	if (json_str_is(&js, "typ", "JWT") == 0)
		return (0);
	if (pw_json_get(&js, "crit") != -1)
		return (0);
	return (1);
}

/* A string claim of 1 to outsz - 1 bytes, no NUL; 0 or -1. */
static int
claim_str(const struct pw_json *js, const char *key, char *out, size_t outsz)
{
	int	 tok;

	if ((tok = pw_json_get(js, key)) == -1)
		return (-1);
	if (pw_json_string(js, tok, out, outsz) <= 0)
		return (-1);
	return (0);
}

static int
claim_int(const struct pw_json *js, const char *key, int64_t *out)
{
	int	 tok;

	if ((tok = pw_json_get(js, key)) == -1)
		return (-1);
	return (pw_json_int64(js, tok, out));
}

static int
claims_parse(const char *s, size_t len, uint8_t *buf, size_t bufsz,
    struct pw_jwt_claims *c)
{
	struct pw_json	 js;

	if (part_json(s, len, buf, bufsz, &js) == -1)
		return (-1);
	if (claim_str(&js, "sub", c->sub, sizeof(c->sub)) == -1 ||
	    claim_str(&js, "game", c->game, sizeof(c->game)) == -1 ||
	    claim_str(&js, "provider", c->provider, sizeof(c->provider)) == -1 ||
	    claim_str(&js, "brand", c->brand, sizeof(c->brand)) == -1 ||
	    claim_str(&js, "currency", c->currency, sizeof(c->currency)) == -1 ||
	    claim_int(&js, "exp", &c->exp) == -1 ||
	    claim_int(&js, "iat", &c->iat) == -1)
		return (-1);
	/* jti is optional, but when present it is a claim like the rest. */
	if (pw_json_get(&js, "jti") != -1 &&
	    claim_str(&js, "jti", c->jti, sizeof(c->jti)) == -1)
		return (-1);
	return (0);
}

/* Constant-time check of the signature part against "header.payload". */
static int
signature_ok(const char *signed_part, size_t signed_len, const char *sig,
    size_t siglen, const void *secret, size_t secretlen)
{
	uint8_t	 want[PW_SHA256_LEN], got[PW_SHA256_LEN];
	int	 ok;

	if (siglen != JWT_SIGLEN ||
	    pw_b64url_decode(sig, siglen, got, sizeof(got)) != PW_SHA256_LEN)
		return (0);
	pw_hmac_sha256(secret, secretlen, signed_part, signed_len, want);
	ok = pw_timingsafe_bcmp(want, got, sizeof(want)) == 0;
	explicit_bzero(want, sizeof(want));
	return (ok);
}

/*
 * Lengths of the header and payload of header.payload.signature, all
 * three non-empty; 0 or -1.  A third dot is left in the signature part,
 * where it fails as base64url.
 */
static int
split3(const char *tok, size_t len, size_t *hlen, size_t *plen)
{
	const char	*dot1, *dot2;

	if ((dot1 = memchr(tok, '.', len)) == NULL)
		return (-1);
	*hlen = (size_t)(dot1 - tok);
	if ((dot2 = memchr(dot1 + 1, '.', len - *hlen - 1)) == NULL)
		return (-1);
	*plen = (size_t)(dot2 - dot1 - 1);
	if (*hlen == 0 || *plen == 0 || *hlen + *plen + 2 == len)
		return (-1);
	return (0);
}

/* Whether iat lies more than the allowed skew after now, overflow-free. */
static int
iat_in_future(int64_t iat, int64_t now)
{
	return (iat > now && (uint64_t)iat - (uint64_t)now > JWT_IAT_SKEW);
}

enum pw_jwt_result
pw_jwt_verify(const char *tok, size_t len, const void *secret,
    size_t secretlen, int64_t now, struct pw_jwt_claims *out)
{
	struct pw_jwt_claims	 c;
	uint8_t			 buf[JWT_MAXPART];
	size_t			 hlen, plen, slen;
	enum pw_jwt_result	 res;

	memset(&c, 0, sizeof(c));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (tok == NULL || len == 0 || len > JWT_MAXLEN ||
	    split3(tok, len, &hlen, &plen) == -1)
		return (PW_JWT_INVALID);
	slen = len - hlen - plen - 2;

	if (!signature_ok(tok, hlen + 1 + plen, tok + hlen + plen + 2, slen,
	    secret, secretlen))
		return (PW_JWT_INVALID);
	if (!header_ok(tok, hlen, buf, sizeof(buf)) ||
	    claims_parse(tok + hlen + 1, plen, buf, sizeof(buf), &c) == -1 ||
	    iat_in_future(c.iat, now))
		res = PW_JWT_INVALID;
	else if (c.exp <= now)
		res = PW_JWT_EXPIRED;
	else
		res = PW_JWT_OK;

	if (res != PW_JWT_INVALID && out != NULL)
		*out = c;
	explicit_bzero(buf, sizeof(buf));
	return (res);
}
