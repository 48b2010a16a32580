/*
 * GCRA: the shared word holds the theoretical arrival time (TAT) of the
 * next unit; a unit may be taken while TAT - burst lies before now.
 */
#include "pw_gcra.h"

int
pw_gcra_take(_Atomic uint64_t *tat, uint64_t now, uint64_t step,
    uint64_t burst, uint64_t *retry)
{
	uint64_t t, nt;

	t = atomic_load(tat);
	do {
		if (t > now + burst + step)
			t = now;
		nt = (t > now ? t : now) + step;
		if (nt > now + burst) {
			*retry = nt - now - burst;
			return (0);
		}
	} while (!atomic_compare_exchange_weak(tat, &t, nt));
	return (1);
}

void
pw_gcra_give_back(_Atomic uint64_t *tat, uint64_t step)
{
	uint64_t t;

	t = atomic_load(tat);
	while (!atomic_compare_exchange_weak(tat, &t, t > step ? t - step : 0))
		;
}
