/*
 * The HTTP/1.1 request parser (RFC 9112), strict and resumable: a
 * request's line and header fields, fed the bytes as they arrive, and a
 * chunked body decoded in place.  It needs no libevent and no socket, so
 * that the unit tests, the request fuzzer and the engine (src/http/)
 * drive the same code.
 *
 * The head is parsed where it lies: the caller keeps its bytes
 * contiguous, and the parser records where the method, the target and
 * each value of a field it knows (include/tbl/headers.h) lie, as offsets
 * from the head's first byte.  pw_frame_terminate then makes each of
 * those a NUL-terminated string in place.
 */
#ifndef PW_FRAME_H
#define PW_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PW_FRAME_PATH	64	/* longer paths are no route of ours */
#define PW_FRAME_VAL	72	/* kept of a value a framing rule reads */
#define PW_XFF_MAX	32	/* X-Forwarded-For lines: more is no chain */

enum pw_method {
#define PW_METHOD(sym, name)	PW_M_##sym##_BIT,
#include "tbl/methods.h"
#undef PW_METHOD
	PW_M_COUNT
};
#define PW_METHOD(sym, name)	PW_M_##sym = 1 << PW_M_##sym##_BIT,
enum { PW_M_NONE = 0,
#include "tbl/methods.h"
};
#undef PW_METHOD

enum pw_header {
#define PW_HEADER(sym, name, rule)	PW_H_##sym,
#include "tbl/headers.h"
#undef PW_HEADER
	PW_H_COUNT
};

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

/* Where a value lies in the head; len 0 and off 0: absent. */
struct pw_span {
	uint32_t	 off;
	uint32_t	 len;
};

struct pw_frame {
	int		 st;		/* where in the head the scan is */
	size_t		 len;		/* head bytes so far */
	size_t		 max;		/* and at most */
	const char	*why;		/* of a refusal */
	char		 method[12];	/* as sent, not NUL-terminated */
	size_t		 mlen;
	int		 mtype;		/* its PW_M_* bit, or 0 */
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
	int		 field;		/* PW_H_*, or -1 */
	size_t		 vstart;	/* its value's offset in the head */
	char		 val[PW_FRAME_VAL + 1];
	size_t		 vallen;	/* to the last non-blank byte */
	size_t		 valraw;	/* all bytes after leading blanks */
	/* What the fields said. */
	int		 ncl, nte, nhost;
	int		 cl_bad, te_bad, expect_bad;
	int		 host_bad, host_blank;	/* a Host byte, a blank in it */
	int		 expect100;
	int		 conn_close, conn_keep;	/* Connection options */
	int64_t		 clen;		/* -1 none */
	char		 rid[65];	/* X-Request-ID, if well-formed */
	struct pw_span	 hdr[PW_H_COUNT];	/* first line of each */
	struct pw_span	 xff[PW_XFF_MAX];	/* X-Forwarded-For lines */
	int		 nxff;		/* > PW_XFF_MAX: too many */
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
/* The PW_M_* bit of the method, or 0 for one the engine lacks. */
int	pw_frame_method(const struct pw_frame *);
int	pw_frame_chunked(const struct pw_frame *);
/*
 * Where the method and the request target lie in the head, as far as the
 * scan read them (a refused request's log line): 0 lengths if unread.
 */
void	pw_frame_line(const struct pw_frame *, size_t *mlen, size_t *toff,
	    size_t *tlen);
/*
 * Once DONE, on the head's own bytes (contiguous, head[0] its first):
 * make the target and each value kept a NUL-terminated string in place
 * (writing over the byte that ended each, a blank, CR or SP).
 */
void	pw_frame_terminate(const struct pw_frame *, char *head);
/*
 * Connection, all its lines: close (0) if any says close, else
 * keep-alive (1) if one says it, or -1 when neither is there.
 */
int	pw_frame_connection(const struct pw_frame *);

/*
 * A chunked body (RFC 9112 7.1), decoded in place: chunk-size is hex
 * digits alone (no sign, no 0x, no blank, at most 8), a chunk-ext is
 * bounded and has no control byte, every line ends in CRLF exactly, and
 * the trailer section is parsed like header fields and ignored.
 */
enum pw_chunk_rc {
	PW_CHUNK_MORE,		/* the body goes on */
	PW_CHUNK_DONE,		/* the last chunk and the trailers read */
	PW_CHUNK_BAD,		/* malformed: why says why */
	PW_CHUNK_TOO_LARGE	/* the data passed max */
};

struct pw_chunked {
	int		 st;
	uint32_t	 size;		/* of the chunk being read */
	uint32_t	 left;		/* of its data still to come */
	unsigned	 digits;
	unsigned	 extlen;
	size_t		 tlen;		/* of the trailer line being read */
	size_t		 max;		/* data bytes allowed in all */
	size_t		 data;		/* data bytes so far */
	const char	*why;
};

void	pw_chunked_init(struct pw_chunked *, size_t max);
/*
 * Decode what lies at buf[*in] .. buf[n - 1]: data bytes are moved down
 * to buf[*out] onwards (never past what was read), *in and *out advanced.
 */
enum pw_chunk_rc pw_chunked_feed(struct pw_chunked *, char *buf, size_t n,
	    size_t *in, size_t *out);

/* A loopback peer (127.0.0.0/8, ::1), to whom the API listener shows
 * /metrics. */
struct sockaddr;
int	pw_peer_loopback(const struct sockaddr *);

#endif /* PW_FRAME_H */
