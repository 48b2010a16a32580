/*
 * The generic cell rate algorithm over one shared word: the theoretical
 * arrival time of the next unit.  Lock-free (one CAS), exact, and a word
 * costs nothing between uses.  A quota of n per window is a step of
 * window / n with a burst of the whole window; a rate of r per second a
 * step of 1 s / r with a burst of one second.
 */
#ifndef PW_GCRA_H
#define PW_GCRA_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Take one unit at now: 1, or 0 with *retry (in now's unit) until one
 * is free.  A word far ahead of any possible burst (a clock from another
 * boot) is taken as empty.
 */
int	 pw_gcra_take(_Atomic uint64_t *tat, uint64_t now, uint64_t step,
	    uint64_t burst, uint64_t *retry);
/* Give back a unit taken for something that then did not happen. */
void	 pw_gcra_give_back(_Atomic uint64_t *tat, uint64_t step);

#endif /* PW_GCRA_H */
