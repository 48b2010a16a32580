/*
 * The HTTP service of one worker process: evhttp on the listeners the
 * master opened, with the connections, routing and replies of src/http/.
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
/* Once a second: time out slow and idle connections. */
void		 http_worker_tick(struct worker *);

#endif /* PW_HTTP_H */
