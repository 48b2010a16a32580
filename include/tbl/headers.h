/*
 * The request header fields the HTTP engine reads: the parser matches
 * their names (case-insensitively) as it scans a head and keeps where
 * each value lies; every other field is checked for framing and skipped.
 *
 * PW_HEADER(sym, name, rule)
 *	sym	the value is r->hdr[PW_H_<sym>] (NULL when absent)
 *	name	the field name in lower case
 *	rule	what the framing rules make of it: FR_NONE, FR_CL
 *		(Content-Length), FR_TE (Transfer-Encoding), FR_HOST,
 *		FR_EXPECT, FR_CONN (Connection: its close and keep-alive
 *		options, on every line), FR_LIST (each line one more list
 *		element, kept in order: X-Forwarded-For)
 *
 * The first line of a field names its value; a field a rule counts
 * (Content-Length, Host, ...) is refused twice by that rule.
 */
PW_HEADER(CONTENT_LENGTH, "content-length", FR_CL)
PW_HEADER(TRANSFER_ENCODING, "transfer-encoding", FR_TE)
PW_HEADER(HOST, "host", FR_HOST)
PW_HEADER(EXPECT, "expect", FR_EXPECT)
PW_HEADER(CONNECTION, "connection", FR_CONN)
PW_HEADER(CONTENT_TYPE, "content-type", FR_NONE)
PW_HEADER(X_REQUEST_ID, "x-request-id", FR_NONE)
PW_HEADER(X_API_KEY, "x-api-key", FR_NONE)
PW_HEADER(X_SIGNATURE, "x-signature", FR_NONE)
PW_HEADER(X_HMAC_SIGNATURE, "x-hmac-signature", FR_NONE)
PW_HEADER(X_TIMESTAMP, "x-timestamp", FR_NONE)
PW_HEADER(X_NONCE, "x-nonce", FR_NONE)
PW_HEADER(X_KEY_ID, "x-key-id", FR_NONE)
PW_HEADER(X_LAUNCHER_SESSION, "x-launcher-session", FR_NONE)
PW_HEADER(X_SEQ, "x-seq", FR_NONE)
PW_HEADER(X_FORWARDED_FOR, "x-forwarded-for", FR_LIST)
