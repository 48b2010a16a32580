/*
 * libFuzzer harness for pw_jwt_verify.
 *
 * A random input almost never carries a valid HMAC, which would leave
 * the JSON and claim code unreached; so each input is verified twice:
 * as given, and re-signed with the harness's secret so that the header
 * and payload parsers behind the signature check are fuzzed as well.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pw_crypto.h"

#define FUZZ_SECRET	"fuzz-secret"
#define FUZZ_NOW	INT64_C(1700000000)
#define FUZZ_MAX	8192

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What a success promises the caller; anything else is a bug. */
static void
check_claims(enum pw_jwt_result r, const struct pw_jwt_claims *c)
{
	if (r != PW_JWT_OK && r != PW_JWT_EXPIRED) {
		if (r != PW_JWT_INVALID || c->sub[0] != '\0')
			abort();
		return;
	}
	if (c->sub[0] == '\0' || c->game[0] == '\0' ||
	    c->provider[0] == '\0' || c->brand[0] == '\0' ||
	    c->currency[0] == '\0')
		abort();
	if (memchr(c->sub, '\0', sizeof(c->sub)) == NULL ||
	    memchr(c->game, '\0', sizeof(c->game)) == NULL ||
	    memchr(c->provider, '\0', sizeof(c->provider)) == NULL ||
	    memchr(c->brand, '\0', sizeof(c->brand)) == NULL ||
	    memchr(c->currency, '\0', sizeof(c->currency)) == NULL ||
	    memchr(c->jti, '\0', sizeof(c->jti)) == NULL)
		abort();
	if ((r == PW_JWT_OK) != (c->exp > FUZZ_NOW))
		abort();
	if (c->iat > FUZZ_NOW + 60)
		abort();
}

static void
verify(const char *tok, size_t len)
{
	struct pw_jwt_claims	 c;
	enum pw_jwt_result	 r;

	r = pw_jwt_verify(tok, len, FUZZ_SECRET, strlen(FUZZ_SECRET),
	    FUZZ_NOW, &c);
	check_claims(r, &c);
}

/* The input up to its last '.' (all of it if it has fewer than two). */
static size_t
signed_len(const uint8_t *data, size_t size)
{
	size_t	 i, ndots, last;

	for (i = 0, ndots = 0, last = 0; i < size; i++)
		if (data[i] == '.') {
			ndots++;
			last = i;
		}
	return (ndots >= 2 ? last : size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 siglen = 43;
	uint8_t			 mac[PW_SHA256_LEN];
	char			*tok;
	size_t			 n;

	/* A heap copy of the exact size, so ASan sees any over-read. */
	if (size == 0)
		verify("", 0);
	else if ((tok = malloc(size)) != NULL) {
		memcpy(tok, data, size);
		verify(tok, size);
		free(tok);
	}

	n = signed_len(data, size);
	if (n > FUZZ_MAX)
		return (0);
	if ((tok = malloc(n + 1 + siglen + 1)) == NULL)
		return (0);
	if (n > 0)
		memcpy(tok, data, n);
	pw_hmac_sha256(FUZZ_SECRET, strlen(FUZZ_SECRET), tok, n, mac);
	tok[n] = '.';
	if (pw_b64url_encode(mac, sizeof(mac), tok + n + 1, siglen + 1) !=
	    (int)siglen)
		abort();
	verify(tok, n + 1 + siglen);
	free(tok);
	return (0);
}
