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
 * it from the event's balance), and checks the rest as usual.
 */
#ifndef PW_LEDGER_H
#define PW_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "pw_billing.h"

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
	struct pw_lsess	*s;
	size_t		 ns, scap;
	struct pw_lwallet *w;
	size_t		 nw, wcap;
	uint64_t	 events, open, last_seq;
	/* The first broken rule, or (bad_off = offset) the record's fault. */
	int		 bad;
	uint64_t	 bad_off;
	char		 why[256];
};

/* -1 (errno) when memory runs out. */
int	 pw_ledger_init(struct pw_ledger *, uint64_t from_seq);
void	 pw_ledger_free(struct pw_ledger *);

/*
 * Read the records after from_seq (found at their offset, checked by seq;
 * from the start if they are not there), applying each.  strict stops at
 * the first broken rule.  Returns as pw_blog_scan, *good and *size too.
 */
int	 pw_ledger_read(struct pw_ledger *, int fd, int strict,
	    uint64_t *good, uint64_t *size);

/* Apply one event; 0, or 1 when it broke a rule (why says which). */
int	 pw_ledger_event(struct pw_ledger *, const struct pw_event *,
	    uint64_t off);

struct pw_lsess	*pw_ledger_session(struct pw_ledger *, const uint8_t id[16]);
struct pw_lwallet *pw_ledger_wallet(struct pw_ledger *, const char *name);

#endif /* PW_LEDGER_H */
