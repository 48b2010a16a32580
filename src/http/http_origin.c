/*
 * Where a launcher request comes from: the peer, or behind a
 * trusted proxy the right-most X-Forwarded-For address that is not itself
 * a trusted proxy.  Every X-Forwarded-For field line of the request is
 * part of one list, in order (RFC 9110 5.3): HAProxy's option forwardfor
 * appends its own line after whatever the client sent, so reading only
 * the first line would let a client name its own cafe.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>
#include <strings.h>

#include "pw.h"
#include "http.h"


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
 * Walk the list from its right end; stop at the first address that is
 * not a trusted proxy, or at the left end.  0, or -1 on a malformed list.
 */
static int
xff_client(struct pw_req *r, struct sockaddr_storage *ss)
{
	const struct pw_config *cfg = r->w->cfg;
	const char *const *line = r->xff, *end, *p;
	int n = r->nxff;

	if (n > PW_XFF_MAX)
		return (-1);	/* more is not a proxy chain but an attack */
	if (n == 0)
		return (0);
	while (n-- > 0) {
		for (end = line[n] + strlen(line[n]);;) {
			for (p = end; p > line[n] && p[-1] != ','; p--)
				;
			if (to_sockaddr(p, (size_t)(end - p), ss) == -1)
				return (-1);
			if (!pw_config_is_proxy(cfg, (struct sockaddr *)ss))
				return (0);
			if (p == line[n])
				break;
			end = p - 1;	/* the comma */
		}
	}
	return (0);	/* proxies all the way: the left-most one */
}

void
http_origin(struct pw_req *r)
{
	const struct pw_config *cfg = r->w->cfg;
	struct sockaddr_storage peer;

	if (r->origin_done)
		return;
	r->origin_done = 1;
	r->cafe = NULL;
	memcpy(&peer, http_conn_peer(r->conn), sizeof(peer));
	r->client = peer;
	/*
	 * A malformed list from a proxy names no client: the proxy itself
	 * stays the client, and a proxy is outside every cafe (config).
	 */
	if (pw_config_is_proxy(cfg, (struct sockaddr *)&peer) &&
	    xff_client(r, &r->client) == -1)
		r->client = peer;
	r->cafe = pw_config_cafe_for_addr(cfg, (struct sockaddr *)&r->client);
}

void
http_origin_text(struct pw_req *r, char *out, size_t n)
{
	const void *a;

	http_origin(r);
	if (r->client.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&r->client)->sin_addr;
	else if (r->client.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&r->client)->sin6_addr;
	else
		a = NULL;
	if (a == NULL || inet_ntop(r->client.ss_family, a, out,
	    (socklen_t)n) == NULL)
		(void)strlcpy(out, "-", n);
}
