/* storebench's parts in other files. */
#ifndef STOREBENCH_H
#define STOREBENCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pw_config.h"
#include "pw_reap.h"
#include "pw_store.h"

#define NSLOTS		(1u << 21)
#define NLIVE		1000000u
#define NOTT		200000u
#define NPASS		5
#define CAFE		"bench-cafe"
#define HIST_NS		100000		/* latency histogram: 1 ns buckets */
#define LAT_BASE_MS	1000		/* lookups before the passes */

/* One operation's results: ns/op alone, ns/op each of two, ops/s of two. */
struct res {
	double		 ns1, ns2, cpu2, agg;
	size_t		 f1, f2;
};

struct ctx;
typedef size_t	(*op_fn)(struct ctx *, size_t, size_t);


/* Shared between the parent and its children (MAP_SHARED|MAP_ANON). */
struct shared {
	_Atomic unsigned	 ready;
	_Atomic unsigned	 go;
	_Atomic unsigned	 phase;	/* latency probe: 0 idle, 1 pass, 2 stop */
	uint64_t		 ns[2];
	uint64_t		 cpu[2];
	double			 fault_ms[2];
	uint64_t		 fails[2];
	uint64_t		 hist[2][HIST_NS + 1];
	uint64_t		 max[2];
	uint64_t		 count[2];
};

struct ctx {
	struct pw_store	 st;
	uint8_t		(*keys)[PW_KEY_LEN];
	uint8_t		(*otts)[PW_KEY_LEN];
	uint64_t	 now;		/* ms, the store clock */
	uint64_t	 stamp;		/* heartbeat value: raised every run */
	struct pw_config cfg;		/* the pass's configuration */
	struct pw_reap	*reap;
	struct shared	*sh;
	char		 dir[900];
};

/* Probe lengths of random keys and of two shards' ids, printed. */
void	 bench_probe(const char *dir, uint64_t nslots, uint64_t nkeys);

/* storebench_ops.c: the timed operations, over keys [lo, hi). */
size_t	 op_insert(struct ctx *, size_t lo, size_t hi);
size_t	 op_lookup(struct ctx *, size_t lo, size_t hi);
size_t	 op_heartbeat(struct ctx *, size_t lo, size_t hi);
size_t	 op_ott_insert(struct ctx *, size_t lo, size_t hi);
size_t	 op_consume(struct ctx *, size_t lo, size_t hi);

#endif
