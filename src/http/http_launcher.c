/*
 * The launcher API.  Requests are already signed-checked
 * (http_route.c), and r->cafe set from where the request came from
 * (http_origin.c), never from what it says.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/http.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_names.h"
#include "pw_session.h"

/*
 * The body names the session too; it must be the one the headers proved
 * (a body cannot speak for another session).
 */
static int
same_session(struct pw_req *r)
{
	uint8_t ls[PW_KEY_LEN];

	if (req_uuid(r, "launcher_session_id", PW_T_LS, ls) == -1)
		return (-1);
	if (memcmp(ls, r->ls_key, PW_KEY_LEN) != 0) {
		reply_error(r, 400, "BAD_REQUEST", "field "
		    "'launcher_session_id' is not the session of "
		    "X-Launcher-Session");
		return (-1);
	}
	return (0);
}

/*
 * The reply is rendered, and known to fit, before the session exists:
 * a start that answers an error has replaced nothing.  The session key
 * is derived from the new id and sent once; it is never stored.
 */
void
h_lsession(struct pw_req *r)
{
	const struct pw_cafe *cafe = r->cafe;
	struct pw_cafe_state *cs;
	struct in_addr in;
	uint8_t ls[PW_KEY_LEN], k[PW_SESSION_KEY_LEN];
	char pc[80], ip[32], id[48], qcafe[6 * PW_ID_MAX + 3];
	char key[PW_SESSION_KEY_TEXT + 1], out[PW_REPLY_MAX];
	int n, len;

	if ((n = req_string(r, "pc_id", pc, sizeof(pc), 1)) == -1 ||
	    req_string(r, "internal_ip", ip, sizeof(ip), 1) == -1)
		return;
	if (n > 64) {
		reply_error(r, 400, "BAD_REQUEST", "field 'pc_id' must be 1 to "
		    "64 characters");
		return;
	}
	if (inet_pton(AF_INET, ip, &in) != 1) {
		reply_error(r, 400, "BAD_REQUEST", "field 'internal_ip' must "
		    "be a dotted IPv4 address");
		return;
	}
	pw_store_new_id(r->w->st, ls);
	(void)pw_id_format(PW_T_LS, ls, id, sizeof(id));
	pw_ls_session_key(r->w->st, ls, k);
	(void)pw_b64url_encode(k, sizeof(k), key, sizeof(key));
	explicit_bzero(k, sizeof(k));
	if (cafe != NULL)
		pw_json_quote(qcafe, sizeof(qcafe), cafe->id, strlen(cafe->id));
	len = reply_render(r, out, sizeof(out), "\"launcher_session_id\":"
	    "\"%s\",\"is_pc_cafe\":%s,\"pc_cafe_id\":%s,\"games\":%s,"
	    "\"heartbeat_in\":%lld,\"session_key\":\"%s\"", id,
	    cafe ? "true" : "false", cafe ? qcafe : "null",
	    r->w->cfg->games_json, (long long)r->w->cfg->heartbeat_interval,
	    key);
	explicit_bzero(key, sizeof(key));
	if (len == -1) {
		reply_error(r, 500, "INTERNAL_ERROR", "reply too large");
		return;
	}
	if (pw_ls_start_key(r->w->st, pc, (size_t)n, cafe ? cafe->hash : 0,
	    r->ls_flags, ls) == -1) {
		explicit_bzero(out, sizeof(out));
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	if (cafe != NULL && (r->ls_flags & PW_LS_HOME_KEY) &&
	    (cs = pw_cafe_state(r->w->st, cafe->hash)) != NULL)
		atomic_fetch_add(&cs->home_key_starts, 1);
	reply_raw(r, 200, out, (size_t)len);
	explicit_bzero(out, sizeof(out));
}

void
h_lheartbeat(struct pw_req *r)
{
	if (same_session(r) == -1)
		return;
	pw_ls_touch(r->w->st, r->ls);
	reply_data(r, "\"result\":\"OK\"");
}

void
h_lott(struct pw_req *r)
{
	const struct pw_game *g;
	struct pw_slot *s = r->ls;
	uint8_t ott[PW_KEY_LEN];
	char game[PW_ID_MAX + 8], id[48];
	uint64_t now;

	if (same_session(r) == -1 ||
	    req_string(r, "game_id", game, sizeof(game), 1) == -1)
		return;
	if ((g = pw_config_game(r->w->cfg, game)) == NULL) {
		reply_error(r, 404, "UNKNOWN_GAME", "no such game");
		return;
	}
	pw_ls_touch(r->w->st, s);
	if (!pw_ott_quota_take(s, r->w->cfg->ott_per_launcher)) {
		reply_error(r, 429, "TOO_MANY_OTTS", "this launcher session "
		    "holds %lld unused OTTs already",
		    (long long)r->w->cfg->ott_per_launcher);
		return;
	}
	now = pw_store_now(r->w->st);
	if (pw_ott_issue(r->w->st, g->hash, s->u.ls.cafe, s->u.ls.pc,
	    pw_store_ref(r->w->st, s), now, ott) == -1) {
		pw_ott_quota_put(s);
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	(void)pw_id_format(PW_T_OTT, ott, id, sizeof(id));
	reply_data(r, "\"ott\":\"%s\",\"expires_in\":%lld,\"expires_at\":%llu",
	    id, (long long)r->w->cfg->ott_ttl, (unsigned long long)(
	    pw_store_wall(r->w->st, now) / 1000 + (uint64_t)r->w->cfg->ott_ttl));
}
