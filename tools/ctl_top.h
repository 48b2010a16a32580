/*
 * playwavectl top: two samples of the store's counters (ctl_top.c) and
 * the screen drawn from them (ctl_top_draw.c).
 */
#ifndef CTL_TOP_H
#define CTL_TOP_H

#include <stdint.h>

#include "ctl.h"

/* Rows of the metrics table (histograms aside), one per label. */
#define TOP_MAX_ROWS	(PW_MAX_CAFES + 256)

struct top_row {
	char		 name[128];	/* as status -j: less "_total" */
	int		 counter;	/* has a rate */
	uint32_t	 div;
};

struct top_sample {
	double		 t;			/* monotonic, s */
	uint64_t	 v[TOP_MAX_ROWS];
	int		 n;
};

struct top {
	struct ctl		*c;
	struct top_sample	 first, prev, cur;
	struct top_row		 rows[TOP_MAX_ROWS];
	unsigned		 interval_ms;
	int			 paused;
	int			 scroll;		/* first row shown */
	int			 nrows;			/* rows in the table */
};

/* Draw the whole screen from t->prev and t->cur. */
void	 top_draw(struct top *);
/* Read every row into s (and, first, their names into t->rows). */
void	 top_sample(struct top *, struct top_sample *s);

#endif /* CTL_TOP_H */
