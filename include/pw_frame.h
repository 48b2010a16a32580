/*
 * Strict HTTP/1.1 request framing (API.md 1, RFC 9112): a resumable scan
 * of a request's line and header fields, fed the bytes as they arrive,
 * before evhttp parses them.  It needs no libevent, so that the unit
 * tests and the request fuzzer drive it directly.
 */
#ifndef PW_FRAME_H
#define PW_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PW_FRAME_PATH	64	/* longer paths are no route of ours */
#define PW_FRAME_VAL	72	/* kept of a field value we look at */

enum pw_frame_rc {
	PW_FRAME_MORE,		/* the head goes on */
	PW_FRAME_DONE,		/* the head ended; see pw_frame_verdict */
	PW_FRAME_BAD		/* refused; why says why */
};

/* What pw_frame_verdict found wrong with a complete head. */
enum pw_frame_verdict {
	PW_FV_OK,
	PW_FV_BAD,		/* 400 BAD_REQUEST */
	PW_FV_UNKNOWN_METHOD	/* 501 NOT_IMPLEMENTED */
};

struct pw_frame {
	int		 st;		/* where in the head the scan is */
	size_t		 len;		/* head bytes so far */
	size_t		 max;		/* and at most */
	const char	*why;		/* of a refusal */
	char		 method[12];	/* as sent, not NUL-terminated */
	size_t		 mlen;
	int		 mtype;		/* its evhttp_cmd_type, or 0 */
	char		 path[PW_FRAME_PATH + 1];
	size_t		 plen;
	int		 plong;		/* path over PW_FRAME_PATH */
	int		 query;		/* past the path, in ?query */
	char		 version[9];
	size_t		 vlen;
	int		 http11;	/* HTTP/1.1, not 1.0 */
	size_t		 tstart;	/* the target's offset, 0 until read */
	size_t		 tend;		/* and its end, 0 until read */
	/* The field being read. */
	char		 name[24];	/* as sent, not NUL-terminated */
	size_t		 nlen;
	int		 field;
	char		 val[PW_FRAME_VAL + 1];
	size_t		 vallen;	/* to the last non-blank byte */
	size_t		 valraw;	/* all bytes after leading blanks */
	/* What the fields said. */
	int		 ncl, nte, nhost;
	int		 cl_bad, te_bad, expect_bad;
	int		 expect100;
	int64_t		 clen;		/* -1 none */
	char		 rid[65];	/* X-Request-ID, if well-formed */
};

void	pw_frame_init(struct pw_frame *, size_t max_head);
/*
 * Scan n more bytes.  *used is how many belong to the head: all n while
 * PW_FRAME_MORE, through the blank line at PW_FRAME_DONE.
 */
enum pw_frame_rc pw_frame_feed(struct pw_frame *, const char *, size_t,
	    size_t *used);
/* Once DONE: can the request go on, and if not, why. */
enum pw_frame_verdict pw_frame_verdict(struct pw_frame *);
/* HTTP/1.1 (not 1.0) */
int	pw_frame_http11(const struct pw_frame *);
/* The evhttp_cmd_type value of the method, or 0 for one evhttp lacks. */
int	pw_frame_method(const struct pw_frame *);
int	pw_frame_chunked(const struct pw_frame *);
/*
 * Where the method and the request target lie in the head, as far as the
 * scan read them (a refused request's log line): 0 lengths if unread.
 */
void	pw_frame_line(const struct pw_frame *, size_t *mlen, size_t *toff,
	    size_t *tlen);

/* A loopback peer (127.0.0.0/8, ::1), to whom the API listener shows
 * /metrics. */
struct sockaddr;
int	pw_peer_loopback(const struct sockaddr *);

#endif /* PW_FRAME_H */
