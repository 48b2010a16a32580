/*
 * Which wallets wallet credit and debit may touch: a configured cafe's
 * (its id), a player's (player:<sub>, as authenticate names it), or one
 * the store already holds (a cafe moved to another shard keeps its
 * wallet here until its balance is debited away).  Anything else is a
 * typo: a credit to it would open a wallet nobody spends from and leave
 * a permanent CREDIT in the ledger, so it is refused before anything is
 * queued or logged.
 */
#include <string.h>

#include "pw_session.h"
#include "ctl.h"

#define PLAYER	"player:"

void
ctl_wallet_known(struct ctl *c, const char *id, const char *what)
{
	if (strncmp(id, PLAYER, sizeof(PLAYER) - 1) == 0 &&
	    id[sizeof(PLAYER) - 1] != '\0')
		return;
	if (c->cfg != NULL && pw_config_cafe(c->cfg, id) != NULL)
		return;
	if (pw_wallet_find(&c->st, id) != NULL)
		return;
	ctl_die("wallet %s: no wallet %s: a wallet is a cafe of %s or "
	    "player:<sub>; nothing %sed", what, id, c->cfg != NULL ?
	    c->conf_from : "the configuration (give -f)", what);
}
