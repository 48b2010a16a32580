/*
 * The billing log: an append-only file of fixed-size, self-checking
 * records, written only by the reaper (and by the master's start-up
 * recovery, before any reaper runs).
 *
 * Record (PW_EV_SIZE bytes, every integer little-endian):
 *	 0  magic "PWB1"         4  record size (128)
 *	 8  seq                 16  time, unix ms
 *	24  type                25  reason (END)     26  reserved
 *	28  minute (CHARGE: which minute; END: billed minutes)
 *	32  amount              40  balance after
 *	48  session or credit id (CREDIT, DEBIT; 16 bytes, binary UUID)
 *	64  game id (24 bytes, NUL padded)
 *	88  wallet id (24 bytes, NUL padded)
 *     112  play duration, s (END)                    116 reserved
 *     120  checksum: the first 8 bytes of SHA-256 of bytes 0-119
 *
 * Fixed-size records make a torn tail (a short record, or the run of
 * zero bytes a power loss can leave) detectable by size and
 * checksum alone, and let verify name the exact offset of damage.
 */
#ifndef PW_BILLING_H
#define PW_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "pw_names.h"

#define PW_EV_SIZE	128
#define PW_EV_MAGIC	"PWB1"

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
	uint32_t	 duration;
};

void	 pw_event_encode(const struct pw_event *, uint8_t out[PW_EV_SIZE]);
/* 0, or -1 when the bytes are not a valid record. */
int	 pw_event_decode(const uint8_t in[PW_EV_SIZE], struct pw_event *);


struct pw_blog {
	int		 fd;
	uint64_t	 size;		/* bytes of whole, valid records */
	uint64_t	 last_seq;
	uint64_t	 nevents;
};

typedef int (*pw_blog_fn)(const struct pw_event *, uint64_t off, void *);

/*
 * Read a log from its start, calling fn for every record (fn returning
 * non-zero stops the scan).  Returns the offset just past the last good
 * record in *good, and whether what follows it is a torn tail (0), the
 * clean end (also 0, *good == file size) or damage followed by valid
 * records (-1: never cut automatically).
 */
int	 pw_blog_scan(int fd, pw_blog_fn fn, void *arg, uint64_t *good,
	    uint64_t *last_seq, uint64_t *filesize);
/* The same from offset from, whose record must have seq seq0 + 1. */
int	 pw_blog_scan_from(int fd, uint64_t from, uint64_t seq0, pw_blog_fn fn,
	    void *arg, uint64_t *good, uint64_t *last_seq, uint64_t *filesize);
/* The offset just after record seq (0 for seq 0); -1 if it is not there. */
int	 pw_blog_find_seq(int fd, uint64_t seq, uint64_t *off);

/*
 * Open for appending, cutting a torn tail (reported through log_warnx);
 * -1 with a message in err when the file cannot be used.
 */
int	 pw_blog_open(struct pw_blog *, const char *path, char *err,
	    size_t errlen);
/* The same on a descriptor opened O_APPEND already (path for messages). */
int	 pw_blog_attach(struct pw_blog *, int fd, const char *path, char *err,
	    size_t errlen);
/* Both checking only the records after from_seq for a torn tail. */
int	 pw_blog_open_from(struct pw_blog *, const char *path,
	    uint64_t from_seq, char *err, size_t errlen);
int	 pw_blog_attach_from(struct pw_blog *, int fd, const char *path,
	    uint64_t from_seq, char *err, size_t errlen);
/* Append n bytes with one write(2); on failure the file is cut back. */
int	 pw_blog_append(struct pw_blog *, const void *buf, size_t n);
void	 pw_blog_close(struct pw_blog *);

#endif /* PW_BILLING_H */
