/*
 * Lookups in a parsed configuration: games, cafes, proxies, currencies.
 *
 * The tables are small (PW_MAX_GAMES, PW_MAX_CAFES), so a linear scan
 * is as fast as anything fancier and keeps the struct flat.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <sha2.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "pw_config.h"
#include "pw_crypto.h"

uint32_t
pw_config_idhash(const char *id)
{
	SHA2_CTX	 ctx;
	uint8_t		 d[SHA256_DIGEST_LENGTH];
	uint32_t	 h;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)id, strlen(id));
	SHA256Final(d, &ctx);
	h = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	    (uint32_t)d[2] << 8 | (uint32_t)d[3];
	/* 0 marks an empty field in the store. */
	return (h == 0 ? 1 : h);
}

const struct pw_game *
pw_config_game(const struct pw_config *cfg, const char *id)
{
	int	 i;

	for (i = 0; i < cfg->ngames; i++)
		if (strcmp(cfg->games[i].id, id) == 0)
			return (&cfg->games[i]);
	return (NULL);
}

const struct pw_game *
pw_config_game_by_hash(const struct pw_config *cfg, uint32_t hash)
{
	int	 i;

	for (i = 0; i < cfg->ngames; i++)
		if (cfg->games[i].hash == hash)
			return (&cfg->games[i]);
	return (NULL);
}

/*
 * Every key of every game is compared, whether or not one has already
 * matched, so the time taken says nothing about which key (or game) was
 * close; only a difference in length can show.  pw_timingsafe_bcmp is
 * timingsafe_bcmp(3) where the system has it.
 */
uint64_t
pw_config_key_hash(const struct pw_config *cfg, const char *key, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	(void)crypto_shorthash(h, (const unsigned char *)key, len,
	    cfg->key_salt);
	memcpy(&v, h, sizeof(v));
	return (v);
}

/*
 * The candidate is hashed once and its hash compared with every key's,
 * each comparison a word without a branch on its result: how long this
 * takes depends on no key's contents or length, and on the candidate's
 * length only through the one hash.  A wrong key passes only if it
 * collides with a key's keyed 64-bit hash: one chance in 2^64 a try.
 */
const struct pw_game *
pw_config_game_by_key(const struct pw_config *cfg, const char *key,
    size_t keylen, int *index)
{
	uintptr_t		 found = 0, mask;
	uint64_t		 h, d;
	int			 i, j, at = 0;

	if (key == NULL || keylen == 0)
		return (NULL);
	h = pw_config_key_hash(cfg, key, keylen);
	for (i = 0; i < cfg->ngames; i++) {
		for (j = 0; j < cfg->games[i].napi_keys; j++) {
			d = cfg->games[i].api_key_h[j] ^ h;
			/* All ones when d is 0, else all zeros. */
			mask = (uintptr_t)0 - (uintptr_t)(((d | (0 - d)) >>
			    63) ^ 1);
			found |= mask & (uintptr_t)&cfg->games[i];
			at |= (int)(mask & (uintptr_t)j);
		}
	}
	if (index != NULL)
		*index = at;
	return ((const struct pw_game *)found);
}

const struct pw_launcher_key *
pw_config_launcher_key(const struct pw_config *cfg, const char *id,
    const struct pw_cafe **cafe)
{
	int	 i, k;

	for (i = 0; i < cfg->ncafes; i++)
		for (k = 0; k < cfg->cafes[i].nkeys; k++)
			if (strcmp(cfg->cafes[i].keys[k].id, id) == 0) {
				*cafe = &cfg->cafes[i];
				return (&cfg->cafes[i].keys[k]);
			}
	return (NULL);
}

const struct pw_cafe *
pw_config_cafe(const struct pw_config *cfg, const char *id)
{
	int	 i;

	for (i = 0; i < cfg->ncafes; i++)
		if (strcmp(cfg->cafes[i].id, id) == 0)
			return (&cfg->cafes[i]);
	return (NULL);
}

const struct pw_cafe *
pw_config_cafe_by_hash(const struct pw_config *cfg, uint32_t hash)
{
	int	 i;

	for (i = 0; i < cfg->ncafes; i++)
		if (cfg->cafes[i].hash == hash)
			return (&cfg->cafes[i]);
	return (NULL);
}

/* Networks of different cafes never overlap (the parser refuses it). */
const struct pw_cafe *
pw_config_cafe_for_addr(const struct pw_config *cfg,
    const struct sockaddr *sa)
{
	int	 i, j;

	for (i = 0; i < cfg->ncafes; i++)
		for (j = 0; j < cfg->cafes[i].nnets; j++)
			if (pw_net_contains(&cfg->cafes[i].nets[j], sa))
				return (&cfg->cafes[i]);
	return (NULL);
}

int
pw_config_is_proxy(const struct pw_config *cfg, const struct sockaddr *sa)
{
	int	 i;

	for (i = 0; i < cfg->nproxies; i++)
		if (pw_net_contains(&cfg->proxies[i], sa))
			return (1);
	return (0);
}

int64_t
pw_config_truncation(const struct pw_config *cfg, const char *code)
{
	int	 i;

	if (code == NULL)
		return (1);
	for (i = 0; i < cfg->ncurrencies; i++)
		if (strcasecmp(cfg->currencies[i].code, code) == 0)
			return (cfg->currencies[i].truncation);
	return (1);
}
