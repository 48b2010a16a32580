/*
 * Scalar counters: one cell per process in the store header, summed on
 * read.  Vectors (by status class, endpoint, end reason) come from their
 * own tables.  What is exported, under which name and help, is the
 * metrics table's (metrics.h): this one only places the cells.
 *
 * PW_COUNTER(symbol)	enum pw_counter is PW_C_<symbol>
 *
 * The order is the cell layout on disk: append only.
 */
PW_COUNTER(OTT_ISSUED)
PW_COUNTER(OTT_CONSUMED)
PW_COUNTER(OTT_EXPIRED)
PW_COUNTER(OTT_REJECTED)
PW_COUNTER(GS_STARTED)
PW_COUNTER(LS_STARTED)
PW_COUNTER(PT_ISSUED)
PW_COUNTER(BILL_EVENTS)
PW_COUNTER(BILL_BYTES)
PW_COUNTER(BILL_ERRORS)
PW_COUNTER(STORE_FULL)
PW_COUNTER(REAP_PASSES)
PW_COUNTER(REAP_LAST_US)	/* set, not added to: the last pass, us */
PW_COUNTER(CONN_REFUSED)
PW_COUNTER(LS_OVER_CAFE_QUOTA)
PW_COUNTER(LS_OVER_HOME_QUOTA)
PW_COUNTER(LS_BAD_SIGNATURE)
PW_COUNTER(LS_REPLAYED)
PW_COUNTER(GRACE_MINUTES)
PW_COUNTER(VERIFY_REPEATED)
PW_COUNTER(CONN_SOURCE_CAP)
PW_COUNTER(ACCEPT_PAUSED)
