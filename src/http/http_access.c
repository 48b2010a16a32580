/*
 * The access log: one line per reply, written with one write(2) to the
 * descriptor the master opened (and reopens on SIGUSR1), so lines of
 * concurrent workers never interleave.
 */
#include <sys/types.h>

#include <event2/http.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "http.h"

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
http_access_log(struct pw_req *r)
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
	/* A lost access log line must not fail the request it records. */
	if (n > 0 && write(r->w->ctx->access_fd, line, (size_t)n <
	    sizeof(line) ? (size_t)n : sizeof(line) - 1) == -1)
		return;
}
