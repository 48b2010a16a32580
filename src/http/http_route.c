/*
 * Routing and the checks every request goes through, in the API's order:
 * route (404, 405), size (413), authentication (401), rate (429), content
 * type and body (400).  Handlers see a parsed JSON object.
 */
#include <sys/types.h>
#include <event2/buffer.h>
#include <event2/http.h>

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
	{ path, methods, allow, auth, body, PW_C_EP_##sym, handler },
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

static const char *
header(struct pw_req *r, const char *name)
{
	return (evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name));
}

static int
auth_api_key(struct pw_req *r)
{
	const struct pw_config *cfg = r->w->cfg;
	const char *key;
	uint64_t secs;

	key = header(r, "X-Api-Key");
	if (key == NULL || (r->game = pw_config_game_by_key(cfg, key,
	    strlen(key), &r->key_index)) == NULL) {
		reply_error(r, 401, "INVALID_API_KEY", "missing or invalid "
		    "X-Api-Key");
		return (-1);
	}
	if (!http_rate_take(r, http_rate_api_key(r), &secs)) {
		http_retry_after(r, secs);
		reply_error(r, 429, "RATE_LIMITED", "more than %lld requests "
		    "per second for this API key", (long long)cfg->rate_limit);
		return (-1);
	}
	return (0);
}

static int
content_json(struct pw_req *r)
{
	const char *ct;
	size_t n = sizeof("application/json") - 1;

	ct = header(r, "Content-Type");
	if (ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return (0);
	reply_error(r, 400, "BAD_REQUEST", "Content-Type must be "
	    "application/json");
	return (-1);
}

int
http_parse_body(struct pw_req *r)
{
	const char *why = "malformed JSON";

	if (content_json(r) == -1)
		return (-1);
	if (pw_json_parse(&r->js, r->body, r->len, &why) == -1) {
		reply_error(r, 400, "BAD_REQUEST", "%s", why);
		return (-1);
	}
	return (0);
}

/*
 * Route (404, 405) and size (413), from the request line and headers
 * alone: the input path asks before a body byte is read, dispatch asks
 * again for what evhttp passed on.  With a metrics-listen address,
 * /metrics lives there only, and that address serves nothing but the
 * operator endpoints; on the API listener it answers loopback peers only.
 */
int
http_route_decide(struct worker *w, int ops, const char *path, int method,
    int64_t clen, int local, const struct pw_route **rp)
{
	const struct pw_route *rt;

	rt = route_find(path);
	if (rt != NULL && (ops ? rt->auth != PW_AUTH_NONE :
	    (rt->handler == h_metrics && (w->ctx->nmetrics > 0 ||
	    !local))))
		rt = NULL;
	*rp = rt;
	if (rt == NULL)
		return (404);
	if ((method & rt->method) == 0)
		return (405);
	if (clen > w->cfg->max_body)
		return (413);
	return (0);
}

static int
checks(struct pw_req *r, const char *path)
{
	struct evbuffer *in;
	int status, local;

	local = strcmp(path, "/metrics") == 0 &&
	    http_conn_peer_local(r->w, r->req);
	in = evhttp_request_get_input_buffer(r->req);
	r->len = evbuffer_get_length(in);
	status = http_route_decide(r->w, r->ops_listener, path,
	    evhttp_request_get_command(r->req), (int64_t)r->len, local,
	    &r->route);
	if (r->route == NULL) {
		pw_count(r->w->st, PW_C_EP_OTHER, 1);
		reply_error(r, 404, "NOT_FOUND", "no such endpoint");
		return (-1);
	}
	pw_count(r->w->st, r->route->counter, 1);
	if (status == 405) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Allow", r->route->allow);
		reply_error(r, 405, "METHOD_NOT_ALLOWED", "use %s",
		    r->route->allow);
		return (-1);
	}
	if (status == 413) {
		reply_error(r, 413, "PAYLOAD_TOO_LARGE", "body over %lld bytes",
		    (long long)r->w->cfg->max_body);
		return (-1);
	}
	r->body = r->len ? (const char *)evbuffer_pullup(in, -1) : "";
	if (r->route->auth == PW_AUTH_API_KEY && auth_api_key(r) == -1)
		return (-1);
	if (r->route->auth == PW_AUTH_LAUNCHER && http_launcher_auth(r) == -1)
		return (-1);
	if (r->route->body && r->route->auth != PW_AUTH_REALPLAY &&
	    http_parse_body(r) == -1)
		return (-1);
	return (0);
}

static void
dispatch(struct evhttp_request *req, struct worker *w, int ops)
{
	struct pw_req r;
	const struct evhttp_uri *uri;
	const char *path;

	/* The token array is filled by the parser: clear only what precedes. */
	memset(&r, 0, offsetof(struct pw_req, js));
	r.js.ntok = 0;
	r.w = w;
	r.ops_listener = ops;
	r.req = req;
	r.t0 = pw_mono_us();
	http_request_id(&r);
	uri = evhttp_request_get_evhttp_uri(req);
	if (uri == NULL || (path = evhttp_uri_get_path(uri)) == NULL) {
		reply_error(&r, 400, "BAD_REQUEST", "malformed request URI");
		return;
	}
	if (checks(&r, path) == 0)
		r.route->handler(&r);
}

const char *
http_header(struct pw_req *r, const char *name)
{
	return (header(r, name));
}

void
http_dispatch(struct evhttp_request *req, void *arg)
{
	dispatch(req, arg, 0);
}

void
http_dispatch_ops(struct evhttp_request *req, void *arg)
{
	dispatch(req, arg, 1);
}
