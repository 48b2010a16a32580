/*
 * The store's on-disk format: magic, version, header, slot word and the
 * payload of every record type, with a static assertion on every offset
 * and size and a layout fingerprint the compiler computes from them.
 * pw_store.h is the table's API; only this file says what is where.
 *
 * Fixed-width fields in host byte order, with the order recorded in the
 * header (the store refuses a file of the other order), so the file never
 * needs conversion on the machine that made it.  The fingerprint covers
 * the size and offset of every on-disk field, counters and gauges
 * included: adding a counter changes it, and a binary refuses a store
 * whose fingerprint is not its own, naming both, without touching it.
 */
#ifndef PW_STORE_FORMAT_H
#define PW_STORE_FORMAT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define PW_STORE_MAGIC		"PWSTORE"	/* 8 bytes with the NUL */
#define PW_STORE_VERSION	4
#define PW_STORE_BYTEORDER	0x01020304u
#define PW_SLOT_SIZE		128
#define PW_KEY_LEN		16
#define PW_MAX_WORKERS		64
#define PW_CELL_TOOL		PW_MAX_WORKERS		/* playwavectl */
#define PW_CELL_REAPER		(PW_MAX_WORKERS + 1)
#define PW_NCELLS		(PW_MAX_WORKERS + 2)
#define PW_MAX_PROBE		1024
#define PW_API_KEY_SLOTS	256	/* rate-limit words: games x keys */
#define PW_GAME_SLOTS		64	/* rate-limit words: authenticate */
#define PW_CAFE_SLOTS		512	/* per-cafe state, 2 x the cafes */
#define PW_HOME_PREFIXES	16384	/* per-prefix state of home starts */
#define PW_PLACE_KEY_LEN	16	/* SipHash-2-4 key */
#define PW_SESSION_SECRET_LEN	32
#define PW_MEMO_MAX		32	/* a credit's memo (the log keeps 24) */
#define PW_OPERATOR_MAX		32	/* who queued it, NUL included */

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

/*
 * Times in slots are milliseconds on the store clock (pw_store_clock.h):
 * monotonic, and carried across restarts and reboots by the header's
 * anchor, so that no step of the wall clock moves a duration.
 */

/*
 * A one-time token.  A verify that consumes it leaves in it what a retry
 * of that verify needs to answer the same (tag of its X-Request-ID, the
 * user, the outcome), so idempotency takes no slot of its own.
 */
struct pw_ott {
	uint32_t	 game;		/* pw_config_idhash() */
	uint32_t	 cafe;		/* 0: not at a cafe */
	uint64_t	 issued_ms;
	uint8_t		 pc[PW_KEY_LEN];	/* PC slot key; zero: none */
	pw_ref_t	 ls;		/* issuing launcher session; 0: none */
	uint8_t		 rid[PW_KEY_LEN];	/* consuming X-Request-ID, keyed */
	uint8_t		 uid[10];	/* consuming provider_user_id, BCD */
	_Atomic uint8_t	 outcome;	/* PW_OTT_OUT_*: what verify answered */
	uint8_t		 is_cafe;
	uint32_t	 reserved;
	_Atomic uint64_t consumed_ms;
	uint8_t		 spare[24];
};
/* Word hi bit of an OTT: its launcher's ott-per-launcher unit given back. */
#define PW_OTT_RELEASED	1u
#define PW_OTT_OUT_PENDING	0	/* consumed, answer not decided yet */
#define PW_OTT_OUT_VALID	1	/* is_valid true */
#define PW_OTT_OUT_NOT_CHARGEABLE 2

/*
 * A launcher session.  Requests of a running session prove themselves
 * with its session key and a sequence number; window is the RFC 4303
 * anti-replay window over those numbers, one word changed by one CAS:
 * the highest seq accepted << 32 | a bitmap of the 32 seqs at and below
 * it (bit i: highest - i accepted).
 */
struct pw_ls {
	uint8_t		 pc[PW_KEY_LEN];
	uint32_t	 cafe;		/* 0: a home session */
	uint32_t	 flags;		/* PW_LS_* */
	_Atomic uint64_t last_seen_ms;
	uint64_t	 created_ms;
	_Atomic uint64_t ended_ms;	/* 0 while live */
	_Atomic uint64_t window;
	_Atomic uint64_t rate_tat;	/* rate-limit of its requests, us */
	_Atomic uint32_t otts;		/* issued OTTs not yet consumed/expired */
	uint32_t	 reserved;
	uint8_t		 spare[32];
};
#define PW_LS_HOME_KEY	0x1u	/* started with the home key */

#define PW_UID_LEN	10	/* 20 decimal digits, BCD, 0xf padded */

/*
 * Billing time is kept in milliseconds: start_ms is the verify's instant
 * on the store clock, ended_ms the end's distance from it.  start_wall_ms
 * is the same instant on the wall clock, for the billing log's times.
 */
struct pw_gs {
	uint32_t	 game;
	uint32_t	 cafe;		/* 0: not at a cafe, nothing charged */
	uint64_t	 start_ms;
	_Atomic uint64_t last_seen_ms;
	_Atomic uint32_t ended_ms;	/* ms after the start + 1; 0: live */
	uint32_t	 price;		/* fixed for the session at verify */
	_Atomic uint32_t logged;	/* reaper only: PW_LOGGED_* | charges */
	_Atomic uint32_t free_minutes;	/* started in a charge grace */
	uint8_t		 uid[PW_UID_LEN];
	uint16_t	 reserved16;
	_Atomic uint32_t unheld;	/* charges whose hold was given back */
	uint64_t	 start_wall_ms;
	uint64_t	 start_seq;	/* its START's seq once logged; reaper */
	_Atomic uint32_t exhausted_ms;	/* as ended_ms: the grace's start */
	uint8_t		 spare[28];
};
#define PW_LOGGED_START		(1u << 31)
#define PW_LOGGED_END		(1u << 30)
#define PW_LOGGED_CHARGES(l)	((l) & 0x3fffffffu)

struct pw_pc {
	_Atomic pw_ref_t ls;
	_Atomic pw_ref_t gs;
	_Atomic uint64_t touched_ms;	/* the last bind */
	uint8_t		 spare[80];
};

#define PW_WALLET_NAME	24

struct pw_wallet {
	_Atomic int64_t	 balance;	/* after every logged event; reaper only */
	_Atomic int64_t	 hold;		/* owed, not yet logged (charges) */
	char		 name[PW_WALLET_NAME];
	uint8_t		 spare[64];
};

/*
 * A change of a wallet's balance queued by playwavectl for the reaper to
 * log and apply: amount > 0 a credit (CREDIT), amount < 0 a debit of
 * -amount (DEBIT), with the operator's memo for the log and who asked
 * (sudo's invoking user), for the daemon's log.
 */
struct pw_credit {
	int64_t		 amount;	/* signed: < 0 a debit */
	_Atomic int64_t	 balance;	/* the wallet's balance once applied */
	char		 name[PW_WALLET_NAME];
	char		 memo[PW_MEMO_MAX];	/* "" when none */
	char		 operator[PW_OPERATOR_MAX];	/* "" when unknown */
};

struct pw_reqid {
	uint8_t		 body[PW_KEY_LEN];	/* SHA-256 prefix of the body */
	uint8_t		 pt[PW_KEY_LEN];	/* the player token issued */
	uint64_t	 exp;		/* unix s, never narrowed */
	uint8_t		 spare[64];
};

/* A launcher start's nonce accepted; remembered until `until_ms'. */
struct pw_nonce {
	uint64_t	 until_ms;
	uint8_t		 spare[96];
};

struct pw_pt {
	uint32_t	 game;
	uint32_t	 reserved;
	int64_t		 exp;		/* the launch token's, unix s */
	_Atomic uint64_t last_seen_ms;
	uint64_t	 created_ms;
	char		 sub[PW_WALLET_NAME];
	uint8_t		 spare[48];
};

#define PW_PAYLOAD_SIZE	(PW_SLOT_SIZE - 8 - PW_KEY_LEN)

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
		uint8_t		 raw[PW_PAYLOAD_SIZE];
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
#define PW_COUNTER(sym)	PW_C_##sym,
#include "tbl/counters.h"
#undef PW_COUNTER
	PW_C_GS_ENDED,			/* + enum pw_reason: by reason */
	PW_C_COUNT = PW_C_GS_ENDED + PW_R_MAX
};

enum {
#define PW_ENDPOINT(sym, name, ...)	PW_EP_##sym,
#include "tbl/endpoints.h"
#undef PW_ENDPOINT
	PW_EP_COUNT
};

enum {
#define PW_LATENCY(sym, us, le)	PW_LAT_##sym,
#include "tbl/latency_buckets.h"
#undef PW_LATENCY
	PW_LAT_COUNT
};

struct pw_cell {
	_Alignas(64) _Atomic uint64_t c[PW_C_COUNT];
	/*
	 * Latency per endpoint: requests within each row's bound (not
	 * cumulated; the INF row counts them all), and their sum.
	 */
	_Atomic uint64_t lat[PW_EP_COUNT][PW_LAT_COUNT];
	_Atomic uint64_t lat_sum_us[PW_EP_COUNT];
};

enum pw_gauge {
	PW_G_LIVE,			/* + enum pw_type: live slots by type */
	PW_G_LIVE_LAST = PW_G_LIVE + PW_T_MAX - 1,
#define PW_GAUGE(sym)	PW_G_##sym,
#include "tbl/gauges.h"
#undef PW_GAUGE
#ifdef PW_STORE_TEST_EXTRA_GAUGE
	PW_G_TEST_EXTRA,		/* the format-guard test's build only */
#endif
	PW_G_COUNT
};

enum pw_proc_kind { PW_PROC_NONE = 0, PW_PROC_WORKER, PW_PROC_REAPER };

struct pw_proc {
	_Atomic uint32_t pid;
	uint32_t	 kind;
	uint32_t	 index;
	uint32_t	 restarts;	/* deaths respawned, never a reload */
	uint64_t	 started_ms;
};

/*
 * What the last start-up reconciliation changed to make the store agree
 * with the billing log (ledger.c); playwavectl log verify prints it.
 */
struct pw_recon {
	uint64_t	 ms;		/* when it ran, unix ms */
	uint64_t	 us;		/* how long it took */
	uint64_t	 from_seq;	/* the log read after this seq */
	uint64_t	 to_seq;
	uint64_t	 ended;		/* sessions kept ended (END logged) */
	uint64_t	 minutes;	/* billed minutes raised to the log's */
	uint64_t	 marks;		/* sessions whose logged marks moved */
	uint64_t	 wallets;	/* balances set to the log's */
	uint64_t	 otts;		/* OTTs kept consumed (START logged) */
	uint64_t	 credits;	/* credits marked applied (logged) */
	uint64_t	 lost;		/* sessions ended LOST (gone from store) */
	uint64_t	 mended;	/* empty slots in probe runs made tombs */
};

/*
 * The store clock's anchor: store time = store_ms + (monotonic now -
 * mono_ms) within the boot named by boot_id.  A start in another boot
 * bridges the downtime once with the wall clock (pw_store_clock.h).
 */
struct pw_clock {
	uint8_t		 boot_id[16];
	_Atomic uint64_t mono_ms;	/* the monotonic clock at the anchor */
	_Atomic uint64_t store_ms;	/* the store clock at the anchor */
	_Atomic uint64_t wall_ms;	/* the wall clock at the anchor */
	_Atomic uint64_t last_ms;	/* the store clock at the last pass */
	_Atomic uint64_t bridged_ms;	/* downtime the last reboot assumed */
	uint64_t	 spare;
};

/* The last SIGHUP: when, whether it applied, and why not. */
struct pw_reload {
	_Atomic uint64_t ms;		/* unix ms of the last reload */
	_Atomic uint64_t ok_ms;		/* unix ms of the last that applied */
	_Atomic uint32_t status;	/* PW_RELOAD_* */
	_Atomic uint32_t count;		/* reloads applied since the start */
	char		 error[128];	/* the refused config's first error */
};
#define PW_RELOAD_NONE		0
#define PW_RELOAD_OK		1
#define PW_RELOAD_FAILED	2

/*
 * The billing log as its writer last left it, and what others tell the
 * reaper.  head_link is written before head_seq (release): a reader that
 * loads head_seq (acquire) twice around its copy of the link has a pair
 * that belongs together when both loads agree.
 */
struct pw_ledger_state {
	_Atomic uint64_t segment_first_seq;	/* of the active file */
	_Atomic uint64_t segments;		/* closed segments beside it */
	_Atomic uint64_t archived_seq;		/* every seq below: archived */
	_Atomic uint64_t head_seq;		/* the chain's head ... */
	uint8_t		 head_link[32];		/* ... and its link c_n */
	_Atomic uint32_t write_errno;		/* 0: the last write went */
	uint32_t	 reserved;
	_Atomic uint64_t write_error_ms;
	/*
	 * A checkpoint whose header is known to be on disk: the one before
	 * the last sweep, which rewrote the header page (checkpoint.c).
	 * Only segments wholly below it may be archived.
	 */
	_Atomic uint64_t disk_ckpt_seq;
	/* Bumped by whoever leaves the reaper work due now (pw_store_poke). */
	_Atomic uint64_t poke;
	uint64_t	 spare[4];
};

/* Readiness (GET /readyz) conditions the daemon sets. */
#define PW_READY_RECONCILED	0x1u	/* start-up reconciliation done */

/*
 * Per-cafe launcher state, found by the cafe's id hash (open addressing,
 * claimed by CAS of the hash word): each cafe's quota and rate are its
 * own, never a bucket shared with anyone.
 */
struct pw_cafe_state {
	_Atomic uint32_t hash;		/* pw_config_idhash(); 0: free */
	uint32_t	 reserved;
	_Atomic uint64_t quota_tat;	/* cafe-start-quota, store ms */
	_Atomic uint64_t rate_tat;	/* rate-limit of its starts, us */
	_Atomic uint64_t home_key_starts;	/* started with the home key */
};

/*
 * Per-prefix state of home-key starts (/24, /56), placed by a keyed hash
 * of the prefix; an entry whose quota is back to full may be taken over.
 */
struct pw_prefix_state {
	_Atomic uint64_t key;		/* keyed hash of the prefix; 0: free */
	_Atomic uint64_t quota_tat;	/* home-start-quota, store ms */
	_Atomic uint64_t rate_tat;	/* rate-limit of its starts, us */
	uint64_t	 reserved;
};

struct pw_store_hdr {
	/* Read before the layout is known: these never move (asserted). */
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 byteorder;
	uint32_t	 hdr_size;
	uint32_t	 slot_size;
	uint64_t	 nslots;
	uint64_t	 fingerprint;	/* PW_STORE_FINGERPRINT of the maker */
	uint64_t	 created_ms;
	uint8_t		 secret[16];	/* keys session ids to their OTT */
	/*
	 * Every event up to ckpt_seq is reflected in every page of the
	 * file on disk: the reaper msyncs the whole mapping first and
	 * only then raises it (ledger.c).  Start-up reconciliation reads
	 * the log from here on.
	 */
	_Atomic uint64_t ckpt_seq;
	_Atomic uint64_t ckpt_ms;
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
	_Atomic uint32_t ready;		/* PW_READY_* */
	struct pw_recon	 recon;
	/* Made at random with the store, never shown or configured. */
	uint8_t		 place_key[PW_PLACE_KEY_LEN];	/* slot placement */
	uint8_t		 session_secret[PW_SESSION_SECRET_LEN];	/* session keys */
	struct pw_clock	 clock;
	struct pw_reload reload;
	struct pw_ledger_state ledger;
	/* home-start-total: GCRA over every home-key start, store ms. */
	_Atomic uint64_t home_total_tat;
	/* Gauges the reaper recounts every pass (see enum pw_gauge). */
	_Atomic uint64_t gauge[PW_G_COUNT];
	uint32_t	 nprocs;
	struct pw_proc	 procs[PW_MAX_WORKERS + 1];
	/* rate-limit: GCRA theoretical arrival time, us, per API key ... */
	_Atomic uint64_t api_tat[PW_API_KEY_SLOTS];
	/* ... and per game for authenticate. */
	_Atomic uint64_t auth_tat[PW_GAME_SLOTS];
	struct pw_cafe_state cafes[PW_CAFE_SLOTS];
	struct pw_prefix_state prefixes[PW_HOME_PREFIXES];
	struct pw_cell	 cells[PW_NCELLS];
};

#define PW_STORE_HDR_SIZE	\
	((sizeof(struct pw_store_hdr) + 4095) & ~(size_t)4095)

/*
 * The layout fingerprint: a sum of every size and offset, each weighted
 * by its position, so that a field moved, grown or added changes it.  A
 * constant expression: computed by the compiler, never at run time.
 */
#define PW_FP_W(i)	(((uint64_t)(i) * 0x9e3779b97f4a7c15ull) | 1)
#define PW_FP(i, v)	((uint64_t)(v) * PW_FP_W(i))
#define PW_FP_OFF(i, t, f)	\
	(PW_FP(2 * (i), offsetof(t, f)) + PW_FP(2 * (i) + 1, sizeof(((t *)0)->f)))
#define PW_FP_HDR (							\
	PW_FP_OFF(10, struct pw_store_hdr, generation) +		\
	PW_FP_OFF(11, struct pw_store_hdr, master_pid) +		\
	PW_FP_OFF(12, struct pw_store_hdr, master_started_ms) +		\
	PW_FP_OFF(13, struct pw_store_hdr, logged_seq) +		\
	PW_FP_OFF(14, struct pw_store_hdr, durable_seq) +		\
	PW_FP_OFF(15, struct pw_store_hdr, log_pending) +		\
	PW_FP_OFF(16, struct pw_store_hdr, max_probe) +			\
	PW_FP_OFF(17, struct pw_store_hdr, reaper_seen_ms) +		\
	PW_FP_OFF(18, struct pw_store_hdr, reload_gen) +		\
	PW_FP_OFF(19, struct pw_store_hdr, gauge) +			\
	PW_FP_OFF(20, struct pw_store_hdr, nprocs) +			\
	PW_FP_OFF(21, struct pw_store_hdr, procs) +			\
	PW_FP_OFF(22, struct pw_store_hdr, api_tat) +			\
	PW_FP_OFF(23, struct pw_store_hdr, cells) +			\
	PW_FP_OFF(24, struct pw_store_hdr, ckpt_seq) +			\
	PW_FP_OFF(25, struct pw_store_hdr, secret) +			\
	PW_FP_OFF(26, struct pw_store_hdr, recon) +			\
	PW_FP_OFF(27, struct pw_store_hdr, shard) +			\
	PW_FP_OFF(28, struct pw_store_hdr, ready) +			\
	PW_FP_OFF(29, struct pw_store_hdr, place_key) +			\
	PW_FP_OFF(30, struct pw_store_hdr, session_secret) +		\
	PW_FP_OFF(31, struct pw_store_hdr, clock) +			\
	PW_FP_OFF(32, struct pw_store_hdr, reload) +			\
	PW_FP_OFF(33, struct pw_store_hdr, ledger) +			\
	PW_FP_OFF(34, struct pw_store_hdr, home_total_tat) +		\
	PW_FP_OFF(35, struct pw_store_hdr, auth_tat) +			\
	PW_FP_OFF(36, struct pw_store_hdr, cafes) +			\
	PW_FP_OFF(37, struct pw_store_hdr, prefixes))
#define PW_FP_PARTS (							\
	PW_FP_OFF(40, struct pw_clock, mono_ms) +			\
	PW_FP_OFF(41, struct pw_clock, bridged_ms) +			\
	PW_FP_OFF(42, struct pw_reload, error) +			\
	PW_FP_OFF(43, struct pw_ledger_state, head_link) +		\
	PW_FP_OFF(44, struct pw_ledger_state, write_error_ms) +		\
	PW_FP_OFF(49, struct pw_ledger_state, disk_ckpt_seq) +		\
	PW_FP_OFF(39, struct pw_ledger_state, poke) +			\
	PW_FP_OFF(45, struct pw_cafe_state, home_key_starts) +		\
	PW_FP_OFF(46, struct pw_prefix_state, rate_tat) +		\
	PW_FP_OFF(47, struct pw_cell, lat) +				\
	PW_FP_OFF(48, struct pw_cell, lat_sum_us))
#define PW_FP_SLOTS (							\
	PW_FP_OFF(50, struct pw_slot, word) +				\
	PW_FP_OFF(51, struct pw_slot, key) +				\
	PW_FP_OFF(52, struct pw_slot, u) +				\
	PW_FP_OFF(53, struct pw_gs, start_ms) +				\
	PW_FP_OFF(54, struct pw_gs, ended_ms) +				\
	PW_FP_OFF(55, struct pw_gs, logged) +				\
	PW_FP_OFF(56, struct pw_gs, unheld) +				\
	PW_FP_OFF(57, struct pw_gs, start_wall_ms) +			\
	PW_FP_OFF(70, struct pw_gs, start_seq) +			\
	PW_FP_OFF(71, struct pw_gs, exhausted_ms) +			\
	PW_FP_OFF(72, struct pw_credit, operator) +			\
	PW_FP_OFF(58, struct pw_ls, ended_ms) +				\
	PW_FP_OFF(59, struct pw_ls, window) +				\
	PW_FP_OFF(60, struct pw_ls, otts) +				\
	PW_FP_OFF(61, struct pw_ott, ls) +				\
	PW_FP_OFF(62, struct pw_ott, rid) +				\
	PW_FP_OFF(63, struct pw_ott, consumed_ms) +			\
	PW_FP_OFF(64, struct pw_wallet, hold) +				\
	PW_FP_OFF(65, struct pw_credit, memo) +				\
	PW_FP_OFF(66, struct pw_pc, touched_ms) +			\
	PW_FP_OFF(67, struct pw_reqid, exp) +				\
	PW_FP_OFF(68, struct pw_pt, sub) +				\
	PW_FP_OFF(69, struct pw_nonce, until_ms))
#define PW_STORE_FINGERPRINT (0xcbf29ce484222325ull +			\
	PW_FP(1, sizeof(struct pw_store_hdr)) + PW_FP(2, PW_STORE_HDR_SIZE) + \
	PW_FP(3, sizeof(struct pw_slot)) + PW_FP(4, PW_C_COUNT) +	\
	PW_FP(5, PW_G_COUNT) + PW_FP(6, PW_NCELLS) +			\
	PW_FP(7, sizeof(struct pw_cell)) + PW_FP(8, sizeof(struct pw_proc)) + \
	PW_FP(9, PW_STORE_VERSION) + PW_FP_HDR + PW_FP_PARTS + PW_FP_SLOTS)

/* What is read before the layout is known never moves. */
_Static_assert(offsetof(struct pw_store_hdr, magic) == 0, "hdr magic");
_Static_assert(offsetof(struct pw_store_hdr, version) == 8, "hdr version");
_Static_assert(offsetof(struct pw_store_hdr, byteorder) == 12, "hdr order");
_Static_assert(offsetof(struct pw_store_hdr, hdr_size) == 16, "hdr size");
_Static_assert(offsetof(struct pw_store_hdr, slot_size) == 20, "hdr slot");
_Static_assert(offsetof(struct pw_store_hdr, nslots) == 24, "hdr nslots");
_Static_assert(offsetof(struct pw_store_hdr, fingerprint) == 32, "hdr fp");
_Static_assert(offsetof(struct pw_store_hdr, created_ms) == 40, "hdr ctime");
_Static_assert(offsetof(struct pw_store_hdr, secret) == 48, "hdr secret");
_Static_assert(offsetof(struct pw_store_hdr, ckpt_seq) == 64, "hdr ckpt");
_Static_assert(offsetof(struct pw_store_hdr, ckpt_ms) == 72, "hdr ckpt ms");
_Static_assert(offsetof(struct pw_store_hdr, generation) == 80, "hdr gen");
_Static_assert(offsetof(struct pw_store_hdr, master_pid) == 88, "hdr pid");
_Static_assert(offsetof(struct pw_store_hdr, shard) == 92, "hdr shard");
_Static_assert(offsetof(struct pw_store_hdr, master_started_ms) == 96,
    "hdr master start");
_Static_assert(offsetof(struct pw_store_hdr, logged_seq) == 104, "logged");
_Static_assert(offsetof(struct pw_store_hdr, durable_seq) == 112, "durable");
_Static_assert(offsetof(struct pw_store_hdr, log_pending) == 120, "pending");
_Static_assert(offsetof(struct pw_store_hdr, max_probe) == 128, "probe");
_Static_assert(offsetof(struct pw_store_hdr, reaper_seen_ms) == 136, "seen");
_Static_assert(offsetof(struct pw_store_hdr, reload_gen) == 144, "reload");
_Static_assert(offsetof(struct pw_store_hdr, ready) == 148, "ready");
_Static_assert(offsetof(struct pw_store_hdr, recon) == 152, "recon");
_Static_assert(sizeof(struct pw_recon) == 96, "recon size");
_Static_assert(offsetof(struct pw_store_hdr, place_key) == 248, "place key");
_Static_assert(offsetof(struct pw_store_hdr, session_secret) == 264,
    "session secret");
_Static_assert(offsetof(struct pw_store_hdr, clock) == 296, "clock");
_Static_assert(sizeof(struct pw_clock) == 64, "clock size");
_Static_assert(offsetof(struct pw_clock, mono_ms) == 16, "clock mono");
_Static_assert(offsetof(struct pw_clock, bridged_ms) == 48, "clock bridged");
_Static_assert(offsetof(struct pw_store_hdr, reload) == 360, "reload");
_Static_assert(sizeof(struct pw_reload) == 152, "reload size");
_Static_assert(offsetof(struct pw_reload, error) == 24, "reload error");
_Static_assert(offsetof(struct pw_store_hdr, ledger) == 512, "ledger");
_Static_assert(sizeof(struct pw_ledger_state) == 128, "ledger size");
_Static_assert(offsetof(struct pw_ledger_state, head_link) == 32, "head");
_Static_assert(offsetof(struct pw_ledger_state, write_error_ms) == 72,
    "ledger error");
_Static_assert(offsetof(struct pw_ledger_state, disk_ckpt_seq) == 80,
    "ledger disk checkpoint");
_Static_assert(offsetof(struct pw_ledger_state, poke) == 88, "ledger poke");
_Static_assert(offsetof(struct pw_store_hdr, home_total_tat) == 640,
    "home total");
_Static_assert(offsetof(struct pw_store_hdr, gauge) == 648, "gauges");
/* After the gauges, fields follow each other with no gaps. */
_Static_assert(offsetof(struct pw_store_hdr, nprocs) ==
    648 + PW_G_COUNT * 8, "nprocs after the gauges");
_Static_assert(offsetof(struct pw_store_hdr, procs) ==
    offsetof(struct pw_store_hdr, nprocs) + 8, "procs");
_Static_assert(offsetof(struct pw_store_hdr, api_tat) ==
    offsetof(struct pw_store_hdr, procs) +
    sizeof(struct pw_proc) * (PW_MAX_WORKERS + 1), "api key rates");
_Static_assert(offsetof(struct pw_store_hdr, auth_tat) ==
    offsetof(struct pw_store_hdr, api_tat) + 8 * PW_API_KEY_SLOTS,
    "game rates");
_Static_assert(offsetof(struct pw_store_hdr, cafes) ==
    offsetof(struct pw_store_hdr, auth_tat) + 8 * PW_GAME_SLOTS, "cafes");
_Static_assert(sizeof(struct pw_cafe_state) == 32, "cafe state");
_Static_assert(offsetof(struct pw_cafe_state, quota_tat) == 8, "cafe quota");
_Static_assert(offsetof(struct pw_store_hdr, prefixes) ==
    offsetof(struct pw_store_hdr, cafes) + 32 * PW_CAFE_SLOTS, "prefixes");
_Static_assert(sizeof(struct pw_prefix_state) == 32, "prefix state");
/* The cells start at the first cache line after the prefixes. */
_Static_assert(offsetof(struct pw_store_hdr, cells) % 64 == 0 &&
    offsetof(struct pw_store_hdr, cells) >=
    offsetof(struct pw_store_hdr, prefixes) + 32 * PW_HOME_PREFIXES &&
    offsetof(struct pw_store_hdr, cells) <
    offsetof(struct pw_store_hdr, prefixes) + 32 * PW_HOME_PREFIXES + 64,
    "cells");
_Static_assert(sizeof(struct pw_store_hdr) ==
    offsetof(struct pw_store_hdr, cells) + sizeof(struct pw_cell) * PW_NCELLS,
    "nothing after the cells");
_Static_assert(sizeof(struct pw_cell) % 64 == 0 &&
    sizeof(struct pw_cell) >= (PW_C_COUNT + PW_EP_COUNT * (PW_LAT_COUNT + 1)) *
    8, "cell");
_Static_assert(offsetof(struct pw_cell, lat) == 8 * PW_C_COUNT, "cell lat");
_Static_assert(sizeof(struct pw_proc) == 24, "proc");
_Static_assert(offsetof(struct pw_proc, started_ms) == 16, "proc start");

_Static_assert(sizeof(struct pw_slot) == PW_SLOT_SIZE, "slot size");
_Static_assert(offsetof(struct pw_slot, word) == 0, "slot word");
_Static_assert(offsetof(struct pw_slot, key) == 8, "slot key");
_Static_assert(offsetof(struct pw_slot, u) == 24, "slot payload");
_Static_assert(sizeof(((struct pw_slot *)0)->u) == 104, "payload size");

_Static_assert(sizeof(struct pw_ott) == 104, "ott");
_Static_assert(offsetof(struct pw_ott, cafe) == 4, "ott cafe");
_Static_assert(offsetof(struct pw_ott, issued_ms) == 8, "ott issued");
_Static_assert(offsetof(struct pw_ott, pc) == 16, "ott pc");
_Static_assert(offsetof(struct pw_ott, ls) == 32, "ott ls");
_Static_assert(offsetof(struct pw_ott, rid) == 40, "ott rid");
_Static_assert(offsetof(struct pw_ott, uid) == 56, "ott uid");
_Static_assert(offsetof(struct pw_ott, outcome) == 66, "ott outcome");
_Static_assert(offsetof(struct pw_ott, is_cafe) == 67, "ott is_cafe");
_Static_assert(offsetof(struct pw_ott, consumed_ms) == 72, "ott consumed");

_Static_assert(sizeof(struct pw_ls) == 104, "ls");
_Static_assert(offsetof(struct pw_ls, cafe) == 16, "ls cafe");
_Static_assert(offsetof(struct pw_ls, flags) == 20, "ls flags");
_Static_assert(offsetof(struct pw_ls, last_seen_ms) == 24, "ls seen");
_Static_assert(offsetof(struct pw_ls, created_ms) == 32, "ls created");
_Static_assert(offsetof(struct pw_ls, ended_ms) == 40, "ls ended");
_Static_assert(offsetof(struct pw_ls, window) == 48, "ls window");
_Static_assert(offsetof(struct pw_ls, rate_tat) == 56, "ls rate");
_Static_assert(offsetof(struct pw_ls, otts) == 64, "ls otts");

_Static_assert(sizeof(struct pw_gs) == 104, "gs");
_Static_assert(offsetof(struct pw_gs, cafe) == 4, "gs cafe");
_Static_assert(offsetof(struct pw_gs, start_ms) == 8, "gs start");
_Static_assert(offsetof(struct pw_gs, last_seen_ms) == 16, "gs seen");
_Static_assert(offsetof(struct pw_gs, ended_ms) == 24, "gs ended");
_Static_assert(offsetof(struct pw_gs, price) == 28, "gs price");
_Static_assert(offsetof(struct pw_gs, logged) == 32, "gs logged");
_Static_assert(offsetof(struct pw_gs, free_minutes) == 36, "gs free");
_Static_assert(offsetof(struct pw_gs, uid) == 40, "gs uid");
_Static_assert(offsetof(struct pw_gs, unheld) == 52, "gs unheld");
_Static_assert(offsetof(struct pw_gs, start_wall_ms) == 56, "gs wall");
_Static_assert(offsetof(struct pw_gs, start_seq) == 64, "gs start seq");
_Static_assert(offsetof(struct pw_gs, exhausted_ms) == 72, "gs exhausted");

_Static_assert(sizeof(struct pw_pc) == 104, "pc");
_Static_assert(offsetof(struct pw_pc, gs) == 8, "pc gs");
_Static_assert(offsetof(struct pw_pc, touched_ms) == 16, "pc touched");

_Static_assert(sizeof(struct pw_wallet) == 104, "wallet");
_Static_assert(offsetof(struct pw_wallet, hold) == 8, "wallet hold");
_Static_assert(offsetof(struct pw_wallet, name) == 16, "wallet name");

_Static_assert(sizeof(struct pw_credit) == 104, "credit");
_Static_assert(offsetof(struct pw_credit, balance) == 8, "credit balance");
_Static_assert(offsetof(struct pw_credit, name) == 16, "credit name");
_Static_assert(offsetof(struct pw_credit, memo) == 40, "credit memo");
_Static_assert(offsetof(struct pw_credit, operator) == 72, "credit operator");

_Static_assert(sizeof(struct pw_reqid) == 104, "reqid");
_Static_assert(offsetof(struct pw_reqid, pt) == 16, "reqid pt");
_Static_assert(offsetof(struct pw_reqid, exp) == 32, "reqid exp");

_Static_assert(sizeof(struct pw_nonce) == 104, "nonce");

_Static_assert(sizeof(struct pw_pt) == 104, "pt");
_Static_assert(offsetof(struct pw_pt, exp) == 8, "pt exp");
_Static_assert(offsetof(struct pw_pt, last_seen_ms) == 16, "pt seen");
_Static_assert(offsetof(struct pw_pt, created_ms) == 24, "pt created");
_Static_assert(offsetof(struct pw_pt, sub) == 32, "pt sub");

#endif /* PW_STORE_FORMAT_H */
