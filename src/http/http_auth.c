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

#include <string.h>

#include "pw.h"
#include "pw_buf.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_realplay.h"
#include "pw_session.h"

#define TOKEN_MAX	4096	/* a launch token is a few hundred bytes */

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

	h = http_header(r, PW_H_X_REQUEST_ID);
	if (h != NULL && strcmp(h, r->rid) == 0)
		return (0);
	reply_error(r, PW_E_BAD_REQUEST, "X-Request-ID is required: "
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
		reply_error(r, PW_E_BAD_REQUEST, "field 'game' must be "
		    "a string");
		return (-1);
	}
	if (pw_json_string(&r->js, tok, id, sizeof(id)) < 0 ||
	    (a->game = pw_config_game(r->w->cfg, id)) == NULL) {
		reply_error(r, PW_E_UNKNOWN_GAME, "no such game");
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

	sig = http_header(r, PW_H_X_HMAC_SIGNATURE);
	/* A game without a secret cannot take real-play logins at all. */
	if (sig != NULL && g->hmac_secret[0] != '\0') {
		pw_hmac_sha256(g->hmac_secret, strlen(g->hmac_secret),
		    r->body, r->len, mac);
		if (pw_mac_equal_hex(mac, sig, strlen(sig)))
			return (0);
	}
	reply_error(r, PW_E_INVALID_SIGNATURE, "missing or invalid "
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
		reply_error(r, PW_E_BAD_REQUEST, "field 'launchToken' "
		    "must be a string");
		return (-1);
	}
	a->toklen = pw_json_string(&r->js, tok, a->token, sizeof(a->token));
	if (req_string(r, "provider", a->provider, sizeof(a->provider),
	    1) == -1 || req_string(r, "ip", ip, sizeof(ip), 1) == -1)
		return (-1);
	if (inet_pton(AF_INET, ip, &in) != 1) {
		reply_error(r, PW_E_BAD_REQUEST, "field 'ip' must be a "
		    "dotted IPv4 address");
		return (-1);
	}
	if (req_string(r, "platform", platform, sizeof(platform), 1) == -1)
		return (-1);
	if (strcmp(platform, "desktop") != 0 &&
	    strcmp(platform, "mobile") != 0) {
		reply_error(r, PW_E_BAD_REQUEST, "field 'platform' must "
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
		reply_error(r, PW_E_TOKEN_EXPIRED, "launch token "
		    "expired");
		return (-1);
	}
	if (v != PW_JWT_OK) {
		reply_error(r, PW_E_INVALID_TOKEN, "invalid launch "
		    "token");
		return (-1);
	}
	/*
	 * iat is at most 60 s ahead (pw_jwt_verify), so iat + lifetime
	 * cannot overflow; a far exp is refused here, never narrowed.
	 */
	if (a->c.exp > a->c.iat + cfg->max_token_lifetime) {
		reply_error(r, PW_E_INVALID_TOKEN, "launch token "
		    "lifetime (exp - iat) above max-token-lifetime");
		return (-1);
	}
	if (strcmp(a->c.game, a->game->id) != 0 ||
	    strcmp(a->c.provider, a->provider) != 0 ||
	    (a->game->provider[0] != '\0' &&
	    strcmp(a->game->provider, a->provider) != 0)) {
		reply_error(r, PW_E_GAME_MISMATCH, "launch token of "
		    "another game or provider");
		return (-1);
	}
	if (a->c.sub[0] == '\0' || !lowercase(a->c.currency)) {
		reply_error(r, PW_E_INVALID_TOKEN, "launch token needs "
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
player_balance(struct pw_buf *o, struct pw_store *st, const char *sub)
{
	char id[PW_WALLET_NAME];
	int64_t b = 0;
	uint64_t u;

	(void)strlcpy(id, "player:", sizeof(id));
	if (strlcat(id, sub, sizeof(id)) < sizeof(id))
		b = pw_wallet_balance(st, id);
	u = b < 0 ? -(uint64_t)b : (uint64_t)b;
	if (b < 0)
		pw_buf_str(o, "-");
	pw_buf_u64(o, u / 100);
	pw_buf_str(o, u % 100 < 10 ? ".0" : ".");
	pw_buf_u64(o, u % 100);
}

static void
member_i64(struct pw_buf *o, const char *key, int64_t v)
{
	pw_buf_str(o, key);
	pw_buf_i64(o, v);
}

static void
render_offers(struct pw_buf *o, const struct pw_game *g)
{
	const struct pw_offer *of;
	int i;

	if (g->noffers == 0)
		return;
	pw_buf_str(o, ",\"freeGameInfo\":[");
	for (i = 0; i < g->noffers; i++) {
		of = &g->offers[i];
		pw_buf_str(o, i ? "," : "");
		member_i64(o, "{\"instanceId\":", of->instance_id);
		member_i64(o, ",\"offerId\":", of->offer_id);
		pw_buf_str(o, ",\"offerName\":");
		pw_buf_quote(o, of->name);
		pw_buf_str(o, ",\"instanceInfo\":{\"canBeRejected\":");
		pw_buf_str(o, of->rejectable ? "true" : "false");
		member_i64(o, ",\"nearestCostPerBet\":", of->cost_per_bet);
		member_i64(o, ",\"numberOfRoundsRemaining\":",
		    of->rounds_remaining);
		member_i64(o, ",\"numberOfRoundsAwarded\":", of->rounds_awarded);
		pw_buf_str(o, ",\"instanceStartDateUtc\":");
		pw_buf_quote(o, of->start);
		pw_buf_str(o, ",\"instanceEndDateUtc\":");
		pw_buf_quote(o, of->end);
		pw_buf_str(o, "}}");
	}
	pw_buf_str(o, "]");
}

static void
render_session(struct pw_buf *o, const struct pw_game *g)
{
	pw_buf_str(o, ",\"sessionInfo\":{");
	if (g->lobby_url[0] != '\0') {
		pw_buf_str(o, "\"lobbyUrl\":");
		pw_buf_quote(o, g->lobby_url);
		pw_buf_str(o, ",");
	}
	if (g->deposit_url[0] != '\0') {
		pw_buf_str(o, "\"depositUrl\":");
		pw_buf_quote(o, g->deposit_url);
		pw_buf_str(o, ",");
	}
	member_i64(o, "\"gameConfig\":{\"maxExposure\":", g->max_exposure);
	member_i64(o, ",\"minBet\":", g->min_bet);
	member_i64(o, ",\"maxBet\":", g->max_bet);
	member_i64(o, ",\"defaultBet\":", g->default_bet);
	pw_buf_str(o, "}}");
}

/* Rendered afresh on a replay too: current configuration and balance. */
static void
reply_login(struct pw_req *r, const struct auth *a,
    const uint8_t pt[PW_KEY_LEN])
{
	char id[PW_UUID_STRLEN + 1];
	struct pw_buf o;

	pw_buf_init(&o, r->w->scratch, sizeof(r->w->scratch));
	pw_uuid_format(pt, id);
	pw_buf_str(&o, "{\"playerId\":");
	pw_buf_quote(&o, a->c.sub);
	pw_buf_str(&o, ",\"playerToken\":\"pt_");
	pw_buf_str(&o, id);
	pw_buf_str(&o, "\",\"brand\":");
	pw_buf_quote(&o, a->c.brand);
	pw_buf_str(&o, ",\"balance\":");
	player_balance(&o, r->w->st, a->c.sub);
	pw_buf_str(&o, ",\"balanceInfo\":{\"currency\":");
	pw_buf_quote(&o, a->c.currency);
	member_i64(&o, ",\"currencyTruncation\":",
	    pw_config_truncation(r->w->cfg, a->c.currency));
	pw_buf_str(&o, "}");
	render_session(&o, a->game);
	render_offers(&o, a->game);
	pw_buf_str(&o, "}");
	if (o.overflow) {
		reply_error(r, PW_E_INTERNAL_ERROR, "reply too large");
		return;
	}
	reply_json(r, 200, o.buf, o.len);
}

/* rate-limit, per game: after the signature, before the fields. */
static int
auth_rate(struct pw_req *r, const struct pw_game *g)
{
	uint64_t secs;

	if (http_rate_take(r, http_rate_game(r, g), &secs))
		return (0);
	http_retry_after(r, secs);
	reply_error(r, PW_E_RATE_LIMITED, "too many authenticate "
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
		reply_error(r, PW_E_REQUEST_ID_REUSED, "X-Request-ID "
		    "already used with another body");
		break;
	default:
		reply_error(r, PW_E_STORE_FULL, "session store is full");
		break;
	}
}
