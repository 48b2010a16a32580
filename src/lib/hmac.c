/*
 * SHA-256 and HMAC-SHA256 (RFC 2104).
 *
 * The hash is the operating system's (libmd's SHA256*); only the HMAC
 * construction lives here.
 */
#include <sys/types.h>

#include <sha2.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pw_crypto.h"

#define HMAC_BLOCK	SHA256_BLOCK_LENGTH
#define HMAC_IPAD	0x36
#define HMAC_OPAD	0x5c

_Static_assert(sizeof(SHA2_CTX) <= sizeof(((struct pw_hmac *)0)->ctx),
    "struct pw_hmac is too small for a SHA2_CTX");
_Static_assert(sizeof(((struct pw_hmac *)0)->okey) == HMAC_BLOCK,
    "struct pw_hmac okey must be one SHA-256 block");
_Static_assert(SHA256_DIGEST_LENGTH == PW_SHA256_LEN,
    "SHA-256 digest length");

/*
 * The context is kept as bytes so the header need not include <sha2.h>;
 * it is copied in and out rather than cast, which keeps alignment and
 * aliasing out of the question.
 */
static void
ctx_load(const struct pw_hmac *h, SHA2_CTX *ctx)
{
	memcpy(ctx, h->ctx, sizeof(*ctx));
}

static void
ctx_store(struct pw_hmac *h, SHA2_CTX *ctx)
{
	memcpy(h->ctx, ctx, sizeof(*ctx));
	explicit_bzero(ctx, sizeof(*ctx));
}

#if !defined(HAVE_TIMINGSAFE_BCMP) && \
    (defined(__OpenBSD__) || defined(__FreeBSD__))
#define HAVE_TIMINGSAFE_BCMP	1
#endif

int
pw_timingsafe_bcmp(const void *a, const void *b, size_t n)
{
#ifdef HAVE_TIMINGSAFE_BCMP
	return (timingsafe_bcmp(a, b, n));
#else
	/*
	 * Every byte is visited and the differences are only ORed, so the
	 * time does not depend on where the first difference is; volatile
	 * keeps the compiler from turning the loop into an early exit.
	 */
	const volatile uint8_t	*pa = a, *pb = b;
	uint8_t			 diff = 0;
	size_t			 i;

	for (i = 0; i < n; i++)
		diff |= pa[i] ^ pb[i];
	return (diff != 0);
#endif
}

void
pw_sha256(const void *msg, size_t len, uint8_t out[PW_SHA256_LEN])
{
	SHA2_CTX	 ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, msg, len);
	SHA256Final(out, &ctx);
}

void
pw_hmac_init(struct pw_hmac *h, const void *key, size_t keylen)
{
	SHA2_CTX	 ctx;
	uint8_t		 k[HMAC_BLOCK], ipad[HMAC_BLOCK];
	size_t		 i;

	/* A key longer than a block is replaced by its hash (RFC 2104 2). */
	memset(k, 0, sizeof(k));
	if (keylen > HMAC_BLOCK)
		pw_sha256(key, keylen, k);
	else if (keylen > 0)
		memcpy(k, key, keylen);

	for (i = 0; i < HMAC_BLOCK; i++) {
		ipad[i] = k[i] ^ HMAC_IPAD;
		h->okey[i] = k[i] ^ HMAC_OPAD;
	}
	SHA256Init(&ctx);
	SHA256Update(&ctx, ipad, sizeof(ipad));
	ctx_store(h, &ctx);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(ipad, sizeof(ipad));
}

void
pw_hmac_update(struct pw_hmac *h, const void *msg, size_t len)
{
	SHA2_CTX	 ctx;

	ctx_load(h, &ctx);
	SHA256Update(&ctx, msg, len);
	ctx_store(h, &ctx);
}

/* Finishes the MAC and wipes the key material from h. */
void
pw_hmac_final(struct pw_hmac *h, uint8_t out[PW_SHA256_LEN])
{
	SHA2_CTX	 ctx;
	uint8_t		 inner[PW_SHA256_LEN];

	ctx_load(h, &ctx);
	SHA256Final(inner, &ctx);

	SHA256Init(&ctx);
	SHA256Update(&ctx, h->okey, sizeof(h->okey));
	SHA256Update(&ctx, inner, sizeof(inner));
	SHA256Final(out, &ctx);

	explicit_bzero(inner, sizeof(inner));
	explicit_bzero(h, sizeof(*h));
}

void
pw_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
    uint8_t out[PW_SHA256_LEN])
{
	struct pw_hmac	 h;

	pw_hmac_init(&h, key, keylen);
	pw_hmac_update(&h, msg, len);
	pw_hmac_final(&h, out);
}

int
pw_mac_equal_hex(const uint8_t mac[PW_SHA256_LEN], const char *hex,
    size_t hexlen)
{
	uint8_t	 theirs[PW_SHA256_LEN];
	int	 eq;

	if (hex == NULL ||
	    pw_hex_decode(hex, hexlen, theirs, sizeof(theirs)) == -1)
		return (0);
	eq = pw_timingsafe_bcmp(mac, theirs, sizeof(theirs)) == 0;
	explicit_bzero(theirs, sizeof(theirs));
	return (eq);
}
