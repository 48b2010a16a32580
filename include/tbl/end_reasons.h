/*
 * Why a game or launcher session ended: in the slot word, in END events
 * of the billing log, in a 410's message and in the
 * game_sessions_ended_total{reason=...} counter.
 *
 * PW_REASON(symbol)	enum pw_reason is PW_R_<symbol>, named "<symbol>"
 *
 * The order is the number on disk and in the log: append only.
 */
PW_REASON(ENDED)		/* the game server called end */
PW_REASON(EXPIRED)		/* no heartbeat for session-timeout */
PW_REASON(NO_BALANCE)		/* the charge grace ran out */
PW_REASON(REPLACED)		/* a newer session on the same PC */
PW_REASON(LAUNCHER_LOST)	/* its launcher went silent */
PW_REASON(ADMIN)		/* playwavectl end */
PW_REASON(LOST)			/* the store was lost; the log had no END */
