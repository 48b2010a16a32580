/*
 * Gauges the reaper recounts on every pass into the store header (after
 * the live-slot count of each record type, record_types.h).  Their
 * exported names and help are the metrics table's (metrics.h).
 *
 * PW_GAUGE(symbol)	enum pw_gauge is PW_G_<symbol>
 *
 * The order is on disk: append only.
 */
PW_GAUGE(TOMB)
PW_GAUGE(BUSY)
PW_GAUGE(GS_ALIVE)
PW_GAUGE(GS_EXHAUSTED)
PW_GAUGE(LS_ALIVE)
