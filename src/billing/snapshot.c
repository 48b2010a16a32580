/*
 * A snapshot of the ledger made from the store, for a new segment's
 * header (pw_segment.h): every wallet's balance and every open session.
 *
 * Taken by the reaper between its passes, after a commit (every event
 * written is synced and applied), or by the master once the store is
 * reconciled: then the store says exactly what the log says.  Balances
 * and "logged" marks are written by the reaper alone, so nothing moves
 * them while it walks; a session is open in the log from its START's
 * mark to its END's, and no slot is freed before its END is logged.
 */
#include <string.h>

#include "pw.h"
#include "pw_segment.h"
#include "pw_session.h"
#include "reap.h"

static int
snap_gs(struct pw_snap *sn, const struct pw_config *cfg,
    const struct pw_slot *s)
{
	struct pw_snapsess ss;
	uint32_t logged;
	char game[24];

	logged = atomic_load(&((struct pw_slot *)s)->u.gs.logged);
	if (!(logged & PW_LOGGED_START) || (logged & PW_LOGGED_END))
		return (0);
	memset(&ss, 0, sizeof(ss));
	memcpy(ss.id, s->key, sizeof(ss.id));
	ss.start_seq = s->u.gs.start_seq;
	ss.wallet = reap_gs_wallet(cfg, s);
	if (ss.wallet[0] != '\0') {
		ss.charges = PW_LOGGED_CHARGES(logged);
		ss.charged = (int64_t)ss.charges * s->u.gs.price;
	}
	reap_game_name(cfg, s->u.gs.game, game);
	ss.game = game;
	return (pw_snap_session(sn, &ss));
}

int
pw_snap_store(struct pw_snap *sn, struct pw_store *st,
    const struct pw_config *cfg)
{
	struct pw_slot *s;
	uint64_t i, w;
	int rc = 0;

	for (i = 0; i <= st->mask && rc == 0; i++) {
		s = &st->slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) != PW_ST_LIVE)
			continue;
		if (PW_W_TYPE(w) == PW_T_WALLET)
			rc = pw_snap_wallet(sn, s->u.w.name,
			    pw_wallet_logged(s));
		else if (PW_W_TYPE(w) == PW_T_GS)
			rc = snap_gs(sn, cfg, s);
	}
	return (rc);
}
