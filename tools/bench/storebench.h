/* storebench's parts in other files. */
#ifndef STOREBENCH_H
#define STOREBENCH_H

#include <stdint.h>

/* Probe lengths of random keys and of two shards' ids, printed. */
void	 bench_probe(const char *dir, uint64_t nslots, uint64_t nkeys);

#endif
