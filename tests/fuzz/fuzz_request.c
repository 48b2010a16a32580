/*
 * libFuzzer harness for request bodies: pw_json_parse and then the field
 * checks each endpoint's handler makes (http_game.c, http_launcher.c,
 * http_auth.c, and req_string, req_uuid and req_uid of http_reply.c),
 * with the same buffer sizes.  The handlers need a worker and a request
 * to run, so the checks are repeated here on the library calls they are
 * made of, and every value that passes is checked for what the handler
 * goes on to assume: a string that fits and holds no NUL, a UUID that
 * formats back to its text, a user id that unpacks to its digits.
 *
 * The first input byte picks the endpoint; the rest is the body.  A
 * first byte of 0xf0 or more picks the connection's input path instead:
 * the rest is the bytes of a request head for the framing scan of
 * http_frame.c, fed whole and in pieces of (first byte & 15) + 1 bytes,
 * which must agree (on where the request line's method and target lie
 * too), and a head it passes must be one strict HTTP/1.1 allows
 * (RFC 9112, as playwaved(8) FRAMING says).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pw_config.h"
#include "pw_crypto.h"
#include "pw_frame.h"
#include "pw_json.h"
#include "pw_store.h"

#define FUZZ_MAX	16384
#define FRAME_MODE	0xf0
#define HEAD_MAX	8192	/* max-header's default */
#define TOKEN_MAX	4096	/* http_auth.c's launch token buffer */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum endpoint {
	EP_VERIFY,
	EP_HEARTBEAT,
	EP_END,
	EP_CHECK,
	EP_LSESSION,
	EP_LHEARTBEAT,
	EP_LOTT,
	EP_AUTHENTICATE,
	EP_COUNT
};

/*
 * req_string: the member must exist, be a string, fit outsz with its NUL
 * and hold no NUL; minlen 1 refuses "".  The decoded length, or -1.
 */
static int
field_string(const struct pw_json *j, const char *field, char *out,
    size_t outsz, size_t minlen)
{
	int	 tok, n;

	if ((tok = pw_json_get(j, field)) == -1)
		return (-1);
	if (tok <= 0 || tok >= j->ntok)
		abort();
	n = pw_json_string(j, tok, out, outsz);
	if (pw_json_type(j, tok) != PW_JSON_STRING) {
		if (n != -1)
			abort();
		return (-1);
	}
	if (n == -2 || n == -1)
		return (-1);
	if (n < 0 || (size_t)n >= outsz || out[n] != '\0' ||
	    strlen(out) != (size_t)n)
		abort();
	return ((size_t)n < minlen ? -1 : n);
}

/* req_uuid: "<prefix><uuid>", "playwave_" being optional. */
static int
field_uuid(const struct pw_json *j, const char *field, const char *prefix,
    uint8_t out[PW_UUID_LEN])
{
	char		 buf[80], back[PW_UUID_STRLEN + 1];
	const char	*p;
	size_t		 i;

	if (field_string(j, field, buf, sizeof(buf), 1) == -1)
		return (-1);
	if ((p = pw_id_parse(buf, prefix, strcmp(prefix, "playwave_") == 0,
	    out)) == NULL)
		return (-1);
	if (strlen(p) != PW_UUID_STRLEN)
		abort();
	pw_uuid_format(out, back);
	for (i = 0; i < PW_UUID_STRLEN; i++)
		if (back[i] != tolower((unsigned char)p[i]))
			abort();
	return (0);
}

/* req_uid: 1 to 20 decimal digits, packed. */
static int
field_uid(const struct pw_json *j, const char *field)
{
	uint8_t	 uid[PW_UID_LEN];
	char	 buf[32], back[21];
	int	 n;

	if ((n = field_string(j, field, buf, sizeof(buf), 1)) == -1)
		return (-1);
	if (pw_uid_pack(uid, buf, (size_t)n) == -1)
		return (-1);
	if (n < 1 || n > 20 || strspn(buf, "0123456789") != (size_t)n)
		abort();
	pw_uid_unpack(uid, back);
	if (strcmp(back, buf) != 0)
		abort();
	return (0);
}

/* h_end's client_duration: absent, null, or 0 to 100000000. */
static int
field_duration(const struct pw_json *j)
{
	int64_t	 v;
	int	 tok;

	if ((tok = pw_json_get(j, "play_duration_sec")) == -1 ||
	    pw_json_type(j, tok) == PW_JSON_NULL)
		return (0);
	if (pw_json_type(j, tok) != PW_JSON_NUMBER)
		return (-1);
	if (pw_json_int64(j, tok, &v) == -1)
		return (-1);
	return (v < 0 || v > 100000000 ? -1 : 0);
}

/* A dotted IPv4 address, as the handlers take it. */
static int
field_ipv4(const struct pw_json *j, const char *field, size_t bufsz)
{
	struct in_addr	 in;
	char		 buf[64], back[INET_ADDRSTRLEN];

	if (field_string(j, field, buf, bufsz, 1) == -1)
		return (-1);
	if (inet_pton(AF_INET, buf, &in) != 1)
		return (-1);
	if (inet_ntop(AF_INET, &in, back, sizeof(back)) == NULL)
		abort();
	return (0);
}

static void
game_fields(const struct pw_json *j, enum endpoint ep)
{
	uint8_t	 id[PW_UUID_LEN];

	switch (ep) {
	case EP_VERIFY:
		if (field_uuid(j, "ott", "playwave_", id) == 0)
			(void)field_uid(j, "provider_user_id");
		break;
	case EP_HEARTBEAT:
	case EP_CHECK:
		if (field_uuid(j, "game_session_id", "gs_", id) == 0)
			(void)field_uid(j, "provider_user_id");
		break;
	case EP_END:
		if (field_uuid(j, "game_session_id", "gs_", id) == 0)
			(void)field_duration(j);
		break;
	default:
		abort();
	}
}

static void
launcher_fields(const struct pw_json *j, enum endpoint ep)
{
	uint8_t	 id[PW_UUID_LEN];
	char	 pc[80], game[PW_ID_MAX + 8];
	int	 n;

	switch (ep) {
	case EP_LSESSION:
		if ((n = field_string(j, "pc_id", pc, sizeof(pc), 1)) == -1 ||
		    n > 64)
			return;
		(void)field_ipv4(j, "internal_ip", 32);
		break;
	case EP_LHEARTBEAT:
		(void)field_uuid(j, "launcher_session_id", "ls_", id);
		break;
	case EP_LOTT:
		if (field_uuid(j, "launcher_session_id", "ls_", id) == 0)
			(void)field_string(j, "game_id", game, sizeof(game), 1);
		break;
	default:
		abort();
	}
}

/* http_auth.c: game, launchToken, provider, ip and platform. */
static void
auth_fields(const struct pw_json *j)
{
	char	*token, id[PW_ID_MAX], provider[PW_TEXT_MAX], platform[16];
	int	 tok, n;

	tok = pw_json_get(j, "game");
	if (tok == -1 || pw_json_type(j, tok) != PW_JSON_STRING)
		return;
	n = pw_json_string(j, tok, id, sizeof(id));
	if (n >= 0 && strlen(id) != (size_t)n)
		abort();
	tok = pw_json_get(j, "launchToken");
	if (tok == -1 || pw_json_type(j, tok) != PW_JSON_STRING)
		return;
	if ((token = malloc(TOKEN_MAX)) == NULL)
		abort();
	n = pw_json_string(j, tok, token, TOKEN_MAX);
	if (n >= TOKEN_MAX || (n >= 0 && strlen(token) != (size_t)n))
		abort();
	free(token);
	if (field_string(j, "provider", provider, sizeof(provider), 1) == -1 ||
	    field_ipv4(j, "ip", 64) == -1)
		return;
	(void)field_string(j, "platform", platform, sizeof(platform), 1);
}

static enum pw_frame_rc
frame_feed(struct pw_frame *f, const char *p, size_t n, size_t step,
    size_t *used)
{
	enum pw_frame_rc rc = PW_FRAME_MORE;
	size_t off = 0, u;

	pw_frame_init(f, HEAD_MAX);
	while (off < n && rc == PW_FRAME_MORE) {
		u = n - off < step ? n - off : step;
		rc = pw_frame_feed(f, p + off, u, &u);
		off += u;
	}
	*used = off;
	return (rc);
}

/* What a passed head must be: CRLF lines, no controls, no folding. */
static void
frame_passed(const char *p, size_t n)
{
	size_t i;
	int bol = 1, line = 0, colon = 0;

	if (n < 4 || memcmp(p + n - 4, "\r\n\r\n", 4) != 0)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			abort();
		if (c == '\n' && (i == 0 || p[i - 1] != '\r'))
			abort();
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			abort();
		if (bol && line > 0 && (c == ' ' || c == '\t'))
			abort();
		if (line > 0 && !colon && (c == ' ' || c == '\t'))
			abort();
		if (c == ':')
			colon = 1;
		bol = c == '\n';
		if (bol) {
			line++;
			colon = 0;
		}
	}
}

static void
frame_case(const uint8_t *data, size_t size)
{
	struct pw_frame a, b;
	enum pw_frame_rc ra, rb;
	enum pw_frame_verdict va;
	const char *p = (const char *)data + 1;
	size_t n = size - 1, ua, ub, ma, mb, oa, ob, ta, tb;

	ra = frame_feed(&a, p, n, n > 0 ? n : 1, &ua);
	rb = frame_feed(&b, p, n, (size_t)(data[0] & 15) + 1, &ub);
	if (ra != rb || ua != ub || ua > HEAD_MAX + 1)
		abort();
	/* The request line a refusal's log line names lies in what was read. */
	pw_frame_line(&a, &ma, &oa, &ta);
	pw_frame_line(&b, &mb, &ob, &tb);
	if (ma != mb || oa != ob || ta != tb || (ma > 0 && oa != ma + 1) ||
	    oa + ta > ua)
		abort();
	if (ra != PW_FRAME_DONE)
		return;
	va = pw_frame_verdict(&a);
	if (va != pw_frame_verdict(&b) || a.clen != b.clen ||
	    strcmp(a.path, b.path) != 0 || strcmp(a.rid, b.rid) != 0)
		abort();
	if (va != PW_FV_OK)
		return;
	frame_passed(p, ua);
	if (a.ncl > 1 || (a.nte > 0 && a.ncl > 0) || a.clen < -1 ||
	    pw_frame_method(&a) == 0 ||
	    (pw_frame_http11(&a) && a.nhost != 1))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_json	 j;
	const char	*why = NULL;
	enum endpoint	 ep;
	char		*body;
	size_t		 len;

	if (size == 0 || size > FUZZ_MAX)
		return (0);
	if (data[0] >= FRAME_MODE) {
		frame_case(data, size);
		return (0);
	}
	ep = (enum endpoint)(data[0] % EP_COUNT);
	len = size - 1;
	/* An exact-size copy, so that ASan sees a read past the body. */
	if ((body = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(body, data + 1, len);
	if (pw_json_parse(&j, body, len, &why) == 0) {
		if (why != NULL || j.ntok < 1 || j.ntok > PW_JSON_MAXTOK ||
		    pw_json_type(&j, 0) != PW_JSON_OBJECT)
			abort();
		if (ep <= EP_CHECK)
			game_fields(&j, ep);
		else if (ep <= EP_LOTT)
			launcher_fields(&j, ep);
		else
			auth_fields(&j);
	} else if (why == NULL)
		abort();
	free(body);
	return (0);
}
