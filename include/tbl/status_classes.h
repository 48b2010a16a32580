/*
 * Replies counted by status class.
 *
 * PW_CLASS(symbol, name)
 *	counter PW_C_REQ_<symbol>; /metrics requests_total{class="<name>"};
 *	playwavectl status -j key "requests_<name>"
 */
PW_CLASS(2XX, "2xx")
PW_CLASS(4XX, "4xx")
PW_CLASS(5XX, "5xx")
