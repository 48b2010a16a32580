/*
 * The billing log in segments.  `billing-log' names the active file;
 * past billing-segment-size the reaper closes it (synced) and renames it
 * beside itself as <billing-log>.<its first seq, 20 digits>, then begins
 * the next.  seq runs on across segments; so does the chain of links.
 *
 * Every segment of format 2 opens with a header that is not an event (no
 * seq; log cat does not print it): the seq of its first record, the link
 * it continues from, and a snapshot of the ledger just before that seq:
 * every wallet's balance and every open session (its START's seq, the
 * charges logged and what they came to, its wallet and game).  A new
 * store is rebuilt from the newest segment's snapshot onward, so segments
 * before it may be archived (playwavectl log archive).
 *
 * Header (integers little-endian):
 *	 0  magic "PWS2"          4  format (2)
 *	 8  length of the header in bytes
 *	16  seq of the segment's first record
 *	24  when it was begun, unix ms
 *	32  the link it continues from (the previous segment's last c_n)
 *	64  names            68  wallets          72  sessions (u64)
 *	80  reserved (16 bytes)
 *	96  names: 24 bytes each, NUL padded
 *	    wallets: 16 bytes each: name (u32 index), reserved, balance
 *	    sessions: 48 bytes each: id (16), START seq, charged, charges
 *	    (u32), wallet (u32 name index; 0xffffffff none), game (u32),
 *	    reserved
 *	    link h = SHA-256(prev || SHA-256(every byte before h))
 *	    check: the first 8 bytes of SHA-256 of every byte before it
 *
 * The segment's first record chains from h (c_first = SHA-256(h ||
 * bytes 0-119)): the snapshot is covered by the chain like a record.
 */
#ifndef PW_SEGMENT_H
#define PW_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "pw_billing.h"
#include "pw_file.h"

#define PW_SEG_MAGIC	"PWS2"
#define PW_SEG_FIXED	96
#define PW_SEG_NAME	24
#define PW_SEG_WALLET	16
#define PW_SEG_SESSION	48
#define PW_SEG_TAIL	(PW_LINK_LEN + 8)
#define PW_SEG_NONE	0xffffffffu
#define PW_SEG_DIGITS	20

/* An open session as a snapshot holds it. */
struct pw_snapsess {
	uint8_t		 id[16];
	uint64_t	 start_seq;	/* 0: not known (a store of old) */
	int64_t		 charged;
	uint32_t	 charges;
	const char	*wallet;	/* "" : none */
	const char	*game;
};

/* What a reader does with a header's snapshot. */
struct pw_snap_cb {
	int	(*wallet)(const char *name, int64_t balance, void *arg);
	int	(*session)(const struct pw_snapsess *, void *arg);
	void	*arg;
};

/* A snapshot being made (snapshot.c makes one of the store). */
struct pw_snap {
	char		(*name)[PW_SEG_NAME];
	uint32_t	 nname, capname;
	uint32_t	*hash;		/* name index + 1; 0 empty */
	uint32_t	 nhash;
	uint8_t		*wallet;	/* encoded entries */
	uint32_t	 nwallet, capwallet;
	uint8_t		*sess;
	uint64_t	 nsess, capsess;
};

/* segment.c */
void	 pw_snap_init(struct pw_snap *);
void	 pw_snap_free(struct pw_snap *);
/* 0, or -1 (errno) when memory runs out or a name is too long. */
int	 pw_snap_wallet(struct pw_snap *, const char *name, int64_t balance);
int	 pw_snap_session(struct pw_snap *, const struct pw_snapsess *);
/*
 * Write a segment's header at the start of the empty file fd: its first
 * seq, the link it continues from and the snapshot (NULL: empty).  *h
 * gets the header's link, *len its length.  -1 (errno) on failure.
 */
int	 pw_seg_write(int fd, uint64_t first_seq, const uint8_t *prev,
	    const struct pw_snap *, uint8_t h[PW_LINK_LEN], uint64_t *len);
/* The closed segment's file name: "<base>.<first seq, 20 digits>". */
int	 pw_seg_name(char *out, size_t outlen, const char *base,
	    uint64_t first_seq);
/* Its first seq if name is base's closed segment; 0 otherwise. */
uint64_t pw_seg_name_seq(const char *name, const char *base);

/* rotate.c */
/*
 * Begin the next segment of b with snap: write <name>.next, link the
 * active file as its closed segment (not an empty one), rename the next
 * into place, sync the directory.  -1 with err (nothing changed).
 */
int		 pw_blog_switch(struct pw_blog *, const struct pw_snap *,
		    struct pw_owner, char *err, size_t errlen);
/* A switch a crash interrupted: finished or undone.  -1 with err. */
int		 pw_blog_switch_finish(int dfd, const char *name, char *err,
		    size_t errlen);

/* scan.c: SHA-256 of a whole file: c_0 after a file of format 1. */
int	 pw_seg_digest(int fd, uint8_t out[PW_LINK_LEN]);

/* snapshot.c: every wallet and every open session the store holds. */
struct pw_store;
struct pw_config;
int	 pw_snap_store(struct pw_snap *, struct pw_store *,
	    const struct pw_config *);

/*
 * logset.c: the billing log as one sequence, its segments found beside
 * the active file (and in an archive directory).
 */
struct pw_segref {
	uint64_t	 first_seq;
	int		 archived;	/* in the archive directory */
};

struct pw_logset {
	int		 dfd;		/* the billing log's directory */
	int		 afd;		/* the archive's, or -1 */
	char		 dir[1024];
	char		 base[256];	/* the active file's name */
	char		 archive[1024];
	struct pw_segref *seg;		/* closed segments, by first seq */
	size_t		 nseg;
	uint64_t	 active_first;	/* the active file's; 0: none yet */
};

/* -1 with err when the directories cannot be read. */
int	 pw_logset_open(struct pw_logset *, const char *billing_log,
	    const char *archive, char *err, size_t errlen);
void	 pw_logset_close(struct pw_logset *);
/* Open segment i (nseg: the active file) read-only; -1 (errno). */
int	 pw_logset_fd(const struct pw_logset *, size_t i);
/* Segment i's name for messages ("billing.log.00000000000000000001"). */
void	 pw_logset_name(const struct pw_logset *, size_t i, char *out,
	    size_t outlen);

/* What a read across segments calls. */
struct pw_read {
	pw_blog_fn	 event;
	/* At each segment's start (its header read), the first included. */
	int		(*segment)(const struct pw_seg *, const char *name,
			    void *arg);
	/* The snapshot of each format-2 segment entered at its head. */
	const struct pw_snap_cb *snap;
	void		*arg;
};

/*
 * Read every event after from_seq, from the segment that holds it (or,
 * when none does, from the oldest one there is: scan->from_seq says
 * where the read began) to the active file's end, each segment
 * continuing the previous one's seqs and chain.  scan describes where
 * and why the read stopped; where names the file.  -1 on an I/O error.
 */
int	 pw_logset_read(struct pw_logset *, uint64_t from_seq,
	    const struct pw_read *, struct pw_scan *, char *where,
	    size_t wherelen);
/* The segment holding the events after seq (nseg: the active file). */
size_t	 pw_logset_find(const struct pw_logset *, uint64_t seq);

#endif /* PW_SEGMENT_H */
