/*
 * playwavectl cluster: the shards as the proxy sees them (ctl_cluster.c
 * writes the maps), what they must agree on (ctl_cluster_check.c) and
 * which shard owns each player bucket (ctl_cluster_buckets.c).
 */
#ifndef CTL_CLUSTER_H
#define CTL_CLUSTER_H

#include "ctl.h"

/*
 * Players are dealt to shards by bucket: crc32(launch token's sub) mod
 * SUB_BUCKETS, as HAProxy computes it; subs.map says whose each is.
 */
#define SUB_BUCKETS	240

struct shard {
	const char		*path;
	char			 addr[80];
	char			 standby[80];	/* "": none */
	struct pw_config	*cfg;
};

/* ctl_cluster_check.c: exits 1, naming both files and what differs. */
void	 cluster_check_pair(const struct shard *, const struct shard *);

/*
 * ctl_cluster_buckets.c: the shard number of each bucket, by rendezvous
 * (highest random weight) hashing over the shards' numbers, so adding
 * a shard moves only the buckets it wins, about 1/N of them.
 */
void	 cluster_deal(const struct shard *, int n, int owner[SUB_BUCKETS]);
/* HAProxy's crc32 converter (ISO 3309, as zlib's crc32). */
uint32_t cluster_crc32(const void *, size_t);
int	 cluster_bucket(int, char **);

#endif /* CTL_CLUSTER_H */
