/*
 * The HTTP endpoints: the route table, the per-endpoint request counter
 * and its endpoint=... label all come from here.
 *
 * PW_ENDPOINT(symbol, name, path, methods, allow, auth, body, handler)
 *	symbol	the counter is PW_C_EP_<symbol>
 *	name	the endpoint_requests_total{endpoint=...} label
 *	path	exact request path; NULL for requests that match none
 *	methods	PW_M_* mask of the methods it takes (include/tbl/methods.h)
 *	allow	the Allow header of a 405
 *	auth	enum pw_auth: what authenticates the request
 *	body	1 when the endpoint takes a JSON body
 *	handler	the function that answers it
 */
PW_ENDPOINT(VERIFY, "verify", "/v1/game/session/verify",
    PW_M_POST, "POST", PW_AUTH_API_KEY, 1, h_verify)
PW_ENDPOINT(HEARTBEAT, "heartbeat", "/v1/game/session/heartbeat",
    PW_M_PATCH, "PATCH", PW_AUTH_API_KEY, 1, h_heartbeat)
PW_ENDPOINT(END, "end", "/v1/game/session/end",
    PW_M_DELETE, "DELETE", PW_AUTH_API_KEY, 1, h_end)
PW_ENDPOINT(CHECK, "check", "/v1/game/session/check",
    PW_M_POST, "POST", PW_AUTH_API_KEY, 1, h_check)
PW_ENDPOINT(LSESSION, "launcher_session", "/v1/launcher/session",
    PW_M_POST, "POST", PW_AUTH_LAUNCHER, 1, h_lsession)
PW_ENDPOINT(LHEARTBEAT, "launcher_heartbeat", "/v1/launcher/session/heartbeat",
    PW_M_PATCH, "PATCH", PW_AUTH_LAUNCHER, 1, h_lheartbeat)
PW_ENDPOINT(LOTT, "launcher_ott", "/v1/launcher/ott",
    PW_M_POST, "POST", PW_AUTH_LAUNCHER, 1, h_lott)
PW_ENDPOINT(AUTH, "authenticate", "/v1/authenticate",
    PW_M_POST, "POST", PW_AUTH_REALPLAY, 1, h_authenticate)
PW_ENDPOINT(HEALTH, "healthz", "/healthz",
    PW_M_GET | PW_M_HEAD, "GET, HEAD", PW_AUTH_NONE, 0, h_healthz)
PW_ENDPOINT(READY, "readyz", "/readyz",
    PW_M_GET | PW_M_HEAD, "GET, HEAD", PW_AUTH_NONE, 0, h_readyz)
PW_ENDPOINT(METRICS, "metrics", "/metrics",
    PW_M_GET | PW_M_HEAD, "GET, HEAD", PW_AUTH_NONE, 0, h_metrics)
PW_ENDPOINT(OTHER, "other", NULL, 0, NULL, PW_AUTH_NONE, 0, NULL)
