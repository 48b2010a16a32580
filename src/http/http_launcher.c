/*
 * The launcher API.  Requests are already signed-checked
 * (http_route.c).  Which cafe a launcher sits in comes from where the
 * request came from, never from what it says.
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
to_sockaddr(const char *s, size_t n, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[64];

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return (-1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return (0);
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return (0);
	}
	return (-1);
}

/*
 * The peer, or behind a trusted proxy the right-most X-Forwarded-For hop
 * that is not itself a trusted proxy: the left part is client-supplied.
 */
static const struct pw_cafe *
request_cafe(struct pw_req *r)
{
	const struct pw_config *cfg = r->w->cfg;
	struct sockaddr_storage ss;
	const char *xff, *end, *p;
	char *addr;
	ev_uint16_t port;

	evhttp_connection_get_peer(evhttp_request_get_connection(r->req),
	    &addr, &port);
	if (addr == NULL || to_sockaddr(addr, strlen(addr), &ss) == -1)
		return (NULL);
	if (!pw_config_is_proxy(cfg, (struct sockaddr *)&ss) ||
	    (xff = http_header(r, "X-Forwarded-For")) == NULL)
		return (pw_config_cafe_for_addr(cfg, (struct sockaddr *)&ss));
	for (end = xff + strlen(xff);;) {
		for (p = end; p > xff && p[-1] != ','; p--)
			;
		if (to_sockaddr(p, (size_t)(end - p), &ss) == -1)
			return (NULL);
		if (!pw_config_is_proxy(cfg, (struct sockaddr *)&ss) ||
		    p == xff)
			break;
		end = p - 1;	/* the comma */
	}
	return (pw_config_cafe_for_addr(cfg, (struct sockaddr *)&ss));
}

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
	else
		return (0);
	return (1);
}

static size_t
games_json(const struct pw_config *cfg, char *buf, size_t n)
{
	char qid[64], qname[300];
	size_t len;
	int i;

	len = strlcpy(buf, "[", n);
	for (i = 0; i < cfg->ngames && len < n; i++) {
		pw_json_quote(qid, sizeof(qid), cfg->games[i].id,
		    strlen(cfg->games[i].id));
		pw_json_quote(qname, sizeof(qname), cfg->games[i].name,
		    strlen(cfg->games[i].name));
		len += (size_t)snprintf(buf + len, n - len,
		    "%s{\"game_id\":%s,\"name\":%s}", i ? "," : "", qid, qname);
	}
	if (len < n)
		len += strlcpy(buf + len, "]", n - len);
	return (len);
}

void
h_lsession(struct pw_req *r)
{
	const struct pw_cafe *cafe;
	struct in_addr in;
	uint8_t ls[PW_KEY_LEN];
	char pc[80], ip[32], id[48], games[2048], qcafe[64];
	int n;

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
	cafe = request_cafe(r);
	if (pw_ls_start(r->w->st, pc, (size_t)n, cafe ? cafe->hash : 0,
	    ls) == -1) {
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	(void)pw_id_format(PW_T_LS, ls, id, sizeof(id));
	if (games_json(r->w->cfg, games, sizeof(games)) >= sizeof(games)) {
		reply_error(r, 500, "INTERNAL_ERROR", "too many games");
		return;
	}
	if (cafe != NULL)
		pw_json_quote(qcafe, sizeof(qcafe), cafe->id, strlen(cafe->id));
	reply_data(r, "\"launcher_session_id\":\"%s\",\"is_pc_cafe\":%s,"
	    "\"pc_cafe_id\":%s,\"games\":%s,\"heartbeat_in\":%lld", id,
	    cafe ? "true" : "false", cafe ? qcafe : "null", games,
	    (long long)r->w->cfg->heartbeat_interval);
}

void
h_lheartbeat(struct pw_req *r)
{
	uint8_t ls[PW_KEY_LEN];

	if (id_of(r, ls) == -1 ||
	    ls_error(r, pw_ls_touch(r->w->st, ls, NULL)))
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
	if (ls_error(r, pw_ls_touch(r->w->st, ls, &s)))
		return;
	now = pw_now_ms();
	if (pw_ott_issue(r->w->st, g->hash, s->u.ls.cafe, s->u.ls.pc, now,
	    ott) == -1) {
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	(void)pw_id_format(PW_T_OTT, ott, id, sizeof(id));
	reply_data(r, "\"ott\":\"%s\",\"expires_in\":%lld,\"expires_at\":%llu",
	    id, (long long)r->w->cfg->ott_ttl, (unsigned long long)(now / 1000 +
	    (uint64_t)r->w->cfg->ott_ttl));
}
