/*
 * What the API does to the store, independent of HTTP: OTTs, launcher
 * sessions, game sessions and wallets.  Workers, playwavectl and the
 * reaper all change state only through these functions, so an OTT is
 * consumed the same way whoever consumes it.
 */
#ifndef PW_SESSION_H
#define PW_SESSION_H

#include <stdint.h>

#include "pw_config.h"
#include "pw_store.h"

enum pw_verify {
	PW_V_OK,
	PW_V_NOT_FOUND,
	PW_V_GAME_MISMATCH,
	PW_V_USED,
	PW_V_EXPIRED,
	PW_V_NOT_CHARGEABLE,
	PW_V_FULL,
	PW_V_REPEATED,		/* a retry: the first verify's valid answer */
	PW_V_REPEATED_CAFE,	/* the same, at a cafe */
	PW_V_ID_REUSED,		/* the first verify's id, another user */
	PW_V_IN_PROGRESS,	/* the first verify's answer not decided yet */
	PW_V_RETRY		/* (internal) the OTT was given back: again */
};

/*
 * What a verify compares with the verify that consumed the OTT: the tag
 * of its client's X-Request-ID (pw_verify_rid_tag; NULL when it sent
 * none) and its user.
 */
struct pw_verify_req {
	const uint8_t	*rid;
	const uint8_t	*uid;
};
void	 pw_verify_rid_tag(const struct pw_store *, const char *rid,
	    uint8_t tag[PW_KEY_LEN]);

enum pw_touch {
	PW_TOUCH_OK,
	PW_TOUCH_EXHAUSTED,
	PW_TOUCH_REPLACED,		/* ended by a newer session on the same PC */
	PW_TOUCH_NOT_FOUND,
	PW_TOUCH_ENDED,
	PW_TOUCH_MISMATCH,
	PW_TOUCH_ALREADY		/* end of an ended session */
};

struct pw_gs_info {
	uint32_t	 duration;	/* server-measured play time, s */
	int		 is_cafe;
	unsigned	 reason;	/* enum pw_reason when ended */
	uint32_t	 billed;	/* minutes */
	int64_t		 charged;	/* G-coin */
};

/* Wallet key of an id ("seoul-01", "player:abc"). */
void	 pw_wallet_key(uint8_t key[PW_KEY_LEN], const char *id);
void	 pw_pc_key(uint8_t key[PW_KEY_LEN], uint32_t cafe, const char *pc_id,
	    size_t len);

/* Would a credit of amount keep the wallet's balance within 2^53 - 1? */
int	 pw_credit_fits(struct pw_store *, const char *id, int64_t amount);

/* ls: the issuing launcher session (its OTT quota), 0 for none. */
int	 pw_ott_issue(struct pw_store *, uint32_t game, uint32_t cafe,
	    const uint8_t *pc, pw_ref_t ls, uint64_t now_ms,
	    uint8_t out[PW_KEY_LEN]);
/* Give an OTT's ott-per-launcher unit back (consumed or expired). */
void	 pw_ott_release(struct pw_store *, struct pw_slot *ott);
/* The checks of a verify in the API's order, then the CAS that consumes. */
enum pw_verify pw_ott_consume(struct pw_store *, const struct pw_config *,
	    const uint8_t ott[PW_KEY_LEN], uint32_t game,
	    const struct pw_verify_req *, struct pw_slot **);
/* The consuming verify's answer (PW_OTT_OUT_*), for its retries. */
void	 pw_ott_outcome(struct pw_slot *ott, unsigned outcome, int is_cafe);
/* Give a consumed OTT back when its session could not be stored. */
void	 pw_ott_unconsume(struct pw_slot *ott);
/* ott-per-launcher: take a unit of ls (0: none left), give one back. */
int	 pw_ott_quota_take(struct pw_slot *ls, int64_t max);
void	 pw_ott_quota_put(struct pw_slot *ls);

enum pw_verify pw_gs_verify(struct pw_store *, const struct pw_config *,
	    const uint8_t ott[PW_KEY_LEN], const struct pw_game *,
	    const struct pw_verify_req *, uint8_t gs[PW_KEY_LEN], int *is_cafe);

/* Heartbeat (check: 0) or teleport check (check: 1); uid may be NULL. */
enum pw_touch pw_gs_touch(struct pw_store *, const uint8_t gs[PW_KEY_LEN],
	    uint32_t game, const uint8_t *uid, struct pw_gs_info *);

/*
 * End a live session with reason; game 0 matches any game (admin).  An
 * already ended one gives PW_TOUCH_ALREADY with info->reason its reason.
 */
enum pw_touch pw_gs_end(struct pw_store *, const struct pw_config *,
	    const uint8_t gs[PW_KEY_LEN], uint32_t game, unsigned reason,
	    struct pw_gs_info *);
/*
 * End the session in slot s if it is still alive (reaper, replacement),
 * billing the minutes due at now_ms; cfg NULL bills none more.
 */
int	 pw_gs_end_slot(struct pw_store *, const struct pw_config *,
	    struct pw_slot *, unsigned reason, uint64_t now_ms);
void	 pw_gs_info(const struct pw_slot *, uint64_t word, uint64_t now_ms,
	    struct pw_gs_info *);
/* Billing time of a session, store-clock ms; end 0 while it lives. */
uint64_t pw_gs_start_ms(const struct pw_slot *);
uint64_t pw_gs_end_ms(const struct pw_slot *);
void	 pw_gs_set_end(struct pw_slot *, uint64_t now_ms);
/* Minutes started by now_ms (the first from the start itself). */
uint32_t pw_gs_due(const struct pw_slot *, uint64_t now_ms, int unit_s);
/* Minutes to be charged by now_ms: those started, less the free ones. */
uint32_t pw_gs_owed(const struct pw_slot *, uint64_t now_ms, int unit_s);
/* When the charge grace began (0: never); it begins at exhaustion. */
uint64_t pw_gs_exhausted_ms(const struct pw_slot *);
void	 pw_gs_set_exhausted(struct pw_slot *, uint64_t now_ms);
/*
 * An exhausted session: every minute started since its grace began is
 * free play, counted once (grace_charges_waived_total).  Returns how many are free.
 */
uint32_t pw_gs_grace(struct pw_store *, struct pw_slot *, uint64_t word,
	    uint64_t now_ms, int unit_s);
/* The id of the session an OTT starts. */
void	 pw_gs_key_of_ott(const struct pw_store *,
	    const uint8_t ott[PW_KEY_LEN], uint8_t key[PW_KEY_LEN]);

/*
 * Make s (a launcher or a game session) the PC's current one of its kind;
 * *displaced gets the one it replaced (or NULL), which the caller ends
 * with reason REPLACED.
 */
int	 pw_pc_bind(struct pw_store *, const uint8_t pc[PW_KEY_LEN],
	    struct pw_slot *, struct pw_slot **displaced);

/* Launcher sessions (launcher.c). */
struct pw_lsig_session;
/* flags: PW_LS_*; cafe 0 for a home session (its own PC). */
int	 pw_ls_start_key(struct pw_store *, const char *pc_id, size_t pclen,
	    uint32_t cafe, uint32_t flags, const uint8_t key[PW_KEY_LEN]);
/* The session key the start hands out (never stored). */
void	 pw_ls_session_key(const struct pw_store *,
	    const uint8_t key[PW_KEY_LEN], uint8_t out[32]);
/* The replay window: 0 when seq is accepted (once), else -1. */
int	 pw_ls_window_accept(struct pw_slot *ls, uint32_t seq);
enum pw_ls_check {
	PW_LSC_OK,
	PW_LSC_NOT_FOUND,	/* 404 SESSION_NOT_FOUND */
	PW_LSC_BAD_SIGNATURE,	/* 401 INVALID_SIGNATURE */
	PW_LSC_REPLAYED,	/* 401 REPLAYED_REQUEST */
	PW_LSC_MISMATCH,	/* 403 CAFE_MISMATCH (seq taken) */
	PW_LSC_ENDED,		/* 410 SESSION_ENDED (seq taken) */
	PW_LSC_RATE		/* 429 RATE_LIMITED (seq taken) */
};
/*
 * A session request's checks in the API's order; cafe is where it comes
 * from (0: outside every cafe).  *ls is set once the seq is taken.
 */
enum pw_ls_check pw_ls_request(struct pw_store *, const struct pw_config *,
	    const uint8_t key[PW_KEY_LEN], const struct pw_lsig_session *,
	    uint32_t cafe, struct pw_slot **ls, uint64_t *retry_s);
void	 pw_ls_touch(struct pw_store *, struct pw_slot *ls);
int	 pw_ls_end_slot(struct pw_store *, struct pw_slot *, unsigned reason,
	    uint64_t now_ms);

/*
 * The replay cache of session starts' nonces (nonce.c); only a start
 * that passed its signature, network and quota is remembered.
 */
enum pw_nonce_result {
	PW_NC_NEW,
	PW_NC_REPLAY,		/* already accepted inside the window */
	PW_NC_FULL
};
int	 pw_nonce_seen(struct pw_store *, const char *nonce);
enum pw_nonce_result pw_nonce_remember(struct pw_store *, const char *nonce,
	    uint64_t now_ms);
/* 1 once a nonce record is past its window: the reaper frees it. */
int	 pw_nonce_expire(const struct pw_slot *, uint64_t now_ms,
	    uint64_t *due);

/* Start quotas and rates (quota.c). */
struct sockaddr;
/* The keyed hash of an address's /24 or /56: its home quota's entry. */
uint64_t pw_prefix_key(const struct pw_store *, const struct sockaddr *);
/* cafe NULL: a home start from prefix.  0, or -1 and *retry_s. */
int	 pw_quota_start(struct pw_store *, const struct pw_config *,
	    const struct pw_cafe *cafe, uint64_t prefix, uint64_t now_ms,
	    uint64_t *retry_s);
int	 pw_quota_session_rate(struct pw_slot *ls, const struct pw_config *,
	    uint64_t *retry_s);

/*
 * Wallets (wallet.c, the only writer of a wallet's money).  The balance
 * changes only with a logged event (pw_apply_event); workers reserve a
 * charge by raising the hold, so that two concurrent verifies can never
 * spend the same G-coin.  The reaper turns holds into CHARGE events and
 * lowers both.
 */
int	 pw_wallet_hold(struct pw_store *, uint32_t cafe_hash,
	    const struct pw_config *, int64_t amount);
/* The same on a wallet's slot: -1 when balance - hold would not cover. */
int	 pw_wallet_reserve(struct pw_slot *wallet, int64_t amount);
void	 pw_wallet_unhold(struct pw_store *, uint32_t cafe_hash,
	    const struct pw_config *, int64_t amount);
/* Give back amount of the hold (charged, applied or dropped). */
void	 pw_wallet_release(struct pw_slot *wallet, int64_t amount);
/* The balance the log gives it; returns the one it had. */
int64_t	 pw_wallet_set_logged(struct pw_slot *wallet, int64_t balance);
int64_t	 pw_wallet_logged(const struct pw_slot *wallet);
int64_t	 pw_wallet_held(const struct pw_slot *wallet);
/* Holds recomputed while no worker runs (the master's reconciliation). */
void	 pw_wallet_hold_reset(struct pw_slot *wallet);
void	 pw_wallet_hold_add(struct pw_slot *wallet, int64_t amount);
struct pw_slot *pw_wallet_find(struct pw_store *, const char *id);
/* Find or make the wallet of id; NULL when the store is full. */
struct pw_slot *pw_wallet_open(struct pw_store *, const char *id);
int	 pw_credit_retire(struct pw_slot *, uint64_t word);
int64_t	 pw_wallet_balance(struct pw_store *, const char *id);
/*
 * Queue a credit (amount > 0) or a debit (amount < 0) for the reaper,
 * with a memo for the log and who asked, for the daemon's log (either
 * may be NULL); returns the credit slot or NULL.
 */
struct pw_slot *pw_credit_queue(struct pw_store *, const char *id,
	    int64_t amount, const char *memo, const char *operator,
	    uint8_t key[PW_KEY_LEN]);
/*
 * The credit or debit's event is logged with the wallet's balance after
 * it: mark it applied (1 when this call did), a debit's hold given back
 * with release.
 */
int	 pw_credit_apply(struct pw_slot *credit, struct pw_slot *wallet,
	    int64_t balance, int release);
/* A credit record that takes money out (wallet debit). */
static inline int
pw_credit_is_debit(const struct pw_slot *s)
{
	return (s->u.cr.amount < 0);
}

/*
 * What the reaper asks each record's owner on every walk.  The expire
 * functions return 1 when the slot may be freed (once its events are
 * durable: the reaper's business), and lower *due to the store-clock
 * instant the record next needs the reaper (an expiry, a minute's
 * start), so that a walk is made only when something is due.
 */
int	 pw_ott_expire(struct pw_store *, const struct pw_config *,
	    struct pw_slot *, uint64_t word, uint64_t now_ms, uint64_t *due);
int	 pw_gs_expire(struct pw_store *, const struct pw_config *,
	    struct pw_slot *, uint64_t word, uint64_t now_ms, uint64_t *due);
int	 pw_ls_expire(struct pw_store *, const struct pw_config *,
	    struct pw_slot *, uint64_t word, uint64_t now_ms, uint64_t *due);
int	 pw_pc_expire(struct pw_store *, const struct pw_config *,
	    struct pw_slot *, uint64_t now_ms, uint64_t *due);
struct pw_slot *pw_pc_game_of(struct pw_store *, struct pw_slot *ls);

#endif /* PW_SESSION_H */
