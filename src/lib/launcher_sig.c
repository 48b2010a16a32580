/*
 * The launcher's request signature, contract v2.  Kept apart
 * from the HTTP code so that it can be tested and fuzzed on its own.
 *
 * The MAC covers the method and the request target as well as the
 * timestamp, the nonce and the body, so a captured request is worth
 * nothing on another endpoint, and the nonce (remembered by the replay
 * cache, nonce.c) makes it worth nothing a second time.
 */
#include <stdlib.h>
#include <string.h>

#include "pw_crypto.h"

int
pw_launcher_nonce_ok(const char *nonce)
{
	size_t n;
	char c;

	if (nonce == NULL)
		return (0);
	for (n = 0; (c = nonce[n]) != '\0'; n++) {
		if (n == PW_NONCE_MAX)
			return (0);
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return (0);
	}
	return (n >= PW_NONCE_MIN);
}

void
pw_launcher_sig_mac(const char *secret, const struct pw_lsig *q,
    uint8_t mac[PW_SHA256_LEN])
{
	struct pw_hmac h;

	pw_hmac_init(&h, secret, strlen(secret));
	pw_hmac_update(&h, q->method, strlen(q->method));
	pw_hmac_update(&h, "\n", 1);
	pw_hmac_update(&h, q->path, strlen(q->path));
	pw_hmac_update(&h, "\n", 1);
	pw_hmac_update(&h, q->ts, strlen(q->ts));
	pw_hmac_update(&h, "\n", 1);
	pw_hmac_update(&h, q->nonce, strlen(q->nonce));
	pw_hmac_update(&h, "\n", 1);
	pw_hmac_update(&h, q->body, q->len);
	pw_hmac_final(&h, mac);
}

int
pw_launcher_sig_ok(const char *secret, const struct pw_lsig *q, int64_t now)
{
	uint8_t mac[PW_SHA256_LEN];
	const char *e;
	long long t;

	if (q->method == NULL || q->path == NULL || q->ts == NULL ||
	    q->sig == NULL || !pw_launcher_nonce_ok(q->nonce))
		return (0);
	t = strtonum(q->ts, 0, 1LL << 40, &e);
	if (e != NULL || t < now - PW_LAUNCHER_SKEW ||
	    t > now + PW_LAUNCHER_SKEW)
		return (0);
	pw_launcher_sig_mac(secret, q, mac);
	return (pw_mac_equal_hex(mac, q->sig, strlen(q->sig)));
}
