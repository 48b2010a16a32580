/*
 * Upper bounds of the per-endpoint latency histogram buckets, in
 * microseconds (the +Inf bucket is the request count itself).  Each
 * worker counts into its own cell; /metrics renders them in seconds.
 *
 * PW_LATENCY(us, le)
 *	us	the bound, microseconds: a request that took at most this
 *		long is counted in this bucket and every later one
 *	le	the bound as /metrics prints it, in seconds
 *
 * The number of rows is on disk (the cells' size): changing it is a
 * store format change.
 */
PW_LATENCY(100, "0.0001")
PW_LATENCY(250, "0.00025")
PW_LATENCY(500, "0.0005")
PW_LATENCY(1000, "0.001")
PW_LATENCY(2500, "0.0025")
PW_LATENCY(5000, "0.005")
PW_LATENCY(10000, "0.01")
PW_LATENCY(25000, "0.025")
PW_LATENCY(50000, "0.05")
PW_LATENCY(100000, "0.1")
PW_LATENCY(250000, "0.25")
PW_LATENCY(500000, "0.5")
PW_LATENCY(1000000, "1")
PW_LATENCY(2500000, "2.5")
