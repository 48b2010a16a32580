/*
 * The store: one file, mapped MAP_SHARED by every playwaved process and
 * read-only by playwavectl.  A fixed-capacity open-addressing hash table of
 * 64-byte slots keyed by 16-byte binary keys, with no locks anywhere: every
 * state change of a slot is a C11 compare-and-swap on its 64-bit word.
 *
 * A slot's life:  EMPTY -> BUSY (claimed by one pid, key and payload being
 * written) -> LIVE (published with a release store) -> TOMB (freed by the
 * reaper) -> BUSY again (reused, generation bumped) or EMPTY (compacted).
 * A process killed while it holds a BUSY claim leaves a slot whose word
 * names a dead pid; the reaper turns it into a tombstone.  Readers never
 * wait: lookups skip BUSY slots and stop at EMPTY ones.
 *
 * Why tombstones and not backward-shift deletion: moving a live record is
 * two writes that a concurrent lookup can observe half done.  A tombstone
 * becomes EMPTY again only when it ends its probe run and has been a
 * tombstone for a whole reaper pass (about a second), so an insert that
 * scanned past it must have stalled for that long to be misled; the
 * generation field in the word makes such a stale writer's CAS fail.
 *
 * On-disk format: fixed-width fields in host byte order, with the order
 * recorded in the header (pw_store_open refuses a file of the other
 * order), so the file never needs conversion on the machine that made it.
 */
#ifndef PW_STORE_H
#define PW_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pw_crypto.h"

#define PW_STORE_MAGIC		"PWSTORE"	/* 8 bytes with the NUL */
#define PW_STORE_VERSION	2
#define PW_STORE_BYTEORDER	0x01020304u
#define PW_SLOT_SIZE		64
#define PW_KEY_LEN		16
#define PW_MAX_WORKERS		64
#define PW_CELL_TOOL		PW_MAX_WORKERS		/* playwavectl */
#define PW_CELL_REAPER		(PW_MAX_WORKERS + 1)
#define PW_NCELLS		(PW_MAX_WORKERS + 2)
#define PW_MAX_PROBE		1024
#define PW_RATE_BUCKETS		256

/* Slot word layout. */
#define PW_ST_EMPTY	0u
#define PW_ST_BUSY	1u
#define PW_ST_LIVE	2u
#define PW_ST_TOMB	3u
#define PW_W_STATUS(w)	((unsigned)((w) & 0x7u))
#define PW_W_KEYED	(1ull << 3)	/* BUSY with its key written */
#define PW_W_MARK	(1ull << 4)	/* tombstone seen by a reaper pass */
#define PW_W_TYPE(w)	((unsigned)(((w) >> 5) & 0xfu))
#define PW_W_STATE(w)	((unsigned)(((w) >> 9) & 0xfu))
/*
 * Bits 13-16 say one more thing about a record, by its type: a session's
 * end reason (enum pw_reason), whether an OTT expired unused, or for how
 * many reaper ticks an applied credit has been kept for playwavectl to
 * read.  Always read them through the name for the type.
 */
#define PW_W_AUX(w)	((unsigned)(((w) >> 13) & 0xfu))
#define PW_W_REASON(w)		PW_W_AUX(w)	/* game, launcher sessions */
#define PW_W_OTT_EXPIRED(w)	(PW_W_AUX(w) != 0)	/* OTTs */
#define PW_W_CREDIT_AGE(w)	PW_W_AUX(w)	/* applied credits */
#define PW_W_GEN(w)	((unsigned)(((w) >> 17) & 0x7fffu))
#define PW_W_HI(w)	((uint32_t)((w) >> 32))
#define PW_W_MAKE(st, type, state, aux, gen, hi)			\
	((uint64_t)(st) | ((uint64_t)(type) << 5) |			\
	 ((uint64_t)(state) << 9) | ((uint64_t)(aux) << 13) |	\
	 ((uint64_t)((gen) & 0x7fffu) << 17) | ((uint64_t)(hi) << 32))
#define PW_W_WITH(w, state, aux, hi)					\
	(((w) & ((1ull << 9) - 1)) | ((uint64_t)(state) << 9) |		\
	 ((uint64_t)(aux) << 13) | ((uint64_t)PW_W_GEN(w) << 17) |	\
	 ((uint64_t)(hi) << 32))

enum pw_type {
	PW_T_NONE = 0,
#define PW_TYPE(sym, name, prefix)	PW_T_##sym,
#include "tbl/record_types.h"
#undef PW_TYPE
	PW_T_MAX
};

/* States (word bits 9-12): PW_<type>_<state>. */
enum {
#define PW_STATE(type, sym, value, name)	PW_##type##_##sym = value,
#include "tbl/record_states.h"
#undef PW_STATE
};

/* End reasons (word bits 13-16) of game and launcher sessions. */
enum pw_reason {
	PW_R_NONE = 0,
#define PW_REASON(sym)	PW_R_##sym,
#include "tbl/end_reasons.h"
#undef PW_REASON
	PW_R_MAX
};

/* A reference to a slot that survives its reuse: index and key prefix. */
typedef uint64_t pw_ref_t;

struct pw_ott {
	uint32_t	 game;		/* pw_config_idhash() */
	uint32_t	 cafe;		/* 0: not at a cafe */
	uint64_t	 issued_ms;
	uint8_t		 pc[PW_KEY_LEN];	/* PC slot key; zero: none */
	pw_ref_t	 ls;		/* issuing launcher session; 0: none */
};
/* Word hi bit of an OTT: its launcher's ott-per-launcher unit given back. */
#define PW_OTT_RELEASED	1u

struct pw_ls {
	uint8_t		 pc[PW_KEY_LEN];
	uint32_t	 cafe;
	_Atomic uint32_t last_seen;	/* unix s */
	uint64_t	 created_ms;
	_Atomic uint32_t ended_at;	/* unix s; 0 while live */
	_Atomic uint32_t otts;		/* issued OTTs not yet consumed/expired */
};

#define PW_UID_LEN	10	/* 20 decimal digits, BCD, 0xf padded */

struct pw_gs {
	uint32_t	 game;
	uint32_t	 cafe;		/* 0: not at a cafe, nothing charged */
	uint32_t	 start;		/* unix s */
	_Atomic uint32_t last_seen;
	_Atomic uint32_t ended_at;	/* end, or start of the charge grace */
	uint32_t	 price;		/* fixed for the session at verify */
	_Atomic uint32_t logged;	/* reaper only: PW_LOGGED_* | charges */
	uint8_t		 uid[PW_UID_LEN];
	uint8_t		 pad[2];
};
#define PW_LOGGED_START		(1u << 31)
#define PW_LOGGED_END		(1u << 30)
#define PW_LOGGED_CHARGES(l)	((l) & 0x3fffffffu)

struct pw_pc {
	_Atomic pw_ref_t ls;
	_Atomic pw_ref_t gs;
	_Atomic uint32_t touched;	/* unix s of the last bind */
	uint8_t		 reserved[20];
};

#define PW_WALLET_NAME	24

struct pw_wallet {
	_Atomic int64_t	 balance;	/* after every logged event; reaper only */
	_Atomic int64_t	 hold;		/* owed, not yet logged (charges) */
	char		 name[PW_WALLET_NAME];
};

struct pw_credit {
	int64_t		 amount;
	_Atomic int64_t	 balance;	/* the wallet's balance once applied */
	char		 name[PW_WALLET_NAME];
};

struct pw_reqid {
	uint8_t		 body[PW_KEY_LEN];	/* SHA-256 prefix of the body */
	uint8_t		 pt[PW_KEY_LEN];	/* the player token issued */
	uint64_t	 exp;		/* unix s, never narrowed */
};

/* A launcher nonce accepted; remembered until `until' (unix s). */
struct pw_nonce {
	uint64_t	 until;
	uint32_t	 source;	/* quota bucket it was charged to */
	uint32_t	 reserved;
};

struct pw_pt {
	uint32_t	 game;
	uint32_t	 exp;
	_Atomic uint32_t last_seen;
	uint32_t	 created;
	char		 sub[PW_WALLET_NAME];
};

struct pw_slot {
	_Atomic uint64_t word;
	uint8_t		 key[PW_KEY_LEN];
	union {
		struct pw_ott	 ott;
		struct pw_ls	 ls;
		struct pw_gs	 gs;
		struct pw_pc	 pc;
		struct pw_wallet w;
		struct pw_credit cr;
		struct pw_reqid	 rq;
		struct pw_pt	 pt;
		struct pw_nonce	 nc;
		uint8_t		 raw[40];
	} u;
};

/* Counters: one cell per process, summed on read (no shared cache line). */
enum pw_counter {
#define PW_CLASS(sym, name)		PW_C_REQ_##sym,
#include "tbl/status_classes.h"
#undef PW_CLASS
#define PW_ENDPOINT(sym, name, ...)	PW_C_EP_##sym,
#include "tbl/endpoints.h"
#undef PW_ENDPOINT
#define PW_COUNTER(sym, name, kind, help)	PW_C_##sym,
#include "tbl/counters.h"
#undef PW_COUNTER
	PW_C_GS_ENDED,			/* + enum pw_reason: by reason */
	PW_C_COUNT = PW_C_GS_ENDED + PW_R_MAX
};

struct pw_cell {
	_Alignas(64) _Atomic uint64_t c[PW_C_COUNT];
};

enum pw_gauge {
	PW_G_LIVE,			/* + enum pw_type: live slots by type */
	PW_G_LIVE_LAST = PW_G_LIVE + PW_T_MAX - 1,
#define PW_GAUGE(sym, name, help)	PW_G_##sym,
#include "tbl/gauges.h"
#undef PW_GAUGE
	PW_G_COUNT
};

enum pw_proc_kind { PW_PROC_NONE = 0, PW_PROC_WORKER, PW_PROC_REAPER };

struct pw_proc {
	_Atomic uint32_t pid;
	uint32_t	 kind;
	uint32_t	 index;
	uint32_t	 restarts;
	uint64_t	 started_ms;
};

struct pw_store_hdr {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 byteorder;
	uint32_t	 hdr_size;
	uint32_t	 slot_size;
	uint64_t	 nslots;
	uint64_t	 created_ms;
	_Atomic uint64_t generation;	/* bumped at every master start */
	_Atomic uint32_t master_pid;
	uint32_t	 shard;		/* the master's `shard`, in every id */
	_Atomic uint64_t master_started_ms;
	_Atomic uint64_t logged_seq;	/* events whose marks are in the store */
	_Atomic uint64_t durable_seq;	/* events known fsync'ed */
	_Atomic uint64_t log_pending;	/* events found but not yet written */
	_Atomic uint64_t max_probe;
	_Atomic uint64_t reaper_seen_ms;	/* the reaper's last pass */
	_Atomic uint32_t reload_gen;	/* bumped on every applied SIGHUP */
	/* Gauges the reaper recounts every pass (see enum pw_gauge). */
	_Atomic uint64_t gauge[PW_G_COUNT];
	uint32_t	 nprocs;
	struct pw_proc	 procs[PW_MAX_WORKERS + 1];
	/* rate-limit: GCRA theoretical arrival time, us, per API key. */
	_Atomic uint64_t rate_tat[PW_RATE_BUCKETS];
	/* rate-limit of the launcher API (cafe/source) and authenticate. */
	_Atomic uint64_t edge_tat[PW_RATE_BUCKETS];
	/*
	 * Replay-cache quota: GCRA, ms, per cafe/source bucket and (last)
	 * over all, so nonce records can never fill the store (nonce.c).
	 */
	_Atomic uint64_t nonce_tat[PW_RATE_BUCKETS + 1];
	struct pw_cell	 cells[PW_NCELLS];
};

struct pw_store {
	struct pw_store_hdr	*hdr;
	struct pw_slot		*slots;
	uint64_t		 mask;
	size_t			 maplen;
	int			 fd;
	int			 readonly;
	uint32_t		 pid;	/* claims are made in this pid's name */
	struct pw_cell		*cell;	/* this process's counters */
	struct pw_rand		 rnd;	/* this process's random ids */
};

#define PW_STORE_HDR_SIZE	\
	((sizeof(struct pw_store_hdr) + 4095) & ~(size_t)4095)

/* Open (or, with create, make and fill) a store; -1 with a message. */
int	 pw_store_open(struct pw_store *, const char *path, uint64_t nslots,
	    int create, int readonly, char *err, size_t errlen);
void	 pw_store_close(struct pw_store *);
void	 pw_store_set_cell(struct pw_store *, unsigned cell);
/*
 * The mapping is advised random access (hash probes: no read-ahead or
 * fault-around); a process that walks every slot in order asks for the
 * default back with sequential != 0.
 */
void	 pw_store_advise(struct pw_store *, int sequential);

/* The LIVE slot of that key and type, or NULL.  *wordp gets its word. */
/*
 * A new random id for key: a v4 UUID carrying the store's shard digit,
 * which the master sets at start (pw_store_set_shard) and playwavectl
 * reads from the same header, so the two never mint for different shards.
 */
void	 pw_store_new_id(struct pw_store *, uint8_t out[PW_KEY_LEN]);
/* The previous shard of the store (0 for a store of an older daemon). */
unsigned pw_store_set_shard(struct pw_store *, unsigned shard);
/* The slot a key's probe run starts at (for measuring probe lengths). */
uint64_t pw_store_home(const struct pw_store *, const uint8_t *key);
struct pw_slot	*pw_store_find(struct pw_store *, const uint8_t *key,
		    unsigned type, uint64_t *wordp);

/*
 * Claim a free slot for a new key (random keys: no duplicate check).
 * Returns the BUSY slot with its key written, or NULL when no free slot
 * is within PW_MAX_PROBE of the key's home (the store is full there).
 * The caller fills the payload and calls pw_store_publish().
 */
struct pw_slot	*pw_store_claim(struct pw_store *, const uint8_t *key,
		    unsigned type);

enum pw_ins { PW_INS_NEW, PW_INS_EXISTS, PW_INS_FULL };

/*
 * Like pw_store_claim for a key that must stay unique (PC records, request
 * ids): returns PW_INS_EXISTS with the live slot when another process
 * inserted the same key first, even concurrently.
 */
enum pw_ins	 pw_store_claim_unique(struct pw_store *, const uint8_t *key,
		    unsigned type, struct pw_slot **out);

/* Publish a claimed slot as LIVE in the given state (release store). */
void	 pw_store_publish(struct pw_slot *, unsigned state, uint32_t hi);
/* Give a claimed slot back (it becomes a tombstone). */
void	 pw_store_abandon(struct pw_slot *);

/* CAS of a slot word; 1 on success, else *expect is reloaded. */
static inline int
pw_slot_cas(struct pw_slot *s, uint64_t *expect, uint64_t desired)
{
	return (atomic_compare_exchange_strong_explicit(&s->word, expect,
	    desired, memory_order_acq_rel, memory_order_acquire));
}

static inline uint64_t
pw_slot_word(const struct pw_slot *s)
{
	return (atomic_load_explicit(&((struct pw_slot *)s)->word,
	    memory_order_acquire));
}

/* References. */
pw_ref_t	 pw_store_ref(const struct pw_store *, const struct pw_slot *);
struct pw_slot	*pw_store_deref(struct pw_store *, pw_ref_t, unsigned type,
		    uint64_t *wordp);

uint64_t	 pw_store_index(const struct pw_store *, const struct pw_slot *);

/* Derived keys (SHA-256 prefix of a tag and a name). */
void	 pw_key_derive(uint8_t out[PW_KEY_LEN], const char *tag,
	    const void *name, size_t len);

static inline void
pw_count(struct pw_store *st, enum pw_counter c, uint64_t n)
{
	if (st->cell != NULL)
		atomic_fetch_add_explicit(&st->cell->c[c], n,
		    memory_order_relaxed);
}

uint64_t pw_counter_sum(const struct pw_store *, enum pw_counter);

/* Raise *v to at least x; never lowers it (concurrent last-seen updates). */
void	 pw_atomic_max32(_Atomic uint32_t *v, uint32_t x);

/* BCD provider_user_id: 1-20 digits in, 10 bytes out; and back. */
int	 pw_uid_pack(uint8_t out[PW_UID_LEN], const char *digits, size_t len);
void	 pw_uid_unpack(const uint8_t in[PW_UID_LEN], char out[21]);

/*
 * Reaper-side maintenance of one slot: roll back a claim whose owner is
 * dead, mark or compact tombstones.  Returns 1 if the slot changed.
 */
int	 pw_store_tidy(struct pw_store *, uint64_t index);

#endif /* PW_STORE_H */
