/*
 * The billing log: an append-only chain of fixed-size, self-checking
 * records, written only by the reaper (and by the master's start-up
 * recovery, before any reaper runs), kept in segments (pw_segment.h).
 *
 * Record, format 2 (PW_EV_SIZE bytes, every integer little-endian):
 *	 0  magic "PWB2"         4  record size (160)
 *	 8  seq                 16  time, unix ms
 *	24  type                25  reason (END)     26  reserved
 *	28  minute (CHARGE: which minute; END: billed minutes)
 *	32  amount              40  balance after
 *	48  session or credit id (CREDIT, DEBIT; 16 bytes, binary UUID)
 *	64  game id (24 bytes, NUL padded); CREDIT, DEBIT: the operator's
 *	    memo (at most 24 bytes of UTF-8, NUL padded)
 *	88  wallet id (24 bytes, NUL padded)
 *     112  play duration, s (END)                    116 reserved
 *     120  link c_n = SHA-256(c_{n-1} || bytes 0-119)
 *     152  check: the first 8 bytes of SHA-256 of bytes 0-151
 *
 * Bytes 0-119 are format 1's fields at format 1's offsets (format 1 was
 * 128 bytes: "PWB1", those fields, and the first 8 bytes of SHA-256 of
 * bytes 0-119 at 120; playwaved reads it, never writes it).  The check
 * makes each record verifiable alone, so a torn tail (a short record,
 * the run of zero bytes a power loss can leave) is told by size and
 * check, and damage is named at its exact offset.  The link chains each
 * record to every one before it: a record changed and re-checked breaks
 * the next record's link, and a whole chain recomputed after it ends in
 * a head (last seq, c_n) that no longer matches one an auditor noted or
 * a shipper holds.  c_0 is the link the log's first segment continues
 * from (pw_segment.h): SHA-256 of nothing for a log begun in format 2,
 * SHA-256 of the whole closed file for one bridged from format 1.
 */
#ifndef PW_BILLING_H
#define PW_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "pw_names.h"

#define PW_EV_SIZE	160
#define PW_EV_MAGIC	"PWB2"
#define PW_EV1_SIZE	128		/* format 1: read, never written */
#define PW_EV1_MAGIC	"PWB1"
#define PW_LINK_LEN	32
#define PW_EV_MEMO	24		/* bytes of a memo in a record */

/*
 * The most records a writer ever has written and not yet synced: the
 * reaper commits (fsync, then applies) before it holds more.  A power
 * cut can therefore only damage the last PW_UNSYNCED_MAX records of the
 * active file (blog_tail.c).
 */
#define PW_UNSYNCED_MAX	65536

/* The largest balance: the largest integer a JSON client reads exactly. */
#define PW_MONEY_MAX	((int64_t)9007199254740991)	/* 2^53 - 1 */

/* *out = a + b; -1 (and *out untouched) when it leaves +-PW_MONEY_MAX. */
static inline int
pw_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r) || r > PW_MONEY_MAX ||
	    r < -PW_MONEY_MAX)
		return (-1);
	*out = r;
	return (0);
}

enum pw_ev_type {
	PW_EV_NONE = 0,
#define PW_EVENT(sym)	PW_EV_##sym,
#include "tbl/event_types.h"
#undef PW_EVENT
	PW_EV_MAX
};

/* CREDIT and DEBIT carry a credit record's id (cr_), the others a session's. */
static inline int
pw_ev_of_credit(unsigned type)
{
	return (type == PW_EV_CREDIT || type == PW_EV_DEBIT);
}

struct pw_event {
	uint64_t	 seq;
	uint64_t	 ts_ms;
	unsigned	 type;
	unsigned	 reason;	/* enum pw_reason */
	uint32_t	 minute;
	int64_t		 amount;
	int64_t		 balance;
	uint8_t		 id[16];
	char		 game[24];
	char		 wallet[24];
	char		 memo[PW_EV_MEMO + 1];	/* CREDIT, DEBIT */
	uint32_t	 duration;
	/* Decoded only. */
	unsigned	 format;	/* 1 or 2 */
	uint8_t		 link[PW_LINK_LEN];	/* format 2: c_n */
	const uint8_t	*raw;		/* a scan's callback: the record read */
};

/* record.c: formats 1 and 2. */
/* Encode with its link to prev (c_{n-1}); out's link is c_n. */
void	 pw_event_encode(const struct pw_event *, const uint8_t *prev,
	    uint8_t out[PW_EV_SIZE]);
/* 0, or -1 when the bytes are not a valid record (its own check). */
int	 pw_event_decode(const uint8_t in[PW_EV_SIZE], struct pw_event *);
/* Whether rec's link is SHA-256(prev || its bytes 0-119). */
int	 pw_event_chains(const uint8_t *prev, const uint8_t rec[PW_EV_SIZE]);
/* The link c_n a valid record carries. */
const uint8_t *pw_event_link(const uint8_t rec[PW_EV_SIZE]);
/* c_0 of a log with no history: SHA-256 of nothing. */
void	 pw_link_genesis(uint8_t out[PW_LINK_LEN]);
/* Format 1 (tests build format-1 logs with the encoder). */
void	 pw_event_encode1(const struct pw_event *, uint8_t out[PW_EV1_SIZE]);
int	 pw_event_decode1(const uint8_t in[PW_EV1_SIZE], struct pw_event *);

/*
 * One file of the log, opened for reading: a segment of format 2 (its
 * header, then records) or a file of format 1 (records from offset 0).
 */
struct pw_seg {
	int		 fd;
	unsigned	 format;	/* 1, 2; 0: an empty file */
	unsigned	 rec;		/* its record size */
	uint64_t	 first_seq;
	uint64_t	 data_off;	/* where its records start */
	uint64_t	 size;		/* the file's size when opened */
	uint8_t		 prev[PW_LINK_LEN];	/* format 2: continued from */
	uint8_t		 start[PW_LINK_LEN];	/* its header's link */
	uint8_t		 digest[PW_LINK_LEN];	/* of the header before it */
	uint64_t	 made_ms;	/* format 2: when it was begun */
};

struct pw_snap_cb;		/* pw_segment.h */

/*
 * Open fd as a segment: read and check its header (the snapshot's
 * entries go to cb when it is not NULL); -1 with err when the file is
 * neither format (or errno on I/O).
 */
int	 pw_seg_open(struct pw_seg *, int fd, const struct pw_snap_cb *,
	    char *err, size_t errlen);

enum pw_stop {
	PW_STOP_END,		/* the file ends after the last good record */
	PW_STOP_TORN,		/* what follows holds no valid record */
	PW_STOP_DAMAGE		/* a valid record out of place, or after junk */
};

struct pw_scan {
	uint64_t	 from_seq;	/* the scan began after it */
	uint64_t	 good;		/* offset just past the last good record */
	uint64_t	 last_seq;
	uint8_t		 head[PW_LINK_LEN];	/* its link (format 2) */
	uint64_t	 size;
	enum pw_stop	 stop;
	uint64_t	 next;		/* DAMAGE: a valid record after junk, or 0 */
	char		 why[256];	/* what stopped it at good */
};

typedef int (*pw_blog_fn)(const struct pw_event *, uint64_t off, void *);

/*
 * Read the segment's records after from_seq (found at its place and
 * checked; from the segment's first if it is not there), each checked
 * alone, in sequence and linked to the one before; fn (non-zero stops
 * the scan, taken for the END) for each.  -1 on an I/O error (errno).
 */
int	 pw_seg_scan(const struct pw_seg *, uint64_t from_seq, pw_blog_fn,
	    void *arg, struct pw_scan *);
/* The offset just after record seq of the segment; -1 if not there. */
int	 pw_seg_find(const struct pw_seg *, uint64_t seq, uint64_t *off,
	    uint8_t link[PW_LINK_LEN]);

/*
 * The active file, open for appending.  head is the link the next
 * record continues from: the last record's, or its header's.
 */
struct pw_blog {
	int		 fd;
	int		 dfd;		/* its directory */
	char		 path[1024];	/* for messages */
	char		 name[256];	/* in dfd */
	unsigned	 format;
	uint64_t	 first_seq;
	uint64_t	 data_off;
	uint64_t	 size;		/* the header and whole valid records */
	uint64_t	 last_seq;
	uint8_t		 head[PW_LINK_LEN];
	uint64_t	 nevents;
};

/*
 * What opening the active file may do with what follows its last good
 * record: durable_seq is the last seq known to be synced (the store's
 * checkpoint or durable seq, whichever is later): damage at or below it
 * is never a power cut's (blog_tail.c).
 */
struct pw_blog_open {
	uint64_t	 from_seq;	/* read only after it (a checkpoint) */
	uint64_t	 durable_seq;
};

/*
 * Open the active file path (its last component, in the directory dfd)
 * for appending, a torn tail copied aside and cut (reported through
 * log_warnx); -1 with a message in err when it is missing or cannot be
 * used, damage included.  An empty file opens with format 0: the
 * master's start gives it its first segment (ledger_start.c).  dfd
 * stays the caller's.
 */
int	 pw_blog_open(struct pw_blog *, int dfd, const char *path,
	    const struct pw_blog_open *, char *err, size_t errlen);
/* Append n bytes with one write(2); on failure the file is cut back. */
int	 pw_blog_append(struct pw_blog *, const void *buf, size_t n);
/* Append one event as the next seq, in the file's format and chain. */
int	 pw_blog_put(struct pw_blog *, struct pw_event *);
void	 pw_blog_close(struct pw_blog *);

/* blog_tail.c: what follows the good records of the active file. */
int	 pw_blog_tail(struct pw_blog *, const struct pw_seg *,
	    const struct pw_scan *, const struct pw_blog_open *, char *err,
	    size_t errlen);

/*
 * fault.c: a test-only fault (make check builds it into the daemon with
 * PW_TEST_FAULTS): ENOSPC on a write or an fsync of the billing log, as
 * long as the file named by $PLAYWAVED_FAULT_ENOSPC exists.  Without
 * PW_TEST_FAULTS both are the plain system calls.
 */
ssize_t	 pw_fault_write(int fd, const void *buf, size_t n);
int	 pw_fault_fsync(int fd);

#endif /* PW_BILLING_H */
