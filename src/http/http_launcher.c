/*
 * The launcher API.  Requests are already signed-checked
 * (http_route.c), and r->cafe set from where the request came from
 * (http_origin.c), never from what it says.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdatomic.h>
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
		reply_error(r, PW_E_BAD_REQUEST, "field 'launcher_session_id' "
		    "is not the session of X-Launcher-Session");
		return (-1);
	}
	return (0);
}

/*
 * The reply is rendered, and known to fit, before the session exists:
 * a start that answers an error has replaced nothing.  The session key
 * is derived from the new id and sent once; it is never stored.
 */
static int
start_reply(struct pw_req *r, const uint8_t ls[PW_KEY_LEN])
{
	const struct pw_cafe *cafe = r->cafe;
	uint8_t k[PW_SESSION_KEY_LEN];
	char id[48], key[PW_SESSION_KEY_TEXT + 1];
	struct pw_buf *b;

	(void)pw_id_format(PW_T_LS, ls, id, sizeof(id));
	pw_ls_session_key(r->w->st, ls, k);
	(void)pw_b64url_encode(k, sizeof(k), key, sizeof(key));
	explicit_bzero(k, sizeof(k));
	b = reply_begin(r);
	pw_buf_str(b, "\"launcher_session_id\":\"");
	pw_buf_str(b, id);
	pw_buf_str(b, "\",\"is_pc_cafe\":");
	pw_buf_str(b, cafe != NULL ? "true" : "false");
	pw_buf_str(b, ",\"pc_cafe_id\":");
	if (cafe != NULL)
		pw_buf_quote(b, cafe->id);
	else
		pw_buf_str(b, "null");
	pw_buf_str(b, ",\"games\":");
	pw_buf_str(b, r->w->cfg->games_json);
	pw_buf_str(b, ",\"heartbeat_in\":");
	pw_buf_u64(b, (uint64_t)r->w->cfg->heartbeat_interval);
	pw_buf_str(b, ",\"session_key\":\"");
	pw_buf_str(b, key);
	pw_buf_str(b, "\"}}");
	explicit_bzero(key, sizeof(key));
	if (b->overflow) {
		reply_error(r, PW_E_INTERNAL_ERROR, "reply too large");
		return (-1);
	}
	return (0);
}

void
h_lsession(struct pw_req *r)
{
	const struct pw_cafe *cafe = r->cafe;
	struct pw_cafe_state *cs;
	struct in_addr in;
	uint8_t ls[PW_KEY_LEN];
	char pc[80], ip[32];
	int n;

	if ((n = req_string(r, "pc_id", pc, sizeof(pc), 1)) == -1 ||
	    req_string(r, "internal_ip", ip, sizeof(ip), 1) == -1)
		return;
	if (n > 64) {
		reply_error(r, PW_E_BAD_REQUEST, "field 'pc_id' must be 1 to 64 "
		    "characters");
		return;
	}
	if (inet_pton(AF_INET, ip, &in) != 1) {
		reply_error(r, PW_E_BAD_REQUEST, "field 'internal_ip' must be a "
		    "dotted IPv4 address");
		return;
	}
	pw_store_new_id(r->w->st, ls);
	if (start_reply(r, ls) == -1)
		return;
	if (pw_ls_start_key(r->w->st, pc, (size_t)n, cafe ? cafe->hash : 0,
	    r->ls_flags, ls) == -1) {
		explicit_bzero(r->w->scratch, sizeof(r->w->scratch));
		reply_error(r, PW_E_STORE_FULL, NULL);
		return;
	}
	if (cafe != NULL && (r->ls_flags & PW_LS_HOME_KEY) &&
	    (cs = pw_cafe_state(r->w->st, cafe->hash)) != NULL)
		atomic_fetch_add(&cs->home_key_starts, 1);
	reply_json(r, 200, r->w->rb.buf, r->w->rb.len);
	explicit_bzero(r->w->scratch, sizeof(r->w->scratch));
}

void
h_lheartbeat(struct pw_req *r)
{
	if (same_session(r) == -1)
		return;
	pw_ls_touch(r->w->st, r->ls);
	pw_buf_str(reply_begin(r), "\"result\":\"OK\"");
	reply_end(r);
}

void
h_lott(struct pw_req *r)
{
	const struct pw_game *g;
	struct pw_slot *s = r->ls;
	uint8_t ott[PW_KEY_LEN];
	char game[PW_ID_MAX + 8], id[48];
	struct pw_buf *b;
	uint64_t now;

	if (same_session(r) == -1 ||
	    req_string(r, "game_id", game, sizeof(game), 1) == -1)
		return;
	if ((g = pw_config_game(r->w->cfg, game)) == NULL) {
		reply_error(r, PW_E_UNKNOWN_GAME, NULL);
		return;
	}
	pw_ls_touch(r->w->st, s);
	if (!pw_ott_quota_take(s, r->w->cfg->ott_per_launcher)) {
		reply_error(r, PW_E_TOO_MANY_OTTS, "this launcher session holds "
		    "ott-per-launcher unused OTTs already");
		return;
	}
	now = pw_store_now(r->w->st);
	if (pw_ott_issue(r->w->st, g->hash, s->u.ls.cafe, s->u.ls.pc,
	    pw_store_ref(r->w->st, s), now, ott) == -1) {
		pw_ott_quota_put(s);
		reply_error(r, PW_E_STORE_FULL, NULL);
		return;
	}
	(void)pw_id_format(PW_T_OTT, ott, id, sizeof(id));
	b = reply_begin(r);
	pw_buf_str(b, "\"ott\":\"");
	pw_buf_str(b, id);
	pw_buf_str(b, "\",\"expires_in\":");
	pw_buf_u64(b, (uint64_t)r->w->cfg->ott_ttl);
	pw_buf_str(b, ",\"expires_at\":");
	pw_buf_u64(b, pw_store_wall(r->w->st, now) / 1000 +
	    (uint64_t)r->w->cfg->ott_ttl);
	reply_end(r);
}
