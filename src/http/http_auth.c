/*
 * POST /v1/authenticate: real-play launch authentication.
 *
 * The route does only 404, 405 and 413 for this endpoint; everything else
 * happens here in the order the API defines: X-Request-ID, content type and
 * JSON, the game, its HMAC signature, the other fields, the launch token,
 * then the login itself (realplay.c).  Errors and the reply are flat
 * objects, not the PlayWave envelope.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_buf.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_realplay.h"
#include "pw_session.h"

#define TOKEN_MAX	4096	/* a launch token is a few hundred bytes */
#define REPLY_MAX	16384	/* fits every field quoted at its worst */

struct auth {
	const struct pw_game	*game;
	char			 token[TOKEN_MAX];
	int			 toklen;	/* -1: not a usable token */
	char			 provider[PW_TEXT_MAX];
	struct pw_jwt_claims	 c;
};

/* The request id must be the client's own, and well-formed. */
static int
auth_request_id(struct pw_req *r)
{
	const char *h;

	h = http_header(r, "X-Request-ID");
	if (h != NULL && strcmp(h, r->rid) == 0)
		return (0);
	reply_flat_error(r, 400, "BAD_REQUEST", "X-Request-ID is required: "
	    "1 to 64 letters, digits, '.', '_', ':' or '-'");
	return (-1);
}

/*
 * A string `game' is all the signature check needs; one that cannot be a
 * game id (too long, a NUL) is simply not a known game.
 */
static int
auth_game(struct pw_req *r, struct auth *a)
{
	char id[PW_ID_MAX];
	int tok;

	tok = pw_json_get(&r->js, "game");
	if (tok == -1 || pw_json_type(&r->js, tok) != PW_JSON_STRING) {
		reply_flat_error(r, 400, "BAD_REQUEST", "field 'game' must be "
		    "a string");
		return (-1);
	}
	if (pw_json_string(&r->js, tok, id, sizeof(id)) < 0 ||
	    (a->game = pw_config_game(r->w->cfg, id)) == NULL) {
		reply_flat_error(r, 404, "UNKNOWN_GAME", "no such game");
		return (-1);
	}
	return (0);
}

/* X-HMAC-Signature: hex HMAC-SHA256 of the raw body, the game's secret. */
static int
auth_signature(struct pw_req *r, const struct pw_game *g)
{
	uint8_t mac[PW_SHA256_LEN];
	const char *sig;

	sig = http_header(r, "X-HMAC-Signature");
	/* A game without a secret cannot take real-play logins at all. */
	if (sig != NULL && g->hmac_secret[0] != '\0') {
		pw_hmac_sha256(g->hmac_secret, strlen(g->hmac_secret),
		    r->body, r->len, mac);
		if (pw_mac_equal_hex(mac, sig, strlen(sig)))
			return (0);
	}
	reply_flat_error(r, 401, "INVALID_SIGNATURE", "missing or invalid "
	    "X-HMAC-Signature");
	return (-1);
}

/*
 * The launch token is only checked for being a string here: what is in
 * it (or a string too long to be one) is the token check's 401, which
 * comes after every field's 400.
 */
static int
auth_fields(struct pw_req *r, struct auth *a)
{
	struct in_addr in;
	char ip[64], platform[16];
	int tok;

	tok = pw_json_get(&r->js, "launchToken");
	if (tok == -1 || pw_json_type(&r->js, tok) != PW_JSON_STRING) {
		reply_flat_error(r, 400, "BAD_REQUEST", "field 'launchToken' "
		    "must be a string");
		return (-1);
	}
	a->toklen = pw_json_string(&r->js, tok, a->token, sizeof(a->token));
	if (req_string(r, "provider", a->provider, sizeof(a->provider),
	    1) == -1 || req_string(r, "ip", ip, sizeof(ip), 1) == -1)
		return (-1);
	if (inet_pton(AF_INET, ip, &in) != 1) {
		reply_flat_error(r, 400, "BAD_REQUEST", "field 'ip' must be a "
		    "dotted IPv4 address");
		return (-1);
	}
	if (req_string(r, "platform", platform, sizeof(platform), 1) == -1)
		return (-1);
	if (strcmp(platform, "desktop") != 0 &&
	    strcmp(platform, "mobile") != 0) {
		reply_flat_error(r, 400, "BAD_REQUEST", "field 'platform' must "
		    "be \"desktop\" or \"mobile\"");
		return (-1);
	}
	return (0);
}

static int
lowercase(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return (0);
	return (1);
}

/*
 * The launch token: signature and expiry, then whether it was issued for
 * this game of this provider.  A body naming a provider other than the
 * configured one of the game is the same mismatch.
 */
static int
auth_token(struct pw_req *r, struct auth *a)
{
	const struct pw_config *cfg = r->w->cfg;
	enum pw_jwt_result v = PW_JWT_INVALID;

	if (a->toklen >= 0)
		v = pw_jwt_verify(a->token, (size_t)a->toklen,
		    cfg->launch_secret, strlen(cfg->launch_secret),
		    (int64_t)pw_now(), &a->c);
	if (v == PW_JWT_EXPIRED) {
		reply_flat_error(r, 401, "TOKEN_EXPIRED", "launch token "
		    "expired");
		return (-1);
	}
	if (v != PW_JWT_OK) {
		reply_flat_error(r, 401, "INVALID_TOKEN", "invalid launch "
		    "token");
		return (-1);
	}
	/*
	 * iat is at most 60 s ahead (pw_jwt_verify), so iat + lifetime
	 * cannot overflow; a far exp is refused here, never narrowed.
	 */
	if (a->c.exp > a->c.iat + cfg->max_token_lifetime) {
		reply_flat_error(r, 401, "INVALID_TOKEN", "launch token "
		    "lifetime (exp - iat) above max-token-lifetime");
		return (-1);
	}
	if (strcmp(a->c.game, a->game->id) != 0 ||
	    strcmp(a->c.provider, a->provider) != 0 ||
	    (a->game->provider[0] != '\0' &&
	    strcmp(a->game->provider, a->provider) != 0)) {
		reply_flat_error(r, 403, "GAME_MISMATCH", "launch token of "
		    "another game or provider");
		return (-1);
	}
	if (a->c.sub[0] == '\0' || !lowercase(a->c.currency)) {
		reply_flat_error(r, 401, "INVALID_TOKEN", "launch token needs "
		    "a subject and a lowercase currency");
		return (-1);
	}
	return (0);
}

/*
 * Wallet ids are at most 23 bytes, so a player whose subject is longer
 * than 16 bytes cannot have a "player:<sub>" wallet: the balance is 0.
 * Minor units are hundredths of the currency.
 */
static void
player_balance(struct pw_store *st, const char *sub, char out[32])
{
	char id[PW_WALLET_NAME];
	int64_t b = 0;
	uint64_t u;
	int n;

	n = snprintf(id, sizeof(id), "player:%s", sub);
	if (n > 0 && (size_t)n < sizeof(id))
		b = pw_wallet_balance(st, id);
	u = b < 0 ? -(uint64_t)b : (uint64_t)b;
	snprintf(out, 32, "%s%llu.%02llu", b < 0 ? "-" : "",
	    (unsigned long long)(u / 100), (unsigned long long)(u % 100));
}

static void
render_offers(struct pw_buf *o, const struct pw_game *g)
{
	const struct pw_offer *of;
	int i;

	if (g->noffers == 0)
		return;
	pw_buf_add(o, ",\"freeGameInfo\":[");
	for (i = 0; i < g->noffers; i++) {
		of = &g->offers[i];
		pw_buf_add(o, "%s{\"instanceId\":%lld,\"offerId\":%lld,"
		    "\"offerName\":", i ? "," : "", (long long)of->instance_id,
		    (long long)of->offer_id);
		pw_buf_quote(o, of->name);
		pw_buf_add(o, ",\"instanceInfo\":{\"canBeRejected\":%s,"
		    "\"nearestCostPerBet\":%lld,"
		    "\"numberOfRoundsRemaining\":%lld,"
		    "\"numberOfRoundsAwarded\":%lld,"
		    "\"instanceStartDateUtc\":",
		    of->rejectable ? "true" : "false",
		    (long long)of->cost_per_bet,
		    (long long)of->rounds_remaining,
		    (long long)of->rounds_awarded);
		pw_buf_quote(o, of->start);
		pw_buf_add(o, ",\"instanceEndDateUtc\":");
		pw_buf_quote(o, of->end);
		pw_buf_add(o, "}}");
	}
	pw_buf_add(o, "]");
}

static void
render_session(struct pw_buf *o, const struct pw_game *g)
{
	pw_buf_add(o, ",\"sessionInfo\":{");
	if (g->lobby_url[0] != '\0') {
		pw_buf_add(o, "\"lobbyUrl\":");
		pw_buf_quote(o, g->lobby_url);
		pw_buf_add(o, ",");
	}
	if (g->deposit_url[0] != '\0') {
		pw_buf_add(o, "\"depositUrl\":");
		pw_buf_quote(o, g->deposit_url);
		pw_buf_add(o, ",");
	}
	pw_buf_add(o, "\"gameConfig\":{\"maxExposure\":%lld,\"minBet\":%lld,"
	    "\"maxBet\":%lld,\"defaultBet\":%lld}}",
	    (long long)g->max_exposure, (long long)g->min_bet,
	    (long long)g->max_bet, (long long)g->default_bet);
}

/* Rendered afresh on a replay too: current configuration and balance. */
static void
reply_login(struct pw_req *r, const struct auth *a,
    const uint8_t pt[PW_KEY_LEN])
{
	char buf[REPLY_MAX], id[PW_UUID_STRLEN + 1], bal[32];
	struct pw_buf o;

	pw_buf_init(&o, buf, sizeof(buf));
	pw_uuid_format(pt, id);
	player_balance(r->w->st, a->c.sub, bal);
	pw_buf_add(&o, "{\"playerId\":");
	pw_buf_quote(&o, a->c.sub);
	pw_buf_add(&o, ",\"playerToken\":\"pt_%s\",\"brand\":", id);
	pw_buf_quote(&o, a->c.brand);
	pw_buf_add(&o, ",\"balance\":%s,\"balanceInfo\":{\"currency\":", bal);
	pw_buf_quote(&o, a->c.currency);
	pw_buf_add(&o, ",\"currencyTruncation\":%lld}",
	    (long long)pw_config_truncation(r->w->cfg, a->c.currency));
	render_session(&o, a->game);
	render_offers(&o, a->game);
	pw_buf_add(&o, "}");
	if (o.overflow) {
		reply_flat_error(r, 500, "INTERNAL_ERROR", "reply too large");
		return;
	}
	reply_raw(r, 200, buf, o.len);
}

/* rate-limit, per game: after the signature, before the fields. */
static int
auth_rate(struct pw_req *r, const struct pw_game *g)
{
	uint64_t secs;

	if (http_rate_take(r, http_rate_game(r, g), &secs))
		return (0);
	http_retry_after(r, secs);
	reply_flat_error(r, 429, "RATE_LIMITED", "too many authenticate "
	    "requests per second for this game");
	return (-1);
}

void
h_authenticate(struct pw_req *r)
{
	struct auth a;
	struct pw_rp_login l;
	uint8_t pt[PW_KEY_LEN];

	memset(&a, 0, sizeof(a));
	if (auth_request_id(r) == -1 || http_parse_body(r) == -1 ||
	    auth_game(r, &a) == -1 || auth_signature(r, a.game) == -1 ||
	    auth_rate(r, a.game) == -1 || auth_fields(r, &a) == -1 || auth_token(r, &a) == -1)
		return;
	memset(&l, 0, sizeof(l));
	l.game = a.game->id;
	l.game_hash = a.game->hash;
	l.rid = r->rid;
	l.body = r->body;
	l.len = r->len;
	l.token = a.token;
	l.toklen = (size_t)a.toklen;
	l.sub = a.c.sub;
	l.exp = (uint64_t)a.c.exp;
	l.now_ms = pw_store_now(r->w->st);
	switch (pw_rp_login(r->w->st, &l, pt)) {
	case PW_RP_NEW:
	case PW_RP_REPLAY:
		reply_login(r, &a, pt);
		break;
	case PW_RP_CONFLICT:
		reply_flat_error(r, 409, "REQUEST_ID_REUSED", "X-Request-ID "
		    "already used with another body");
		break;
	default:
		reply_flat_error(r, 503, "STORE_FULL", "session store is full");
		break;
	}
}
