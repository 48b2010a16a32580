/*
 * libFuzzer harness for pw_launcher_sig_ok, the launcher's request
 * signature check, contract v2.
 *
 * The input is "method\npath\nts\nnonce\nsig\nbody": the request's method
 * and target, the X-Timestamp, X-Nonce and X-Signature headers and the
 * raw body (a part that is missing is a missing header).  A random
 * signature is never right, so each input is also checked with the
 * signature computed here, from the message built independently, in
 * lowercase and in uppercase, with one digit of it changed, and with
 * the method, path and nonce altered: the accept path, the nonce syntax
 * and the timestamp window are judged against strtoll(3), a clock fixed
 * at FUZZ_NOW and the grammar written out again below.
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
#define NPARTS		5	/* before the body */

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

/* X-Nonce: 16 to 64 of [A-Za-z0-9_-]. */
static int
nonce_valid(const char *n)
{
	size_t	 i, len = strlen(n);

	if (len < 16 || len > 64)
		return (0);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_' &&
		    n[i] != '-')
			return (0);
	return (1);
}

/* The signature as the launcher makes it, from one flat message. */
static void
sign(const struct pw_lsig *q, char hex[65])
{
	const char	*part[4] = { q->method, q->path, q->ts, q->nonce };
	uint8_t		 mac[PW_SHA256_LEN], *msg;
	size_t		 n = 0, cap = q->len + 4, i, l;

	for (i = 0; i < 4; i++)
		cap += strlen(part[i]);
	if ((msg = malloc(cap)) == NULL)
		abort();
	for (i = 0; i < 4; i++) {
		l = strlen(part[i]);
		memcpy(msg + n, part[i], l);
		n += l;
		msg[n++] = '\n';
	}
	if (q->len > 0)
		memcpy(msg + n, q->body, q->len);
	n += q->len;
	pw_hmac_sha256(FUZZ_SECRET, strlen(FUZZ_SECRET), msg, n, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	free(msg);
}

static int
sig_ok(const struct pw_lsig *q)
{
	int	 rc;

	rc = pw_launcher_sig_ok(FUZZ_SECRET, q, FUZZ_NOW);
	if (rc != 0 && rc != 1)
		abort();
	if (rc != 0 && q->nonce != NULL &&
	    pw_launcher_nonce_ok(q->nonce) != nonce_valid(q->nonce))
		abort();
	return (rc);
}

/* The fuzzed headers as given: accepted only if truly right. */
static void
check_given(const struct pw_lsig *q)
{
	char	 want[65];

	if (!sig_ok(q))
		return;
	if (q->method == NULL || q->path == NULL || q->ts == NULL ||
	    q->nonce == NULL || q->sig == NULL || !ts_in_window(q->ts) ||
	    !nonce_valid(q->nonce))
		abort();
	sign(q, want);
	if (strlen(q->sig) != 64 || strncasecmp(q->sig, want, 64) != 0)
		abort();
}

/*
 * The same part with its last character changed to another letter
 * (or "a" for an empty one): still well-formed, and signed differently.
 */
static void
other_part(const char **part, char *buf, size_t size)
{
	size_t	 n = strlen(*part);

	if (n + 2 > size) {
		*part = "a";
		return;
	}
	memcpy(buf, *part, n + 1);
	if (n == 0)
		buf[n++] = 'a';
	else
		buf[n - 1] = buf[n - 1] == 'a' ? 'b' : 'a';
	buf[n] = '\0';
	*part = buf;
}

/* The right signature, in both cases, a wrong one, and other contexts. */
static void
check_signed(struct pw_lsig q)
{
	char	 hex[65], other[65], pbuf[FUZZ_MAX + 2], nbuf[FUZZ_MAX + 2];
	const char *path = q.path, *nonce = q.nonce;
	int	 want, i;

	sign(&q, hex);
	q.sig = hex;
	want = ts_in_window(q.ts) && nonce_valid(q.nonce);
	if (sig_ok(&q) != want)
		abort();
	for (i = 0; i < 64; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	if (sig_ok(&q) != want)
		abort();
	/* Another method, path or nonce: the same signature is wrong. */
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	if (sig_ok(&q) != 0)
		abort();
	sign(&q, other);
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	q.sig = other;
	if (sig_ok(&q) != 0)
		abort();
	q.sig = hex;
	other_part(&q.path, pbuf, sizeof(pbuf));
	if (sig_ok(&q) != 0)
		abort();
	q.path = path;
	other_part(&q.nonce, nbuf, sizeof(nbuf));
	if (sig_ok(&q) != 0)
		abort();
	q.nonce = nonce;
	hex[q.len % 64] = hex[q.len % 64] == '0' ? '1' : '0';
	if (sig_ok(&q) != 0)
		abort();
	hex[q.len % 64] = '\0';
	if (sig_ok(&q) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_lsig	 q;
	char		*part[NPARTS] = { NULL };
	const uint8_t	*nl, *body = data;
	uint8_t		*bcopy;
	size_t		 blen = size;
	int		 i;

	if (size > FUZZ_MAX)
		return (0);
	for (i = 0; i < NPARTS; i++) {
		if ((nl = memchr(body, '\n', blen)) == NULL)
			break;
		part[i] = cstr(body, (size_t)(nl - body));
		blen -= (size_t)(nl - body) + 1;
		body = nl + 1;
	}
	/* An exact-size copy, so that ASan sees a read past the body. */
	if ((bcopy = malloc(blen > 0 ? blen : 1)) == NULL)
		abort();
	if (blen > 0)
		memcpy(bcopy, body, blen);
	q.method = part[0];
	q.path = part[1];
	q.ts = part[2];
	q.nonce = part[3];
	q.sig = part[4];
	q.body = bcopy;
	q.len = blen;

	check_given(&q);
	if (i >= 4)
		check_signed(q);
	/* The current time and a valid nonce are always accepted. */
	q.method = "POST";
	q.path = "/v1/launcher/ott";
	q.ts = "1700000000";
	q.nonce = "0123456789abcdef_-XY";
	check_signed(q);

	free(bcopy);
	for (i = 0; i < NPARTS; i++)
		free(part[i]);
	return (0);
}
