/*
 * What every shard of a cluster must agree on, since the proxy sends a
 * client to any of them by an id or an address, never by what the
 * client thinks it is talking to: the shard numbers differ, the home
 * and launch-token keys are the same, and so are the games (ids, API
 * keys, HMAC secrets and prices; a game server holds one key and one
 * price list for all).  No cafe lives on two shards.  Errors name both
 * files and what differs, never a secret's value.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_cluster.h"

static int
net_overlap(const struct pw_net *a, const struct pw_net *b)
{
	int	 bits, i;

	if (a->af != b->af)
		return (0);
	bits = a->prefix < b->prefix ? a->prefix : b->prefix;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a->addr[i] != b->addr[i])
			return (0);
	return (bits == 0 ||
	    ((a->addr[i] ^ b->addr[i]) & (0xff << (8 - bits)) & 0xff) == 0);
}

/* No cafe may live on two shards, nor one address belong to two. */
static void
check_cafes(const struct shard *a, const struct shard *b)
{
	const struct pw_cafe *ca, *cb;
	int i, j, m, n;

	for (i = 0; i < a->cfg->ncafes; i++) {
		ca = &a->cfg->cafes[i];
		for (j = 0; j < b->cfg->ncafes; j++) {
			cb = &b->cfg->cafes[j];
			if (strcmp(ca->id, cb->id) == 0)
				ctl_die("cafe %s is in %s and in %s: a cafe "
				    "lives on one shard", ca->id, a->path,
				    b->path);
			for (m = 0; m < ca->nnets; m++)
				for (n = 0; n < cb->nnets; n++)
					if (net_overlap(&ca->nets[m],
					    &cb->nets[n]))
						ctl_die("networks of cafe %s "
						    "(%s) and cafe %s (%s) "
						    "overlap", ca->id, a->path,
						    cb->id, b->path);
		}
	}
}

/* Every key of one is a key of the other (order aside). */
static int
same_keys(const struct pw_game *x, const struct pw_game *y)
{
	int i, k;

	if (x->napi_keys != y->napi_keys)
		return (0);
	for (i = 0; i < x->napi_keys; i++) {
		for (k = 0; k < y->napi_keys; k++)
			if (strcmp(x->api_keys[i], y->api_keys[k]) == 0)
				break;
		if (k == y->napi_keys)
			return (0);
	}
	return (1);
}

static void
check_game(const struct shard *a, const struct shard *b,
    const struct pw_game *g)
{
	const struct pw_game *o;

	if ((o = pw_config_game(b->cfg, g->id)) == NULL)
		ctl_die("game %s is in %s but not in %s: every shard has the "
		    "same games", g->id, a->path, b->path);
	if (!same_keys(g, o))
		ctl_die("%s and %s differ in game %s's api-key lines: every "
		    "shard takes the same keys", a->path, b->path, g->id);
	if (strcmp(g->hmac_secret, o->hmac_secret) != 0)
		ctl_die("%s and %s differ in game %s's hmac-secret", a->path,
		    b->path, g->id);
	if (g->price != o->price)
		ctl_die("%s and %s differ in game %s's price (%lld and %lld)",
		    a->path, b->path, g->id, (long long)g->price,
		    (long long)o->price);
}

void
cluster_check_pair(const struct shard *a, const struct shard *b)
{
	int i;

	if (a->cfg->shard == b->cfg->shard)
		ctl_die("%s and %s are both shard %d", a->path, b->path,
		    a->cfg->shard);
	if (strcmp(a->cfg->launcher_secret, b->cfg->launcher_secret) != 0)
		ctl_die("%s and %s differ in launcher-secret", a->path,
		    b->path);
	if (strcmp(a->cfg->launch_secret, b->cfg->launch_secret) != 0)
		ctl_die("%s and %s differ in launch-secret", a->path, b->path);
	for (i = 0; i < a->cfg->ngames; i++)
		check_game(a, b, &a->cfg->games[i]);
	for (i = 0; i < b->cfg->ngames; i++)
		if (pw_config_game(a->cfg, b->cfg->games[i].id) == NULL)
			ctl_die("game %s is in %s but not in %s: every shard "
			    "has the same games", b->cfg->games[i].id, b->path,
			    a->path);
	check_cafes(a, b);
}
