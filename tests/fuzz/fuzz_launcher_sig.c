/*
 * libFuzzer harness for pw_launcher_sig_ok, the launcher's request
 * signature check.
 *
 * The input is "ts\nsig\nbody": the X-Timestamp and X-Signature headers
 * and the raw body (a part that is missing is a missing header).  A
 * random signature is never right, so each input is also checked with
 * the signature computed here, in lowercase and in uppercase, and with
 * one digit of it changed: the accept path and the timestamp window are
 * then judged against strtoll(3) and a clock fixed at FUZZ_NOW.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pw_crypto.h"

#define FUZZ_SECRET	"fuzz-launcher-secret"
#define FUZZ_NOW	INT64_C(1700000000)
#define FUZZ_SKEW	300
#define FUZZ_MAX	16384

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A NUL-terminated heap copy of exactly n bytes plus the NUL. */
static char *
cstr(const uint8_t *p, size_t n)
{
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

/* Whether ts is a timestamp inside the window, by strtoll(3). */
static int
ts_in_window(const char *ts)
{
	char		*end;
	long long	 t;

	errno = 0;
	t = strtoll(ts, &end, 10);
	if (end == ts || *end != '\0' || errno == ERANGE)
		return (0);
	if (t < 0 || t > (1LL << 40))
		return (0);
	return (t >= FUZZ_NOW - FUZZ_SKEW && t <= FUZZ_NOW + FUZZ_SKEW);
}

/* The signature as the launcher makes it: hex HMAC of ts "." body. */
static void
sign(const char *ts, const uint8_t *body, size_t len, char hex[65])
{
	uint8_t	 mac[PW_SHA256_LEN], *msg;
	size_t	 tlen = strlen(ts);

	if ((msg = malloc(tlen + 1 + len)) == NULL)
		abort();
	memcpy(msg, ts, tlen);
	msg[tlen] = '.';
	if (len > 0)
		memcpy(msg + tlen + 1, body, len);
	pw_hmac_sha256(FUZZ_SECRET, strlen(FUZZ_SECRET), msg, tlen + 1 + len,
	    mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	free(msg);
}

static int
sig_ok(const char *ts, const char *sig, const uint8_t *body, size_t len)
{
	int	 rc;

	rc = pw_launcher_sig_ok(FUZZ_SECRET, ts, sig, body, len, FUZZ_NOW);
	if (rc != 0 && rc != 1)
		abort();
	return (rc);
}

/* The fuzzed headers as given: accepted only if truly right. */
static void
check_given(const char *ts, const char *sig, const uint8_t *body,
    size_t len)
{
	char	 want[65];

	if (!sig_ok(ts, sig, body, len))
		return;
	if (ts == NULL || sig == NULL || !ts_in_window(ts))
		abort();
	sign(ts, body, len, want);
	if (strlen(sig) != 64 || strncasecmp(sig, want, 64) != 0)
		abort();
}

/* The right signature for the fuzzed ts, in both cases, and a wrong one. */
static void
check_signed(const char *ts, const uint8_t *body, size_t len)
{
	char	 hex[65];
	int	 want, i;

	sign(ts, body, len, hex);
	want = ts_in_window(ts);
	if (sig_ok(ts, hex, body, len) != want)
		abort();
	for (i = 0; i < 64; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	if (sig_ok(ts, hex, body, len) != want)
		abort();
	hex[len % 64] = hex[len % 64] == '0' ? '1' : '0';
	if (sig_ok(ts, hex, body, len) != 0)
		abort();
	hex[len % 64] = '\0';
	if (sig_ok(ts, hex, body, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl1, *nl2, *body;
	char		*ts = NULL, *sig = NULL;
	uint8_t		*bcopy;
	size_t		 blen;

	if (size > FUZZ_MAX)
		return (0);
	body = data;
	blen = size;
	if ((nl1 = memchr(data, '\n', size)) != NULL) {
		ts = cstr(data, (size_t)(nl1 - data));
		body = nl1 + 1;
		blen = size - (size_t)(body - data);
		if ((nl2 = memchr(body, '\n', blen)) != NULL) {
			sig = cstr(body, (size_t)(nl2 - body));
			body = nl2 + 1;
			blen = size - (size_t)(body - data);
		}
	}
	/* An exact-size copy, so that ASan sees a read past the body. */
	if ((bcopy = malloc(blen > 0 ? blen : 1)) == NULL)
		abort();
	if (blen > 0)
		memcpy(bcopy, body, blen);

	check_given(ts, sig, bcopy, blen);
	if (ts != NULL)
		check_signed(ts, bcopy, blen);
	else if (sig_ok(NULL, "", bcopy, blen) != 0)
		abort();
	/* The current time is always in the window. */
	check_signed("1700000000", bcopy, blen);

	free(bcopy);
	free(sig);
	free(ts);
	return (0);
}
