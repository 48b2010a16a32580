/*
 * Endpoints for operators: GET /healthz and GET /metrics.
 */
#include <sys/types.h>

#include "pw.h"
#include "http.h"
#include "pw_metrics.h"

void
h_healthz(struct pw_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	reply_json(r, 200, ok, sizeof(ok) - 1);
}

void
h_metrics(struct pw_req *r)
{
	static char buf[65536];
	size_t n;

	n = pw_metrics_render(r->w->st, r->w->cfg, buf, sizeof(buf));
	reply_typed(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, n);
}
