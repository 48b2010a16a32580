/*
 * Gauges the reaper recounts on every pass into the store header (after
 * the live-slot count of each record type, record_types.h).
 *
 * PW_GAUGE(symbol, name, help)
 *	symbol	enum pw_gauge is PW_G_<symbol>
 *	name	/metrics playwaved_<name> and playwavectl status -j key
 *	help	the /metrics HELP line and playwavectl status's text
 *
 * The order is on disk: append only.
 */
PW_GAUGE(TOMB, "store_tombstones", "Freed slots not yet reusable as empty.")
PW_GAUGE(BUSY, "store_busy", "Slots claimed and not yet published.")
PW_GAUGE(GS_ALIVE, "game_sessions_alive", "Game sessions not ended.")
PW_GAUGE(GS_EXHAUSTED, "game_sessions_exhausted",
    "Game sessions in their charge grace.")
PW_GAUGE(LS_ALIVE, "launcher_sessions_alive", "Launcher sessions alive.")
