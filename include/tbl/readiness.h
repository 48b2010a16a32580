/*
 * What GET /readyz holds a shard to: each row a condition that must be
 * met for it to take traffic (pw_store_unready()), named in the 503's
 * "failed" list and in playwavectl status.
 *
 * PW_UNREADY(symbol, name, meaning)
 *	symbol	bit PW_NR_<symbol> of pw_store_unready()'s mask
 *	name	the word /readyz's "failed" list carries
 *	meaning	what it says, for the man page and status
 */
PW_UNREADY(RECONCILE, "reconciliation",
    "start-up reconciliation with the billing log is not done")
PW_UNREADY(REAPER, "reaper",
    "the reaper finished no pass in the last 2 s")
PW_UNREADY(LOG_ERROR, "billing_log",
    "the last write to the billing log failed")
PW_UNREADY(BACKLOG, "billing_backlog",
    "10000 or more events wait to be written to the billing log")
PW_UNREADY(STORE_FULL, "store",
    "90 % or more of the store's slots are in use")
