/*
 * playwavectl top: two samples of the store's counters (ctl_top.c) and
 * the screen drawn from them (ctl_top_draw.c).
 */
#ifndef CTL_TOP_H
#define CTL_TOP_H

#include <stdint.h>

#include "ctl.h"

struct top_sample {
	double		 t;			/* monotonic, s */
	uint64_t	 ctr[PW_C_COUNT];
};

struct top {
	struct ctl		*c;
	struct top_sample	 first, prev, cur;
	unsigned		 interval_ms;
	int			 paused;
	int			 scroll;		/* first row shown */
	int			 nrows;			/* rows in the table */
};

/* Draw the whole screen from t->prev and t->cur; sets t->nrows. */
void	 top_draw(struct top *);

#endif /* CTL_TOP_H */
