/*
 * Every value playwaved exports, one row each, named by Prometheus's
 * conventions (base units, seconds; _total on counters; timestamps as
 * unix seconds).  GET /metrics (src/store/store_metrics.c), playwavectl
 * status, status -j and top expand this table; a test holds the METRICS
 * list of playwaved(8) and playwavectl(8) to it.
 *
 * PW_METRIC(name, type, source, help)
 *	name	/metrics playwaved_<name>; status, status -j and top show it
 *		without its "_total"
 *	type	counter, gauge or histogram
 *	source	where the value is read (pw_metric_read()):
 *		CELL(c, d)	counter PW_C_<c> summed over every process's
 *				cell, divided by d (1, or 10^6 for us -> s)
 *		GAUGE(g)	the gauge PW_G_<g> the reaper recounts
 *		HDR(h, d)	a value of the store header, PW_H_<h>, / d
 *		VEC(v)		one value per label, PW_V_<v>
 *	help	the HELP line and status's text
 *
 * The order is the order of /metrics and of status.
 */
PW_METRIC("build_info", gauge, VEC(BUILD),
    "Always 1; the version of the running daemon as a label.")
PW_METRIC("start_time_seconds", gauge, HDR(START_TIME, 1000),
    "Unix time the master started.")
PW_METRIC("startup_reconciled", gauge, HDR(RECONCILED, 1),
    "1 once the start-up reconciliation with the billing log is done.")
PW_METRIC("config_last_reload_successful", gauge, HDR(RELOAD_OK, 1),
    "0 when the last SIGHUP's configuration was refused, else 1.")
PW_METRIC("config_last_reload_success_timestamp_seconds", gauge,
    HDR(RELOAD_OK_TIME, 1000),
    "Unix time of the last configuration applied (at start or reload).")
PW_METRIC("config_reloads_total", counter, HDR(RELOADS, 1),
    "Reloads applied since the master started.")
PW_METRIC("requests_total", counter, VEC(CLASS),
    "Replies sent, by status class.")
PW_METRIC("endpoint_requests_total", counter, VEC(ENDPOINT),
    "Requests routed to each endpoint.")
PW_METRIC("request_duration_seconds", histogram, VEC(LATENCY),
    "Time from a request's first byte to its reply, by endpoint.")
PW_METRIC("game_sessions_ended_total", counter, VEC(ENDED),
    "Game sessions ended (END logged), by reason.")
PW_METRIC("cafe_home_key_starts_total", counter, VEC(CAFE_HOME),
    "Launcher sessions started at a cafe with the home key (a cafe "
    "without a launcher-key).")
PW_METRIC("otts_issued_total", counter, CELL(OTT_ISSUED, 1), "OTTs issued.")
PW_METRIC("otts_consumed_total", counter, CELL(OTT_CONSUMED, 1),
    "OTTs consumed by a successful verify.")
PW_METRIC("otts_expired_total", counter, CELL(OTT_EXPIRED, 1),
    "OTTs that reached ott-ttl unused.")
PW_METRIC("verify_rejected_total", counter, CELL(OTT_REJECTED, 1),
    "Verifies answered is_valid false.")
PW_METRIC("verify_repeats_answered_total", counter, CELL(VERIFY_REPEATED, 1),
    "Verify retries answered from the consumed OTT (same request id).")
PW_METRIC("game_sessions_started_total", counter, CELL(GS_STARTED, 1),
    "Game sessions started.")
PW_METRIC("launcher_sessions_started_total", counter, CELL(LS_STARTED, 1),
    "Launcher sessions started.")
PW_METRIC("player_tokens_issued_total", counter, CELL(PT_ISSUED, 1),
    "Real-play player tokens issued.")
PW_METRIC("launcher_starts_over_cafe_quota_total", counter,
    CELL(LS_OVER_CAFE_QUOTA, 1),
    "Launcher starts refused: their cafe's cafe-start-quota was spent.")
PW_METRIC("launcher_starts_over_home_quota_total", counter,
    CELL(LS_OVER_HOME_QUOTA, 1),
    "Home-key starts refused by home-start-quota or home-start-total.")
PW_METRIC("launcher_signatures_refused_total", counter,
    CELL(LS_BAD_SIGNATURE, 1),
    "Launcher requests refused for a missing or wrong signature.")
PW_METRIC("launcher_replays_refused_total", counter, CELL(LS_REPLAYED, 1),
    "Launcher requests refused as replays (nonce or seq already seen).")
PW_METRIC("grace_charges_waived_total", counter, CELL(GRACE_MINUTES, 1),
    "Billed minutes that started during a charge grace: played, not "
    "charged.")
PW_METRIC("connections_refused_total", counter, CELL(CONN_REFUSED, 1),
    "Times a worker reached max-connections and stopped accepting.")
PW_METRIC("connections_over_source_cap_total", counter,
    CELL(CONN_SOURCE_CAP, 1),
    "Connections closed at accept: max-connections-per-source reached.")
PW_METRIC("accept_pauses_total", counter, CELL(ACCEPT_PAUSED, 1),
    "Times a worker paused accepting: out of file descriptors.")
PW_METRIC("store_full_total", counter, CELL(STORE_FULL, 1),
    "Inserts refused because the store was full.")
PW_METRIC("billing_events_total", counter, CELL(BILL_EVENTS, 1),
    "Billing events written.")
PW_METRIC("billing_bytes_total", counter, CELL(BILL_BYTES, 1),
    "Bytes appended to the billing log.")
PW_METRIC("billing_write_errors_total", counter, CELL(BILL_ERRORS, 1),
    "Failed appends to the billing log.")
PW_METRIC("billing_pending_events", gauge, HDR(LOG_PENDING, 1),
    "Events waiting because the billing log cannot be written.")
PW_METRIC("billing_unsynced_events", gauge, HDR(LOG_UNSYNCED, 1),
    "Events the store counts as logged that are not yet fsync'ed (0: it "
    "counts them only once they are).")
PW_METRIC("billing_last_seq", gauge, HDR(LAST_SEQ, 1),
    "Sequence number of the last event logged and counted in the store.")
PW_METRIC("reaper_passes_total", counter, CELL(REAP_PASSES, 1),
    "Reaper passes over the store.")
PW_METRIC("reaper_last_pass_duration_seconds", gauge,
    CELL(REAP_LAST_US, 1000000), "Duration of the last reaper pass.")
PW_METRIC("reaper_last_pass_timestamp_seconds", gauge,
    HDR(REAPER_SEEN, 1000), "Unix time the reaper last finished a pass.")
PW_METRIC("game_sessions_alive", gauge, GAUGE(GS_ALIVE),
    "Game sessions not ended.")
PW_METRIC("game_sessions_exhausted", gauge, GAUGE(GS_EXHAUSTED),
    "Game sessions in their charge grace.")
PW_METRIC("launcher_sessions_alive", gauge, GAUGE(LS_ALIVE),
    "Launcher sessions alive.")
PW_METRIC("store_slots", gauge, HDR(SLOTS, 1), "Slots in the store.")
PW_METRIC("store_tombstones", gauge, GAUGE(TOMB),
    "Freed slots not yet reusable as empty.")
PW_METRIC("store_busy", gauge, GAUGE(BUSY),
    "Slots claimed and not yet published.")
PW_METRIC("store_max_probe", gauge, HDR(MAX_PROBE, 1),
    "Longest probe run any insert needed.")
PW_METRIC("store_checkpoint_seq", gauge, HDR(CKPT_SEQ, 1),
    "Billing seq every page of the store on disk reflects.")
PW_METRIC("reconcile_changes", gauge, VEC(RECON),
    "What the last start-up reconciliation changed for the store to agree "
    "with the log.")
PW_METRIC("reconcile_log_events", gauge, HDR(RECON_EVENTS, 1),
    "Billing events the last start-up reconciliation read.")
PW_METRIC("reconcile_duration_seconds", gauge, HDR(RECON_US, 1000000),
    "Duration of the last start-up reconciliation.")
PW_METRIC("store_slots_used", gauge, VEC(SLOTS_USED),
    "Live slots by record type, as of the last reaper pass.")
