/*
 * The launcher's request signature.  Kept apart from the HTTP
 * code so that it can be tested and fuzzed on its own.
 */
#include <stdlib.h>
#include <string.h>

#include "pw_crypto.h"

#define SKEW	300

int
pw_launcher_sig_ok(const char *secret, const char *ts, const char *sig,
    const void *body, size_t len, int64_t now)
{
	struct pw_hmac h;
	uint8_t mac[PW_SHA256_LEN];
	const char *e;
	long long t;

	if (ts == NULL || sig == NULL)
		return (0);
	t = strtonum(ts, 0, 1LL << 40, &e);
	if (e != NULL || t < now - SKEW || t > now + SKEW)
		return (0);
	pw_hmac_init(&h, secret, strlen(secret));
	pw_hmac_update(&h, ts, strlen(ts));
	pw_hmac_update(&h, ".", 1);
	pw_hmac_update(&h, body, len);
	pw_hmac_final(&h, mac);
	return (pw_mac_equal_hex(mac, sig, strlen(sig)));
}
