/*
 * The per-endpoint latency histogram (playwaved_request_duration_seconds):
 * each worker counts into its own cell, pw_latency_observe() (store.h),
 * and /metrics renders the rows cumulated, in seconds.
 *
 * PW_LATENCY(sym, us, le)
 *	sym	PW_LAT_<sym>, the row
 *	us	the bound in microseconds: a request that took at most this
 *		long, and more than the row before's bound, is counted here
 *		(one add: /metrics adds the rows up into le buckets)
 *	le	the bound as /metrics prints it, in seconds
 *
 * The last row, INF, counts every request (the +Inf bucket and _count).
 * The number of rows is on disk (the cells' size): changing it is a store
 * format change; changing a bound is not, but mixes old and new counts.
 */
PW_LATENCY(100US, 100, "0.0001")
PW_LATENCY(250US, 250, "0.00025")
PW_LATENCY(500US, 500, "0.0005")
PW_LATENCY(1MS, 1000, "0.001")
PW_LATENCY(2500US, 2500, "0.0025")
PW_LATENCY(5MS, 5000, "0.005")
PW_LATENCY(10MS, 10000, "0.01")
PW_LATENCY(25MS, 25000, "0.025")
PW_LATENCY(50MS, 50000, "0.05")
PW_LATENCY(100MS, 100000, "0.1")
PW_LATENCY(250MS, 250000, "0.25")
PW_LATENCY(500MS, 500000, "0.5")
PW_LATENCY(1S, 1000000, "1")
PW_LATENCY(INF, UINT64_MAX, "+Inf")
