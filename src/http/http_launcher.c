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

#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_names.h"
#include "pw_session.h"

static int
id_of(struct pw_req *r, uint8_t ls[PW_KEY_LEN])
{
	return (req_uuid(r, "launcher_session_id", PW_T_LS, ls));
}

static int
ls_error(struct pw_req *r, enum pw_touch t)
{
	if (t == PW_TOUCH_NOT_FOUND)
		reply_error(r, 404, "SESSION_NOT_FOUND", "no such launcher "
		    "session");
	else if (t == PW_TOUCH_ENDED)
		reply_error(r, 410, "SESSION_ENDED", "launcher session "
		    "replaced or lost");
	else if (t == PW_TOUCH_MISMATCH)
		reply_error(r, 403, "CAFE_MISMATCH", "launcher session of "
		    "another cafe");
	else
		return (0);
	return (1);
}

/*
 * The reply is rendered, and known to fit, before the session exists:
 * a start that answers an error has replaced nothing.
 */
void
h_lsession(struct pw_req *r)
{
	const struct pw_cafe *cafe = r->cafe;
	struct in_addr in;
	uint8_t ls[PW_KEY_LEN];
	char pc[80], ip[32], id[48], qcafe[6 * PW_ID_MAX + 3];
	char out[PW_REPLY_MAX];
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
	if (cafe != NULL)
		pw_json_quote(qcafe, sizeof(qcafe), cafe->id, strlen(cafe->id));
	len = reply_render(r, out, sizeof(out), "\"launcher_session_id\":"
	    "\"%s\",\"is_pc_cafe\":%s,\"pc_cafe_id\":%s,\"games\":%s,"
	    "\"heartbeat_in\":%lld", id, cafe ? "true" : "false",
	    cafe ? qcafe : "null", r->w->cfg->games_json,
	    (long long)r->w->cfg->heartbeat_interval);
	if (len == -1) {
		reply_error(r, 500, "INTERNAL_ERROR", "reply too large");
		return;
	}
	if (pw_ls_start_key(r->w->st, pc, (size_t)n, cafe ? cafe->hash : 0,
	    ls) == -1) {
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	reply_raw(r, 200, out, (size_t)len);
}

static uint32_t
cafe_hash(const struct pw_req *r)
{
	return (r->cafe != NULL ? r->cafe->hash : 0);
}

void
h_lheartbeat(struct pw_req *r)
{
	uint8_t ls[PW_KEY_LEN];

	if (id_of(r, ls) == -1 ||
	    ls_error(r, pw_ls_touch(r->w->st, ls, cafe_hash(r), NULL)))
		return;
	reply_data(r, "\"result\":\"OK\"");
}

void
h_lott(struct pw_req *r)
{
	const struct pw_game *g;
	struct pw_slot *s;
	uint8_t ls[PW_KEY_LEN], ott[PW_KEY_LEN];
	char game[PW_ID_MAX + 8], id[48];
	uint64_t now;

	if (id_of(r, ls) == -1 ||
	    req_string(r, "game_id", game, sizeof(game), 1) == -1)
		return;
	if ((g = pw_config_game(r->w->cfg, game)) == NULL) {
		reply_error(r, 404, "UNKNOWN_GAME", "no such game");
		return;
	}
	if (ls_error(r, pw_ls_touch(r->w->st, ls, cafe_hash(r), &s)))
		return;
	if (!pw_ott_quota_take(s, r->w->cfg->ott_per_launcher)) {
		reply_error(r, 429, "TOO_MANY_OTTS", "this launcher session "
		    "holds %lld unused OTTs already",
		    (long long)r->w->cfg->ott_per_launcher);
		return;
	}
	now = pw_now_ms();
	if (pw_ott_issue(r->w->st, g->hash, s->u.ls.cafe, s->u.ls.pc,
	    pw_store_ref(r->w->st, s), now, ott) == -1) {
		pw_ott_quota_put(s);
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	(void)pw_id_format(PW_T_OTT, ott, id, sizeof(id));
	reply_data(r, "\"ott\":\"%s\",\"expires_in\":%lld,\"expires_at\":%llu",
	    id, (long long)r->w->cfg->ott_ttl, (unsigned long long)(now / 1000 +
	    (uint64_t)r->w->cfg->ott_ttl));
}
