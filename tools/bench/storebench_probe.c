/*
 * storebench, probe lengths: the store hashes a key's first eight bytes
 * (pw_store_home), and a shard sets the low nibble of the last one, so a
 * sharded daemon's keys must probe exactly as far as unsharded ones.
 * This fills a fresh store to the bench's load three times -- random
 * keys as before shards, then ids minted by pw_store_new_id for shard 0
 * and shard 15 -- and prints each fill's probe lengths side by side.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_store.h"
#include "storebench.h"

#define PROBE_HIST	64	/* lengths above are counted in the last bin */

struct probe_res {
	double		 mean;
	uint64_t	 p99, max, full;
};

static uint64_t
pct_of(const uint64_t *hist, uint64_t total, double p)
{
	uint64_t	 want, acc = 0;
	unsigned	 i;

	want = (uint64_t)((double)total * p);
	for (i = 0; i < PROBE_HIST; i++)
		if ((acc += hist[i]) >= want)
			return (i + 1);
	return (PROBE_HIST);
}

/* Probe length of every live key: 1 + its distance from its home slot. */
static void
measure(struct pw_store *st, struct probe_res *r)
{
	static uint64_t	 hist[PROBE_HIST];
	uint64_t	 i, d, sum = 0, n = 0;

	memset(hist, 0, sizeof(hist));
	r->max = 0;
	for (i = 0; i <= st->mask; i++) {
		if (PW_W_STATUS(pw_slot_word(&st->slots[i])) != PW_ST_LIVE)
			continue;
		d = (i - pw_store_home(st, st->slots[i].key)) & st->mask;
		sum += d + 1;
		n++;
		hist[d < PROBE_HIST ? d : PROBE_HIST - 1]++;
		if (d + 1 > r->max)
			r->max = d + 1;
	}
	r->mean = n > 0 ? (double)sum / (double)n : 0;
	r->p99 = pct_of(hist, n, 0.99);
}

/* shard < 0: random keys, as ids were before shards. */
static void
fill(const char *dir, int shard, uint64_t nslots, uint64_t nkeys,
    struct probe_res *r)
{
	struct pw_store	 st;
	struct pw_slot	*s;
	uint8_t		 key[PW_KEY_LEN];
	char		 path[1000], err[1200];
	uint64_t	 i;

	snprintf(path, sizeof(path), "%s/storebench.probe", dir);
	(void)unlink(path);
	if (pw_store_open(&st, path, nslots, 1, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "storebench: %s\n", err);
		exit(1);
	}
	pw_store_set_cell(&st, 0);
	if (shard >= 0)
		(void)pw_store_set_shard(&st, (unsigned)shard);
	r->full = 0;
	for (i = 0; i < nkeys; i++) {
		if (shard >= 0)
			pw_store_new_id(&st, key);
		else
			arc4random_buf(key, sizeof(key));
		if ((s = pw_store_claim(&st, key, PW_T_GS)) == NULL) {
			r->full++;
			continue;
		}
		pw_store_publish(s, PW_GS_LIVE, 0);
	}
	measure(&st, r);
	pw_store_close(&st);
	(void)unlink(path);
}

void
bench_probe(const char *dir, uint64_t nslots, uint64_t nkeys)
{
	static const struct {
		const char	*name;
		int		 shard;
	} runs[] = {
		{ "random keys (no shard)", -1 },
		{ "ids of shard 0", 0 },
		{ "ids of shard 15", 15 },
	};
	struct probe_res r;
	size_t		 i;

	printf("\nprobe lengths, %llu keys in %llu slots (load %.2f), "
	    "slots visited per lookup\n", (unsigned long long)nkeys,
	    (unsigned long long)nslots, (double)nkeys / (double)nslots);
	printf("  %-26s %8s %6s %6s %6s\n", "", "mean", "p99", "max",
	    "full");
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		fill(dir, runs[i].shard, nslots, nkeys, &r);
		printf("  %-26s %8.3f %6llu %6llu %6llu\n", runs[i].name,
		    r.mean, (unsigned long long)r.p99,
		    (unsigned long long)r.max, (unsigned long long)r.full);
	}
}
