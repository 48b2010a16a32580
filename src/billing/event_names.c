/*
 * What a game session's events name, from the configuration: the wallet
 * its charges come from and its game.  Below the reaper's pass, its batch
 * and the segment snapshots, which all name them the same way.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_config.h"
#include "pw_store.h"
#include "reap.h"

/*
 * The wallet a session's events name: its cafe's, when money moves (a
 * cafe and a price), else none ("").
 */
const char *
reap_gs_wallet(const struct pw_config *cfg, const struct pw_slot *s)
{
	const struct pw_cafe *c;

	if (s->u.gs.cafe == 0 || s->u.gs.price == 0 ||
	    (c = pw_config_cafe_by_hash(cfg, s->u.gs.cafe)) == NULL)
		return ("");
	return (c->id);
}

void
reap_game_name(const struct pw_config *cfg, uint32_t hash, char out[24])
{
	const struct pw_game *g;

	if ((g = pw_config_game_by_hash(cfg, hash)) != NULL)
		strlcpy(out, g->id, 24);
	else
		snprintf(out, 24, "#%08x", hash);
}
