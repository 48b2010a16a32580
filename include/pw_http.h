/*
 * The HTTP service of one worker process: the project's HTTP/1.1 engine
 * (src/http/) on libevent's loop, on the listeners the master opened.
 * The process around it (signals, the tick, its exit) is the daemon's
 * (src/daemon/worker.c), as the reaper's pass is apart from its process.
 */
#ifndef PW_HTTP_H
#define PW_HTTP_H

#include <event2/event.h>

#include "pw_daemon.h"

struct worker;

/* Serve on base as worker index; fatal when it cannot. */
struct worker	*http_worker_new(struct pw_ctx *, struct event_base *,
		    int index);
/*
 * Stop accepting and close idle connections; 1 when some are still open
 * (requests in flight), 0 when none, -1 when already draining.
 */
int		 http_worker_drain(struct worker *);
/*
 * Serve a connected socket as if accepted on an API listener (the
 * request fuzzer drives the engine through a socketpair with it).
 */
struct sockaddr;
void		 http_worker_adopt(struct worker *, int fd,
		    const struct sockaddr *, unsigned salen);
/* Once a second: the Date header and error timestamps move on. */
void		 http_worker_tick(struct worker *);

#endif /* PW_HTTP_H */
