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
 * The first input byte picks the endpoint; the rest is the body.
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
#include "pw_json.h"
#include "pw_store.h"

#define FUZZ_MAX	16384
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
