/*
 * Routing and the checks every request goes through, in the API's order:
 * route (404, 405), size (413), authentication (401), rate (429), content
 * type and body (400).  Route and size are decided from the head alone,
 * before a body is read (http_conn.c asks for a request with a body);
 * handlers see a parsed JSON object.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_session.h"

/* Every endpoint that has a path (the table's last line has none). */
static const struct pw_route routes[] = {
#define PW_ENDPOINT(sym, name, path, methods, allow, auth, body, handler) \
	{ path, methods, allow, auth, body, PW_EP_##sym, handler },
#include "tbl/endpoints.h"
#undef PW_ENDPOINT
};

static const struct pw_route *
route_find(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].path != NULL && strcmp(routes[i].path, path) == 0)
			return (&routes[i]);
	return (NULL);
}

/*
 * With a metrics-listen address, /metrics lives there only, and that
 * address serves nothing but the operator endpoints; on the API listener
 * /metrics answers loopback peers only.
 */
int
http_route_decide(struct worker *w, int ops, const char *path, int method,
    int64_t clen, int local, const struct pw_route **rp)
{
	const struct pw_route *rt;

	rt = route_find(path);
	if (rt != NULL && (ops ? rt->auth != PW_AUTH_NONE :
	    (rt->handler == h_metrics && (w->ctx->nmetrics > 0 || !local))))
		rt = NULL;
	*rp = rt;
	if (rt == NULL)
		return (404);
	if ((method & rt->methods) == 0)
		return (405);
	if (clen > w->cfg->max_body)
		return (413);
	return (0);
}

static int
auth_api_key(struct pw_req *r)
{
	const struct pw_config *cfg = r->w->cfg;
	const char *key;
	uint64_t secs;

	key = http_header(r, PW_H_X_API_KEY);
	if (key == NULL || (r->game = pw_config_game_by_key(cfg, key,
	    strlen(key), &r->key_index)) == NULL) {
		reply_error(r, PW_E_INVALID_API_KEY, NULL);
		return (-1);
	}
	if (!http_rate_take(r, http_rate_api_key(r), &secs)) {
		http_retry_after(r, secs);
		reply_error(r, PW_E_RATE_LIMITED, "more requests per second "
		    "than rate-limit for this API key");
		return (-1);
	}
	return (0);
}

/*
 * The route (a request with a body had its own decided from its head,
 * before the body was read), then the checks; 0 when the handler may run.
 */
static int
checks(struct pw_req *r)
{
	int status = 0, local;

	if (r->route == NULL) {
		local = strcmp(r->path, "/metrics") == 0 &&
		    pw_peer_loopback(http_conn_peer(r->conn));
		status = http_route_decide(r->w, r->ops_listener, r->path,
		    r->method, (int64_t)r->len, local, &r->route);
	}
	if (r->route == NULL) {
		pw_count(r->w->st, PW_C_EP_OTHER, 1);
		reply_error(r, PW_E_NOT_FOUND, NULL);
		return (-1);
	}
	pw_count(r->w->st, PW_C_EP_VERIFY + r->route->endpoint, 1);
	if (status == 405) {
		r->allow = r->route->allow;
		reply_error(r, PW_E_METHOD_NOT_ALLOWED, NULL);
		return (-1);
	}
	if (status == 413) {
		reply_error(r, PW_E_PAYLOAD_TOO_LARGE, NULL);
		return (-1);
	}
	if (r->route->auth == PW_AUTH_API_KEY && auth_api_key(r) == -1)
		return (-1);
	if (r->route->auth == PW_AUTH_LAUNCHER && http_launcher_auth(r) == -1)
		return (-1);
	if (r->route->body && r->route->auth != PW_AUTH_REALPLAY &&
	    http_parse_body(r) == -1)
		return (-1);
	return (0);
}

void
http_dispatch(struct pw_req *r)
{
	if (checks(r) == 0)
		r->route->handler(r);
	/* A handler that answered nothing is a bug: never a hung client. */
	if (!r->answered)
		reply_error(r, PW_E_INTERNAL_ERROR, NULL);
}
