/*
 * Authenticating a launcher request, contract v3.  The endpoint picks
 * the scheme: POST /v1/launcher/session is always a session start, signed
 * with a start key; every other launcher endpoint is a request of a
 * running session, signed with its session key.
 *
 * A start: signature (401), nonce (401 REPLAYED_REQUEST), the key's
 * network (403), its quota (429); only a start that passed all four
 * stores its nonce.  A cafe's key works only from that cafe's networks;
 * the home key only from outside every cafe that has a key of its own.
 *
 * A session request: headers well-formed (401), session known (404),
 * signature with its key (401), seq fresh in the window (401
 * REPLAYED_REQUEST), then with the seq taken the cafe it comes from
 * (403), ended (410), rate (429); the body comes after (http_route.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdatomic.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_session.h"

/* The method as signed: upper case, as sent (the route took it). */
static const char *
method_name(const struct pw_req *r)
{
	return (r->method_name);
}

static int
bad_signature(struct pw_req *r, const char *what)
{
	pw_count(r->w->st, PW_C_LS_BAD_SIGNATURE, 1);
	reply_error(r, PW_E_INVALID_SIGNATURE, what);
	return (-1);
}

static int
replayed(struct pw_req *r, const char *what)
{
	pw_count(r->w->st, PW_C_LS_REPLAYED, 1);
	reply_error(r, PW_E_REPLAYED_REQUEST, what);
	return (-1);
}

static int
rate_limited(struct pw_req *r, uint64_t secs, const char *what)
{
	http_retry_after(r, secs);
	reply_error(r, PW_E_RATE_LIMITED, what);
	return (-1);
}

/*
 * The start key's network: a cafe key from its own cafe; the home key
 * from outside every cafe, or (transition) from a cafe with no key yet.
 */
static int
start_network(struct pw_req *r, const struct pw_cafe *keycafe)
{
	const struct pw_cafe *at = r->cafe;

	if (keycafe != NULL) {
		if (at == keycafe)
			return (0);
		reply_error(r, PW_E_CAFE_MISMATCH, "this launcher key "
		    "belongs to another network");
		return (-1);
	}
	if (at == NULL)
		return (0);
	if (at->nkeys == 0 && !r->w->cfg->launcher_key_required) {
		r->ls_flags |= PW_LS_HOME_KEY;
		return (0);
	}
	reply_error(r, PW_E_CAFE_MISMATCH, "launchers at this cafe sign "
	    "their start with the cafe's launcher key (X-Key-Id)");
	return (-1);
}

static int
auth_start(struct pw_req *r)
{
	const struct pw_config *cfg = r->w->cfg;
	const struct pw_launcher_key *k = NULL;
	const struct pw_cafe *keycafe = NULL;
	struct pw_lsig_start q;
	const char *kid, *secret;
	uint64_t secs, now;

	if (http_header(r, PW_H_X_LAUNCHER_SESSION) != NULL ||
	    http_header(r, PW_H_X_SEQ) != NULL)
		return (bad_signature(r, "a session start carries no "
		    "X-Launcher-Session or X-Seq"));
	if ((kid = http_header(r, PW_H_X_KEY_ID)) != NULL &&
	    (!pw_launcher_key_id_ok(kid) ||
	    (k = pw_config_launcher_key(cfg, kid, &keycafe)) == NULL))
		return (bad_signature(r, "unknown X-Key-Id"));
	q.method = method_name(r);
	q.path = r->target;
	q.ts = http_header(r, PW_H_X_TIMESTAMP);
	q.nonce = http_header(r, PW_H_X_NONCE);
	q.sig = http_header(r, PW_H_X_SIGNATURE);
	q.body = r->body;
	q.len = r->len;
	secret = k != NULL ? k->secret : cfg->launcher_secret;
	if (!pw_launcher_start_ok(secret, strlen(secret), &q,
	    (int64_t)(pw_now_ms() / 1000)))
		return (bad_signature(r, "missing, stale or invalid "
		    "X-Timestamp/X-Nonce/X-Signature"));
	if (pw_nonce_seen(r->w->st, q.nonce))
		return (replayed(r, "X-Nonce already used"));
	http_origin(r);
	r->ls_flags = 0;
	if (start_network(r, keycafe) == -1)
		return (-1);
	now = pw_store_now(r->w->st);
	if (pw_quota_start(r->w->st, cfg, r->cafe, r->cafe != NULL ? 0 :
	    pw_prefix_key(r->w->st, (struct sockaddr *)&r->client), now,
	    &secs) == -1)
		return (rate_limited(r, secs, r->cafe != NULL ? "this cafe's "
		    "launcher start quota is spent" : "home launcher start "
		    "quota spent for this network"));
	switch (pw_nonce_remember(r->w->st, q.nonce, now)) {
	case PW_NC_NEW:
		return (0);
	case PW_NC_REPLAY:
		return (replayed(r, "X-Nonce already used"));
	default:
		reply_error(r, PW_E_STORE_FULL, NULL);
		return (-1);
	}
}

static int
hex_mac(const char *s)
{
	size_t n;

	if (s == NULL)
		return (0);
	for (n = 0; s[n] != '\0'; n++)
		if (n == 2 * PW_SHA256_LEN || pw_hex_digit((unsigned char)s[n]) ==
		    -1)
			return (0);
	return (n == 2 * PW_SHA256_LEN);
}

static int
auth_session(struct pw_req *r)
{
	struct pw_lsig_session q;
	const char *id;
	uint64_t secs;

	id = http_header(r, PW_H_X_LAUNCHER_SESSION);
	q.method = method_name(r);
	q.path = r->target;
	q.seq = http_header(r, PW_H_X_SEQ);
	q.sig = http_header(r, PW_H_X_SIGNATURE);
	q.body = r->body;
	q.len = r->len;
	if (id == NULL || pw_id_parse(id, "ls_", 0, r->ls_key) == NULL ||
	    pw_launcher_seq(q.seq) == 0 || !hex_mac(q.sig))
		return (bad_signature(r, "missing or malformed "
		    "X-Launcher-Session/X-Seq/X-Signature"));
	http_origin(r);
	switch (pw_ls_request(r->w->st, r->w->cfg, r->ls_key, &q,
	    r->cafe != NULL ? r->cafe->hash : 0, &r->ls, &secs)) {
	case PW_LSC_OK:
		return (0);
	case PW_LSC_NOT_FOUND:
		reply_error(r, PW_E_SESSION_NOT_FOUND, "no such launcher "
		    "session");
		return (-1);
	case PW_LSC_BAD_SIGNATURE:
		return (bad_signature(r, "X-Signature is not this session's"));
	case PW_LSC_REPLAYED:
		return (replayed(r, "X-Seq already used or older than the "
		    "window: send again with a new X-Seq"));
	case PW_LSC_MISMATCH:
		reply_error(r, PW_E_CAFE_MISMATCH, "launcher session of "
		    "another cafe");
		return (-1);
	case PW_LSC_ENDED:
		reply_error(r, PW_E_SESSION_ENDED, "launcher session "
		    "replaced or lost");
		return (-1);
	default:
		return (rate_limited(r, secs, "more requests per second than "
		    "rate-limit on this launcher session"));
	}
}

int
http_launcher_auth(struct pw_req *r)
{
	if (r->route->handler == h_lsession)
		return (auth_start(r));
	return (auth_session(r));
}
