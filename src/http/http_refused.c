/*
 * A refused request's access-log line.  The input path refuses a request
 * from its head (http_input.c); its line is kept until the refusal is
 * answered, after the requests before it on the connection, whose lines
 * come first (conn_refusal_send), or written when the connection goes,
 * if the client left before its turn.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "http_connection.h"

const char *
conn_refusal_code(int status)
{
	switch (status) {
	case 404: return ("NOT_FOUND");
	case 405: return ("METHOD_NOT_ALLOWED");
	case 413: return ("PAYLOAD_TOO_LARGE");
	case 501: return ("NOT_IMPLEMENTED");
	default: return ("BAD_REQUEST");
	}
}

/*
 * The method and the target of the head at the start of src, as far as
 * the scan read them, for the log line.
 */
static void
head_line(struct pw_conn *c, struct evbuffer *src, char *m, size_t msz,
    char *t, size_t tsz)
{
	struct evbuffer_ptr p;
	size_t ml, to, tl;
	ev_ssize_t k;

	m[0] = t[0] = '\0';
	pw_frame_line(&c->fr, &ml, &to, &tl);
	if (ml > 0 && (k = evbuffer_copyout(src, m, ml < msz ? ml :
	    msz - 1)) > 0)
		m[k] = '\0';
	if (tl > 0 && evbuffer_ptr_set(src, &p, to, EVBUFFER_PTR_SET) == 0 &&
	    (k = evbuffer_copyout_from(src, &p, t, tl < tsz ? tl :
	    tsz - 1)) > 0)
		t[k] = '\0';
}

/* The refusal's log line, kept until it is answered. */
void
conn_rlog_keep(struct pw_conn *c, struct evbuffer *src, const char *rid,
    int status, size_t bytes, uint64_t t0)
{
	struct conn_rlog *l;

	if (c->w->ctx->access_fd == -1)
		return;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_warnx("connection on fd %d: no memory for a log line",
		    c->fd);
		return;
	}
	head_line(c, src, l->method, sizeof(l->method), l->target,
	    sizeof(l->target));
	strlcpy(l->rid, rid, sizeof(l->rid));
	l->rf.method = l->method;
	l->rf.target = l->target;
	l->rf.rid = l->rid;
	l->rf.status = status;
	l->rf.code = conn_refusal_code(status);
	l->rf.bytes = bytes;
	l->rf.t0 = t0;
	c->rlog = l;
}

void
conn_log_refusal(struct pw_conn *c)
{
	if (c->rlog == NULL)
		return;
	c->rlog->rf.peer = conn_peer(c);
	http_access_refused(c->w, &c->rlog->rf);
	free(c->rlog);
	c->rlog = NULL;
}
