/*
 * SHA-256, HMAC-SHA256 and constant-time comparison.
 *
 * The hash is the operating system's (libmd's SHA256*); HMAC-SHA256 and
 * the comparison are libsodium's (crypto_auth_hmacsha256, sodium_memcmp),
 * so no cryptographic construction is written here.
 */
#include <sys/types.h>

#include <sha2.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "pw_crypto.h"

_Static_assert(SHA256_DIGEST_LENGTH == PW_SHA256_LEN,
    "SHA-256 digest length");
_Static_assert(crypto_auth_hmacsha256_BYTES == PW_SHA256_LEN,
    "HMAC-SHA256 length");

int
pw_timingsafe_bcmp(const void *a, const void *b, size_t n)
{
	return (n == 0 ? 0 : sodium_memcmp(a, b, n) != 0);
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
	(void)crypto_auth_hmacsha256_init(&h->st, key, keylen);
}

void
pw_hmac_update(struct pw_hmac *h, const void *msg, size_t len)
{
	(void)crypto_auth_hmacsha256_update(&h->st, msg, len);
}

/* Finishes the MAC and wipes the key material from h. */
void
pw_hmac_final(struct pw_hmac *h, uint8_t out[PW_SHA256_LEN])
{
	(void)crypto_auth_hmacsha256_final(&h->st, out);
	sodium_memzero(h, sizeof(*h));
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
	sodium_memzero(theirs, sizeof(theirs));
	return (eq);
}
