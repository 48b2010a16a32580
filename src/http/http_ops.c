/*
 * Endpoints for operators: GET /healthz (liveness: a worker answers),
 * GET /readyz (readiness: the store says this shard should take traffic)
 * and GET /metrics.
 */
#include <sys/types.h>

#include <stdlib.h>

#include "pw.h"
#include "pw_buf.h"
#include "pw_store.h"
#include "http.h"
#include "pw_metrics.h"

#define METRICS_MIN	(16 * 1024)	/* grown at the first scrape */
#define METRICS_MAX	(16 * 1024 * 1024)

void
h_healthz(struct pw_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	reply_json(r, 200, ok, sizeof(ok) - 1);
}

/*
 * 200 {"status":"ready"}, or 503 naming every condition not met, so the
 * operator reading a balancer's log knows which without a second look.
 */
void
h_readyz(struct pw_req *r)
{
	static const char ok[] = "{\"status\":\"ready\"}";
	struct pw_buf b;
	unsigned bad, c;
	const char *sep = "";

	if ((bad = pw_store_unready(r->w->st)) == 0) {
		reply_json(r, 200, ok, sizeof(ok) - 1);
		return;
	}
	pw_buf_init(&b, r->w->scratch, sizeof(r->w->scratch));
	pw_buf_str(&b, "{\"status\":\"not_ready\",\"failed\":[");
	for (c = 0; c < PW_NR_COUNT; c++) {
		if ((bad & (1u << c)) == 0)
			continue;
		pw_buf_str(&b, sep);
		pw_buf_quote(&b, pw_unready_name(c));
		sep = ",";
	}
	pw_buf_str(&b, "]}");
	reply_json(r, 503, b.buf, b.len);
}

/*
 * Rendered into the worker's own buffer, grown until the text fits: its
 * size follows the configuration (a line per cafe), and a scrape must
 * never be cut.  Kept for the next scrape; no request of the API uses it.
 */
void
h_metrics(struct pw_req *r)
{
	struct worker *w = r->w;
	size_t n, cap;
	char *p;

	for (;;) {
		if (w->mbuf != NULL && (n = pw_metrics_render(w->st, w->cfg,
		    w->mbuf, w->mcap)) > 0)
			break;
		cap = w->mcap == 0 ? METRICS_MIN : 2 * w->mcap;
		if (cap > METRICS_MAX || (p = realloc(w->mbuf, cap)) == NULL) {
			reply_error(r, PW_E_INTERNAL_ERROR,
			    "metrics too large");
			return;
		}
		w->mbuf = p;
		w->mcap = cap;
	}
	reply_typed(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    w->mbuf, n);
}
