/*
 * The one reader of the billing log's meaning: what a run of events says
 * about each session and each wallet, and the rules they must obey (a
 * START first, CHARGE minutes 1..n, nothing after the END, an END whose
 * totals are its charges, every balance the running sum of its wallet's
 * amounts: credits less charges and debits, never below zero after a
 * debit).  playwavectl log verify reads the whole log with it; the
 * start-up reconciliation (reconcile.c) reads the log since the store's
 * checkpoint with it and applies the result to the store.
 *
 * Read from a checkpoint, the ledger sees sessions and wallets whose
 * beginning lies before it: it adopts them at their first event (the
 * charges before it from the minute's number, a wallet's balance before
 * it from the event's balance), and checks the rest as usual.  Read from
 * the head of a segment, it starts from the segment's snapshot instead;
 * every later segment's snapshot it crosses is checked against what it
 * has read (a wallet's balance, the open sessions and their charges).
 */
#ifndef PW_LEDGER_H
#define PW_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "pw_billing.h"
#include "pw_segment.h"

struct pw_lsess {
	uint8_t		 id[16];
	uint8_t		 used;
	uint8_t		 started;	/* its START was read */
	uint8_t		 ended;
	uint8_t		 cafe;
	uint8_t		 credit;	/* a CREDIT's or DEBIT's id, no session */
	uint8_t		 reason;	/* of the END */
	uint32_t	 charges;	/* the last CHARGE's minute */
	uint32_t	 end_minutes;	/* the END's billed minutes */
	uint64_t	 start_seq;	/* its START's; 0 not read */
	int64_t		 charged;
	int64_t		 balance;	/* the wallet's after its last event */
	uint64_t	 end_ms;
	char		 game[24];
	char		 wallet[24];
};

struct pw_lwallet {
	char		 name[24];
	int		 used;
	int64_t		 balance;
};

struct pw_ledger {
	uint64_t	 from_seq;	/* events up to it are not read */
	int		 partial;	/* history before the read is implied */
	int		 started;	/* a snapshot or an event was read */
	struct pw_lsess	*s;
	size_t		 ns, scap;
	struct pw_lwallet *w;
	size_t		 nw, wcap;
	uint64_t	 events, open, last_seq;
	uint64_t	 snap_open, snap_known;	/* the snapshot being checked */
	/* Called after each event (the reconciliation applies it). */
	pw_blog_fn	 hook;
	void		*hook_arg;
	/* The first broken rule, or (bad_off = offset) the record's fault. */
	int		 bad;
	uint64_t	 bad_off;
	char		 bad_file[1024];
	char		 why[256];
};

/* -1 (errno) when memory runs out. */
int	 pw_ledger_init(struct pw_ledger *, uint64_t from_seq);
void	 pw_ledger_free(struct pw_ledger *);

/*
 * Read the log's events after from_seq across its segments (from the
 * segment holding them; from the oldest one there is when none does,
 * starting from its snapshot), applying each.  strict stops at the first
 * broken rule.  scan and where say where and why the read stopped;
 * -1 on an I/O error.
 */
int	 pw_ledger_read(struct pw_ledger *, struct pw_logset *, int strict,
	    struct pw_scan *, char *where, size_t wherelen);

/* Apply one event; 0, or 1 when it broke a rule (why says which). */
int	 pw_ledger_event(struct pw_ledger *, const struct pw_event *,
	    uint64_t off);

struct pw_lsess	*pw_ledger_session(struct pw_ledger *, const uint8_t id[16]);
struct pw_lwallet *pw_ledger_wallet(struct pw_ledger *, const char *name);

#endif /* PW_LEDGER_H */
