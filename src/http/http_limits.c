/*
 * The limits a worker keeps on its connections, below the connections
 * themselves: how many it holds (max-connections: at the cap it stops
 * accepting and leaves new connections to the others), and how many each
 * peer address holds (max-connections-per-source, counting only peers
 * outside trusted-proxy: behind HAProxy every connection is the proxy's).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include <event2/event.h>

#include "pw.h"
#include "http.h"

/* The address bytes a source is counted by (IPv4 as its 4 bytes). */
static int
src_addr(const struct sockaddr *sa, uint8_t a[16], uint32_t *family)
{
	memset(a, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
		*family = AF_INET;
		return (0);
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
		*family = AF_INET6;
		return (0);
	}
	return (-1);
}

static uint64_t
src_hash(const uint8_t a[16])
{
	uint64_t h = 1469598103934665603ull;
	int i;

	/* Only the worker's own table: placement needs no key here. */
	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	return (h);
}

/* The entry of a source, found or (add) made; NULL when the table is full. */
static struct http_src *
src_find(struct worker *w, const uint8_t a[16], uint32_t family, int add)
{
	struct http_src *s;
	uint64_t i, n;

	for (n = 0, i = src_hash(a) & w->srcmask; n <= w->srcmask;
	    n++, i = (i + 1) & w->srcmask) {
		s = &w->srcs[i];
		if (s->count == 0)
			break;
		if (s->family == family && memcmp(s->addr, a, 16) == 0)
			return (s);
	}
	if (!add || n > w->srcmask)
		return (NULL);
	memcpy(s->addr, a, 16);
	s->family = family;
	return (s);
}

/* Backward-shift deletion keeps every run whole without tombstones. */
static void
src_remove(struct worker *w, struct http_src *s)
{
	struct http_src *t;
	uint64_t i, j, home;

	i = (uint64_t)(s - w->srcs);
	for (j = (i + 1) & w->srcmask; w->srcs[j].count != 0;
	    j = (j + 1) & w->srcmask) {
		t = &w->srcs[j];
		home = src_hash(t->addr) & w->srcmask;
		/* t may move to i if i lies on its way from home to j. */
		if (((j - home) & w->srcmask) >= ((j - i) & w->srcmask)) {
			w->srcs[i] = *t;
			i = j;
		}
	}
	memset(&w->srcs[i], 0, sizeof(w->srcs[i]));
}

int
http_src_take(struct worker *w, const struct sockaddr *sa)
{
	struct http_src *s;
	uint8_t a[16];
	uint32_t family;

	if (src_addr(sa, a, &family) == -1 ||
	    (s = src_find(w, a, family, 1)) == NULL)
		return (-1);
	if (s->count >= (uint32_t)w->cfg->max_conn_per_source) {
		if (s->count == 0)
			memset(s, 0, sizeof(*s));
		return (-1);
	}
	s->count++;
	return (0);
}

void
http_src_put(struct worker *w, const struct sockaddr *sa)
{
	struct http_src *s;
	uint8_t a[16];
	uint32_t family;

	if (src_addr(sa, a, &family) == -1 ||
	    (s = src_find(w, a, family, 0)) == NULL || s->count == 0)
		return;
	if (--s->count == 0)
		src_remove(w, s);
}

static void
listeners_set(struct worker *w, int on)
{
	int i;

	for (i = 0; i < w->nlis; i++) {
		if (on)
			(void)event_add(&w->lis[i].ev, NULL);
		else
			(void)event_del(&w->lis[i].ev);
	}
}

void
http_accept_enable(struct worker *w, int on)
{
	on = on && !w->draining && !w->paused &&
	    w->nconn < w->cfg->max_connections;
	if (on == w->accepting)
		return;
	listeners_set(w, on);
	w->accepting = on;
}

