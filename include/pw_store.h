/*
 * The store: one file, mapped MAP_SHARED by every playwaved process and
 * read-only by playwavectl.  A fixed-capacity open-addressing hash table of
 * 128-byte slots keyed by 16-byte binary keys, with no locks anywhere: every
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
 * The on-disk format (header, slot word, payloads, the layout fingerprint)
 * is pw_store_format.h; this is the table's API.
 */
#ifndef PW_STORE_H
#define PW_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pw_crypto.h"
#include "pw_store_format.h"

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
	struct pw_hmac		 session_kdf;	/* keyed: session keys */
};

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

/*
 * The store clock (store_clock.c): milliseconds, monotonic, carried
 * across restarts and reboots by the header's anchor.  Every duration in
 * the store is measured on it; the wall clock only names instants (the
 * billing log's times, X-Timestamp, expires_at).
 */
uint64_t pw_mono_ms(void);
uint64_t pw_store_now(const struct pw_store *);
/* The wall-clock (unix ms) reading of a store-clock instant, and back. */
uint64_t pw_store_wall(const struct pw_store *, uint64_t store_ms);
uint64_t pw_store_from_wall(const struct pw_store *, uint64_t wall_ms);
/* A new store's clock (store creation). */
void	 pw_store_clock_init(struct pw_clock *);
/* Anchor the clock at a master's start; msg says what it assumed. */
void	 pw_store_clock_start(struct pw_store *, char *msg, size_t msglen);
void	 pw_store_clock_mark(struct pw_store *);

/*
 * Readiness (store_ready.c, GET /readyz): the conditions of
 * tbl/readiness.h not met now, a bit PW_NR_* each; 0 is ready.
 */
enum pw_unready {
#define PW_UNREADY(sym, name, meaning)	PW_NR_##sym,
#include "tbl/readiness.h"
#undef PW_UNREADY
	PW_NR_COUNT
};
#define PW_READY_REAPER_MS	2000	/* a reaper pass at least this recent */
#define PW_READY_BACKLOG	10000	/* fewer events than this unwritten */
#define PW_READY_FULL_PCT	90	/* fewer slots in use than this % */
unsigned	 pw_store_unready(const struct pw_store *);
const char	*pw_unready_name(unsigned);
const char	*pw_unready_meaning(unsigned);

/* References. */
pw_ref_t	 pw_store_ref(const struct pw_store *, const struct pw_slot *);
struct pw_slot	*pw_store_deref(struct pw_store *, pw_ref_t, unsigned type,
		    uint64_t *wordp);

uint64_t	 pw_store_index(const struct pw_store *, const struct pw_slot *);

/*
 * A 16-byte tag of a name under the store's own secret (SipHash-128):
 * what no client can compute, for a value a client chose.
 */
void	 pw_key_derive_keyed(const struct pw_store *, const char *tag,
	    const void *name, size_t len, uint8_t out[PW_KEY_LEN]);

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

/* A cafe's state in the header, by its id hash (found, or claimed). */
struct pw_cafe_state *pw_cafe_state(struct pw_store *, uint32_t cafe_hash);

/*
 * One request of endpoint (PW_EP_*) that took us microseconds, counted in
 * this process's cell for the request_duration_seconds histogram: three
 * relaxed adds to memory no other process writes.  Out-of-range
 * endpoints are ignored.
 */
void	 pw_latency_observe(struct pw_store *, unsigned endpoint, uint64_t us);

/*
 * Work for the reaper now, not at a deadline it knows (a record made, a
 * session ended): its next pass walks the store (reaper_pass.c).
 */
static inline void
pw_store_poke(struct pw_store *st)
{
	if (!st->readonly)
		atomic_fetch_add_explicit(&st->hdr->ledger.poke, 1,
		    memory_order_release);
}

/* Lower *due to t: the earliest store-clock instant something is due. */
static inline void
pw_due(uint64_t *due, uint64_t t)
{
	if (t < *due)
		*due = t;
}

/* Raise *v to at least x; never lowers it (concurrent last-seen updates). */
void	 pw_atomic_max32(_Atomic uint32_t *v, uint32_t x);
void	 pw_atomic_max64(_Atomic uint64_t *v, uint64_t x);

/* BCD provider_user_id: 1-20 digits in, 10 bytes out; and back. */
int	 pw_uid_pack(uint8_t out[PW_UID_LEN], const char *digits, size_t len);
void	 pw_uid_unpack(const uint8_t in[PW_UID_LEN], char out[21]);

/*
 * Reaper-side maintenance of one slot: roll back a claim whose owner is
 * dead, mark or compact tombstones.  Returns 1 if the slot changed.
 */
int	 pw_store_tidy(struct pw_store *, uint64_t index);

/*
 * After a power cut a page of the file may be older than the next: an
 * EMPTY slot it shows may hide live keys further along their probe run.
 * Turn every such slot into a tombstone; returns how many.  Only while
 * no other process uses the store.
 */
uint64_t pw_store_mend(struct pw_store *);

#endif /* PW_STORE_H */
