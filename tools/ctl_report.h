/*
 * playwavectl log report: the rows it adds up (ctl_report.c) and prints
 * (ctl_report_out.c), one per day, wallet and game.
 */
#ifndef CTL_REPORT_H
#define CTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "pw_billing.h"

struct rep_row {
	uint32_t	 day;			/* yyyymmdd */
	char		 wallet[24];		/* "" : none */
	char		 game[24];		/* "" : none (credits, debits) */
	uint64_t	 sessions;
	uint64_t	 minutes;
	int64_t		 charged;
	int64_t		 credits;
	int64_t		 debits;		/* money moved out: not revenue */
};

struct rep_rows {
	struct rep_row	*row;
	size_t		 n, cap;
	size_t		*slot;		/* hash: row index + 1, 0 empty */
	size_t		 nslot;
};

enum rep_fmt { REP_TEXT, REP_JSON, REP_CSV };

/* The row of that key, made (zeroed) on first use. */
struct rep_row	*rep_row(struct rep_rows *, uint32_t day, const char *wallet,
		    const char *game);
/* Sorted by day, wallet, game, then a total (text and CSV). */
void		 rep_print(struct rep_rows *, enum rep_fmt);
void		 rep_free(struct rep_rows *);

#endif /* CTL_REPORT_H */
