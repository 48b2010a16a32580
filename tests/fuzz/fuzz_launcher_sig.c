/*
 * libFuzzer harness for the launcher's request signatures, contract v3:
 * pw_launcher_start_ok (a session start: X-Timestamp, X-Nonce), the
 * session request's pw_launcher_session_ok (X-Seq) and the header
 * grammars pw_launcher_seq, pw_launcher_nonce_ok, pw_launcher_key_id_ok.
 *
 * The input is "kind\nmethod\npath\nA\nB\nsig\nbody": kind 's' for a start
 * (A is X-Timestamp, B X-Nonce) or anything else for a session request (A
 * is X-Seq, B an X-Key-Id to judge); a part that is missing is a missing
 * header.  A random signature is never right, so each input is also
 * checked with the signature computed here, from the message built
 * independently, in both cases of hex, with one digit changed, and with
 * the method, path and nonce or seq altered: the accept path, the
 * grammars and the timestamp window are judged against strtoll(3), a
 * clock fixed at FUZZ_NOW and the grammars written out again below.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pw_crypto.h"

#define FUZZ_KEY	"fuzz-launcher-start-key"
#define FUZZ_NOW	INT64_C(1700000000)
#define FUZZ_SKEW	300
#define FUZZ_MAX	16384
#define NPARTS		6	/* before the body */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t session_key[PW_SESSION_KEY_LEN] = "fuzz-session-key-32-bytes-long!";

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

static int
ts_in_window(const char *ts)
{
	char		*end;
	long long	 t;

	errno = 0;
	t = strtoll(ts, &end, 10);
	if (end == ts || *end != '\0' || errno == ERANGE)
		return (0);
	if (t < 0 || t > (1LL << 40) || strspn(ts, "0123456789") != strlen(ts))
		return (0);
	return (t >= FUZZ_NOW - FUZZ_SKEW && t <= FUZZ_NOW + FUZZ_SKEW);
}

static int
token(const char *s, size_t min, size_t max)
{
	size_t	 i, len = strlen(s);

	if (len < min || len > max)
		return (0);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return (0);
	return (1);
}

/* X-Seq by strtoull: plain digits, no leading zero, 1 to 2^32 - 1. */
static uint32_t
seq_value(const char *s)
{
	unsigned long long v;
	char	*end;
	size_t	 i;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 10)
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return (0);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return (0);
	return ((uint32_t)v);
}

/* The signature as a launcher makes it, from one flat message. */
static void
sign(const void *key, size_t keylen, const char **part, size_t nparts,
    const void *body, size_t len, char hex[65])
{
	uint8_t		 mac[PW_SHA256_LEN], *msg;
	size_t		 n = 0, cap = len + nparts, i, l;

	for (i = 0; i < nparts; i++)
		cap += strlen(part[i]);
	if ((msg = malloc(cap)) == NULL)
		abort();
	for (i = 0; i < nparts; i++) {
		l = strlen(part[i]);
		memcpy(msg + n, part[i], l);
		n += l;
		msg[n++] = '\n';
	}
	if (len > 0)
		memcpy(msg + n, body, len);
	n += len;
	pw_hmac_sha256(key, keylen, msg, n, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	free(msg);
}

static void
sign_start(const struct pw_lsig_start *q, char hex[65])
{
	const char *part[4] = { q->method, q->path, q->ts, q->nonce };

	sign(FUZZ_KEY, strlen(FUZZ_KEY), part, 4, q->body, q->len, hex);
}

static void
sign_session(const struct pw_lsig_session *q, char hex[65])
{
	const char *part[3] = { q->method, q->path, q->seq };

	sign(session_key, sizeof(session_key), part, 3, q->body, q->len, hex);
}

static int
start_ok(const struct pw_lsig_start *q)
{
	int	 rc;

	rc = pw_launcher_start_ok(FUZZ_KEY, strlen(FUZZ_KEY), q, FUZZ_NOW);
	if (rc != 0 && rc != 1)
		abort();
	return (rc);
}

static int
session_ok(const struct pw_lsig_session *q)
{
	int	 rc;

	rc = pw_launcher_session_ok(session_key, q);
	if (rc != 0 && rc != 1)
		abort();
	return (rc);
}

/* The same part with its last character changed (or "a" for none). */
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

static void
flip(char hex[65], size_t at)
{
	hex[at % 64] = hex[at % 64] == '0' ? '1' : '0';
}

static void
check_start(struct pw_lsig_start q)
{
	char	 hex[65], want[65], buf[FUZZ_MAX + 2];
	const char *path = q.path, *nonce = q.nonce;
	int	 good, i;

	/* As given: accepted only if truly right. */
	if (start_ok(&q)) {
		if (!ts_in_window(q.ts) || !token(q.nonce, 16, 64))
			abort();
		sign_start(&q, want);
		if (strlen(q.sig) != 64 || strncasecmp(q.sig, want, 64) != 0)
			abort();
	}
	sign_start(&q, hex);
	q.sig = hex;
	good = ts_in_window(q.ts) && token(q.nonce, 16, 64);
	if (start_ok(&q) != good ||
	    pw_launcher_nonce_ok(q.nonce) != token(q.nonce, 16, 64))
		abort();
	for (i = 0; i < 64; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	if (start_ok(&q) != good)
		abort();
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	if (start_ok(&q) != 0)
		abort();
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	other_part(&q.path, buf, sizeof(buf));
	if (start_ok(&q) != 0)
		abort();
	q.path = path;
	other_part(&q.nonce, buf, sizeof(buf));
	if (start_ok(&q) != 0)
		abort();
	q.nonce = nonce;
	flip(hex, q.len);
	if (start_ok(&q) != 0)
		abort();
}

static void
check_session(struct pw_lsig_session q, const char *kid)
{
	char	 hex[65], want[65], buf[FUZZ_MAX + 2];
	const char *path = q.path, *seq = q.seq;
	int	 good, i;

	if (pw_launcher_seq(q.seq) != seq_value(q.seq) ||
	    pw_launcher_key_id_ok(kid) != token(kid, 1, 32))
		abort();
	if (session_ok(&q)) {
		if (seq_value(q.seq) == 0)
			abort();
		sign_session(&q, want);
		if (strlen(q.sig) != 64 || strncasecmp(q.sig, want, 64) != 0)
			abort();
	}
	sign_session(&q, hex);
	q.sig = hex;
	good = seq_value(q.seq) != 0;
	if (session_ok(&q) != good)
		abort();
	for (i = 0; i < 64; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	if (session_ok(&q) != good)
		abort();
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	if (session_ok(&q) != 0)
		abort();
	q.method = strcmp(q.method, "PATCH") == 0 ? "POST" : "PATCH";
	other_part(&q.path, buf, sizeof(buf));
	if (session_ok(&q) != 0)
		abort();
	q.path = path;
	other_part(&q.seq, buf, sizeof(buf));
	if (session_ok(&q) != 0)
		abort();
	q.seq = seq;
	flip(hex, q.len);
	if (session_ok(&q) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_lsig_start s;
	struct pw_lsig_session q;
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
	if (i == NPARTS && part[0][0] == 's') {
		s.method = part[1];
		s.path = part[2];
		s.ts = part[3];
		s.nonce = part[4];
		s.sig = part[5];
		s.body = bcopy;
		s.len = blen;
		check_start(s);
	} else if (i == NPARTS) {
		q.method = part[1];
		q.path = part[2];
		q.seq = part[3];
		q.sig = part[5];
		q.body = bcopy;
		q.len = blen;
		check_session(q, part[4]);
	}
	/* Missing headers are refused, never read. */
	memset(&s, 0, sizeof(s));
	s.body = bcopy;
	s.len = blen;
	if (start_ok(&s) != 0)
		abort();
	memset(&q, 0, sizeof(q));
	q.body = bcopy;
	q.len = blen;
	if (session_ok(&q) != 0 || pw_launcher_seq(NULL) != 0)
		abort();
	/* A good start and a good session request are always accepted. */
	s.method = "POST";
	s.path = "/v1/launcher/session";
	s.ts = "1700000000";
	s.nonce = "0123456789abcdef_-XY";
	check_start(s);
	q.method = "PATCH";
	q.path = "/v1/launcher/session/heartbeat";
	q.seq = "4294967295";
	check_session(q, "k2026a");

	free(bcopy);
	for (i = 0; i < NPARTS; i++)
		free(part[i]);
	return (0);
}
