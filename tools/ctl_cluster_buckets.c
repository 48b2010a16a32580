/*
 * Which shard owns each player bucket.  Rendezvous hashing (Thaler and
 * Ravishankar's highest random weight): every bucket goes to the shard
 * whose number, hashed with the bucket's, weighs most.  A bucket moves
 * only when a new shard outweighs its owner, so a fourth shard takes
 * about a quarter of the buckets and no bucket moves between the old
 * three (a round-robin deal moved 180 of 240).  The weight is SHA-256,
 * the daemon's own, so every playwavectl deals the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw_crypto.h"
#include "ctl_cluster.h"

static uint64_t
weight(int bucket, int shard)
{
	uint8_t md[PW_SHA256_LEN];
	char in[64];
	uint64_t w = 0;
	int i, n;

	n = snprintf(in, sizeof(in), "playwave-bucket %d shard %d", bucket,
	    shard);
	pw_sha256(in, (size_t)n, md);
	for (i = 0; i < 8; i++)
		w = w << 8 | md[i];
	return (w);
}

void
cluster_deal(const struct shard *sh, int n, int owner[SUB_BUCKETS])
{
	uint64_t best, w;
	int b, i;

	for (b = 0; b < SUB_BUCKETS; b++) {
		owner[b] = sh[0].cfg->shard;
		best = weight(b, sh[0].cfg->shard);
		for (i = 1; i < n; i++)
			if ((w = weight(b, sh[i].cfg->shard)) > best) {
				best = w;
				owner[b] = sh[i].cfg->shard;
			}
	}
}

uint32_t
cluster_crc32(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint32_t c = 0xffffffffu;
	int k;

	while (len-- > 0) {
		c ^= *s++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return (c ^ 0xffffffffu);
}

/*
 * cluster bucket ID...: the bucket of each player wallet (player:<sub>)
 * or sub, as the proxy computes it, for moving wallets when a shard is
 * added (playwaved(8), "Adding a shard").
 */
int
cluster_bucket(int argc, char **argv)
{
	const char *sub;
	int i;

	if (argc < 2)
		ctl_usage_err("cluster bucket SUB|player:SUB...");
	for (i = 1; i < argc; i++) {
		sub = strncmp(argv[i], "player:", 7) == 0 ? argv[i] + 7 :
		    argv[i];
		printf("%s %u\n", argv[i], (unsigned)(cluster_crc32(sub,
		    strlen(sub)) % SUB_BUCKETS));
	}
	return (0);
}
