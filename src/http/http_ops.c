/*
 * Endpoints for operators: GET /healthz and GET /metrics, and the access
 * log line written for every reply.
 */
#include <sys/types.h>

#include <event2/http.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_http.h"
#include "pw_metrics.h"

void
h_healthz(struct pw_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	reply_raw(r, 200, ok, sizeof(ok) - 1);
}

void
h_metrics(struct pw_req *r)
{
	static char buf[32768];
	size_t n;

	n = pw_metrics_render(r->w->st, buf, sizeof(buf));
	reply_typed(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, n);
}

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return ("GET");
	case EVHTTP_REQ_POST: return ("POST");
	case EVHTTP_REQ_HEAD: return ("HEAD");
	case EVHTTP_REQ_PUT: return ("PUT");
	case EVHTTP_REQ_DELETE: return ("DELETE");
	case EVHTTP_REQ_OPTIONS: return ("OPTIONS");
	case EVHTTP_REQ_TRACE: return ("TRACE");
	case EVHTTP_REQ_CONNECT: return ("CONNECT");
	case EVHTTP_REQ_PATCH: return ("PATCH");
	default: return ("?");
	}
}

/* time peer method path status bytes duration-us request-id */
void
access_log(struct pw_req *r)
{
	char line[512], ts[32], path[128];
	const char *uri;
	char *peer = NULL;
	ev_uint16_t port = 0;
	size_t i;
	int n;

	pw_iso8601_ms(pw_now_ms(), ts);
	evhttp_connection_get_peer(evhttp_request_get_connection(r->req),
	    &peer, &port);
	uri = evhttp_request_get_uri(r->req);
	strlcpy(path, uri != NULL ? uri : "-", sizeof(path));
	for (i = 0; path[i] != '\0'; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			path[i] = '?';
	n = snprintf(line, sizeof(line), "%s %s %s %s %d %zu %llu %s\n", ts,
	    peer != NULL ? peer : "-", method_name(
	    evhttp_request_get_command(r->req)), path, r->status, r->bytes,
	    (unsigned long long)(pw_mono_us() - r->t0), r->rid);
	if (n > 0)
		(void)write(r->w->ctx->access_fd, line, (size_t)n <
		    sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
