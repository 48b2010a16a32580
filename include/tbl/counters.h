/*
 * Scalar counters: one cell per process in the store header, summed on
 * read.  Vectors (by status class, endpoint, end reason) come from their
 * own tables.
 *
 * PW_COUNTER(symbol, name, kind, help)
 *	symbol	enum pw_counter is PW_C_<symbol>
 *	name	/metrics playwaved_<name> (with _total for a counter) and
 *		playwavectl status -j key <name>
 *	kind	counter, or gauge for a value that is set, not added to
 *	help	the /metrics HELP line and playwavectl status's text
 *
 * The order is the cell layout on disk: append only.
 */
PW_COUNTER(OTT_ISSUED, "otts_issued", counter, "OTTs issued.")
PW_COUNTER(OTT_CONSUMED, "otts_consumed", counter,
    "OTTs consumed by a successful verify.")
PW_COUNTER(OTT_EXPIRED, "otts_expired", counter,
    "OTTs that reached ott-ttl unused.")
PW_COUNTER(OTT_REJECTED, "verify_rejected", counter,
    "Verifies answered is_valid false.")
PW_COUNTER(GS_STARTED, "game_sessions_started", counter,
    "Game sessions started.")
PW_COUNTER(LS_STARTED, "launcher_sessions_started", counter,
    "Launcher sessions started.")
PW_COUNTER(PT_ISSUED, "player_tokens_issued", counter,
    "Real-play player tokens issued.")
PW_COUNTER(BILL_EVENTS, "billing_events", counter, "Billing events written.")
PW_COUNTER(BILL_BYTES, "billing_bytes", counter,
    "Bytes appended to the billing log.")
PW_COUNTER(BILL_ERRORS, "billing_write_errors", counter,
    "Failed appends to the billing log.")
PW_COUNTER(STORE_FULL, "store_full", counter,
    "Inserts refused because the store was full.")
PW_COUNTER(REAP_PASSES, "reaper_passes", counter,
    "Reaper passes over the store.")
PW_COUNTER(REAP_LAST_US, "reaper_last_pass_microseconds", gauge,
    "Duration of the last reaper pass.")
PW_COUNTER(CONN_REFUSED, "connections_refused", counter,
    "Times a worker reached max-connections and stopped accepting.")
PW_COUNTER(LS_OVER_CAFE_QUOTA, "launcher_starts_over_cafe_quota", counter,
    "Launcher starts refused: their cafe's cafe-start-quota was spent.")
PW_COUNTER(LS_OVER_HOME_QUOTA, "launcher_starts_over_home_quota", counter,
    "Home-key starts refused by home-start-quota or home-start-total.")
PW_COUNTER(LS_BAD_SIGNATURE, "launcher_signatures_refused", counter,
    "Launcher requests refused for a missing or wrong signature.")
PW_COUNTER(LS_REPLAYED, "launcher_replays_refused", counter,
    "Launcher requests refused as replays (nonce or seq already seen).")
PW_COUNTER(GRACE_MINUTES, "grace_minutes", counter,
    "Minutes that started during a charge grace: played, not charged.")
PW_COUNTER(VERIFY_REPEATED, "verify_repeats_answered", counter,
    "Verify retries answered from the consumed OTT (same request id).")
PW_COUNTER(CONN_SOURCE_CAP, "connections_over_source_cap", counter,
    "Connections closed at accept: max-connections-per-source reached.")
PW_COUNTER(ACCEPT_PAUSED, "accept_pauses", counter,
    "Times a worker paused accepting: out of file descriptors.")
