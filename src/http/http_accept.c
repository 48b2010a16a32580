/*
 * Accepting connections on the listening sockets the master opened
 * (inherited, not SO_REUSEPORT, whose per-worker queues lose their
 * connections when a worker exits), and the limits that apply at once:
 *
 *  - max-connections per worker: at the cap a worker stops accepting
 *    and leaves new connections to the others (or the backlog);
 *  - max-connections-per-source: connections of one peer address beyond
 *    it are closed at accept, counting only peers outside trusted-proxy
 *    (behind HAProxy every connection is the proxy's);
 *  - out of descriptors (EMFILE, ENFILE): a level-triggered listener
 *    would spin on the connection it cannot take, so accepting pauses for
 *    a moment instead.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pw.h"
#include "http.h"

#define ACCEPT_BATCH	64	/* accepts per wakeup of a listener */
#define PAUSE_MS	100	/* after EMFILE */

static void
resume(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	w->paused = 0;
	http_accept_enable(w, 1);
}

static void
pause_accepting(struct worker *w)
{
	struct timeval tv = { 0, PAUSE_MS * 1000 };

	pw_count(w->st, PW_C_ACCEPT_PAUSED, 1);
	http_accept_enable(w, 0);
	w->paused = 1;
	(void)evtimer_add(&w->resume, &tv);
}

static int
accept_one(int lfd, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd, on = 1;

	*len = sizeof(*ss);
#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__)
	fd = accept4(lfd, (struct sockaddr *)ss, len, SOCK_NONBLOCK |
	    SOCK_CLOEXEC);
#else
	if ((fd = accept(lfd, (struct sockaddr *)ss, len)) != -1 &&
	    (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)) {
		(void)close(fd);
		return (-1);
	}
#endif
	if (fd == -1)
		return (-1);
	/* Replies go out whole: no waiting for the ACK of the last one. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
#ifdef SO_NOSIGPIPE
	(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof(on));
#endif
	return (fd);
}

/* One connection of this peer too many: closed at once, counted. */
static int
over_source_cap(struct worker *w, const struct sockaddr *sa, int *counted)
{
	*counted = 0;
	if (w->cfg->max_conn_per_source == 0 ||
	    pw_config_is_proxy(w->cfg, sa))
		return (0);
	if (http_src_take(w, sa) == -1) {
		pw_count(w->st, PW_C_CONN_SOURCE_CAP, 1);
		return (1);
	}
	*counted = 1;
	return (0);
}

static void
on_accept(evutil_socket_t lfd, short ev, void *arg)
{
	struct http_listener *l = arg;
	struct worker *w = l->w;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, i, counted;

	for (i = 0; i < ACCEPT_BATCH && w->accepting; i++) {
		if ((fd = accept_one(l->fd, &ss, &len)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(w);
			else if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (over_source_cap(w, (struct sockaddr *)&ss, &counted)) {
			(void)close(fd);
			continue;
		}
		http_conn_open(w, fd, (struct sockaddr *)&ss, len, l->ops,
		    counted);
	}
}

static void
listen_on(struct worker *w, int fd, int ops)
{
	struct http_listener *l;

	if (w->nlis == (int)(sizeof(w->lis) / sizeof(w->lis[0])))
		fatalx("too many listeners");
	l = &w->lis[w->nlis++];
	l->w = w;
	l->fd = fd;
	l->ops = ops;
	event_assign(&l->ev, w->base, fd, EV_READ | EV_PERSIST, on_accept, l);
}

void
http_accept_start(struct worker *w)
{
	uint64_t n;
	int i;

	for (i = 0; i < w->ctx->nlisten; i++)
		listen_on(w, w->ctx->listen_fd[i], 0);
	for (i = 0; i < w->ctx->nmetrics; i++)
		listen_on(w, w->ctx->metrics_fd[i], 1);
	/* Sources: at most one per connection, a table at most half full. */
	for (n = 16; n < 2 * (uint64_t)w->cfg->max_connections; n <<= 1)
		;
	if ((w->srcs = calloc(n, sizeof(*w->srcs))) == NULL)
		fatal("calloc");
	w->srcmask = n - 1;
	evtimer_assign(&w->resume, w->base, resume, w);
	http_accept_enable(w, 1);
}
