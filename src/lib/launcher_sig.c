/*
 * The launcher's request signatures, contract v3.  Kept apart from the
 * HTTP code so that they can be tested and fuzzed on their own.
 *
 * Both MACs cover the method and the request target as well as the body,
 * so a captured request is worth nothing on another endpoint.  A start
 * also covers a timestamp and a nonce (remembered by the replay cache,
 * nonce.c); a session request covers its sequence number instead, which
 * the session's own replay window accepts once (launcher.c), so running
 * sessions never write a nonce.
 */
#include <stdint.h>
#include <string.h>

#include "pw_crypto.h"

/* The label session keys are derived under: used for nothing else. */
#define SESSION_KEY_LABEL	"playwaved launcher session key v3"

static int
token_char(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

/* 1 when s is min to max token characters. */
static int
token_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return (0);
	for (n = 0; s[n] != '\0'; n++)
		if (n == max || !token_char(s[n]))
			return (0);
	return (n >= min);
}

int
pw_launcher_nonce_ok(const char *nonce)
{
	return (token_ok(nonce, PW_NONCE_MIN, PW_NONCE_MAX));
}

int
pw_launcher_key_id_ok(const char *id)
{
	return (token_ok(id, 1, 32));
}

uint32_t
pw_launcher_seq(const char *s)
{
	uint64_t v = 0;
	size_t n;

	if (s == NULL || s[0] < '1' || s[0] > '9')
		return (0);	/* empty, a sign, a space or a leading zero */
	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n == 10)
			return (0);
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	return (v > UINT32_MAX ? 0 : (uint32_t)v);
}

static void
part(struct pw_hmac *h, const char *s)
{
	pw_hmac_update(h, s, strlen(s));
	pw_hmac_update(h, "\n", 1);
}

void
pw_launcher_start_mac(const void *key, size_t keylen,
    const struct pw_lsig_start *q, uint8_t mac[PW_SHA256_LEN])
{
	struct pw_hmac h;

	pw_hmac_init(&h, key, keylen);
	part(&h, q->method);
	part(&h, q->path);
	part(&h, q->ts);
	part(&h, q->nonce);
	pw_hmac_update(&h, q->body, q->len);
	pw_hmac_final(&h, mac);
}

/*
 * X-Timestamp: unix seconds as plain digits (strtonum(3) would also take
 * a sign and leading white space, which no launcher sends); -1 if not.
 */
static int64_t
timestamp(const char *s)
{
	int64_t t = 0;
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n == 12)
			return (-1);
		t = t * 10 + (s[n] - '0');
	}
	return (n > 0 ? t : -1);
}

int
pw_launcher_start_ok(const void *key, size_t keylen,
    const struct pw_lsig_start *q, int64_t now)
{
	uint8_t mac[PW_SHA256_LEN];
	int64_t t;

	if (q->method == NULL || q->path == NULL || q->ts == NULL ||
	    q->sig == NULL || !pw_launcher_nonce_ok(q->nonce))
		return (0);
	t = timestamp(q->ts);
	if (t < 0 || t < now - PW_LAUNCHER_SKEW || t > now + PW_LAUNCHER_SKEW)
		return (0);
	pw_launcher_start_mac(key, keylen, q, mac);
	return (pw_mac_equal_hex(mac, q->sig, strlen(q->sig)));
}

void
pw_launcher_session_mac(const uint8_t key[PW_SESSION_KEY_LEN],
    const struct pw_lsig_session *q, uint8_t mac[PW_SHA256_LEN])
{
	struct pw_hmac h;

	pw_hmac_init(&h, key, PW_SESSION_KEY_LEN);
	part(&h, q->method);
	part(&h, q->path);
	part(&h, q->seq);
	pw_hmac_update(&h, q->body, q->len);
	pw_hmac_final(&h, mac);
}

int
pw_launcher_session_ok(const uint8_t key[PW_SESSION_KEY_LEN],
    const struct pw_lsig_session *q)
{
	uint8_t mac[PW_SHA256_LEN];

	if (q->method == NULL || q->path == NULL || q->sig == NULL ||
	    pw_launcher_seq(q->seq) == 0)
		return (0);
	pw_launcher_session_mac(key, q, mac);
	return (pw_mac_equal_hex(mac, q->sig, strlen(q->sig)));
}

void
pw_session_kdf_init(struct pw_hmac *kdf, const uint8_t *secret, size_t len)
{
	uint8_t k[PW_SHA256_LEN];

	/* k_session: the store's secret under the label, used only here. */
	pw_hmac_sha256(secret, len, SESSION_KEY_LABEL,
	    sizeof(SESSION_KEY_LABEL) - 1, k);
	pw_hmac_init(kdf, k, sizeof(k));
	explicit_bzero(k, sizeof(k));
}

void
pw_session_key(const struct pw_hmac *kdf, const char *ls_id, size_t len,
    uint8_t out[PW_SESSION_KEY_LEN])
{
	struct pw_hmac h;

	h = *kdf;
	pw_hmac_update(&h, ls_id, len);
	pw_hmac_final(&h, out);
}
