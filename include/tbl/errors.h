/*
 * The API's error codes: the code clients see, its HTTP status and the
 * message it says when the reply has nothing more precise to tell.
 *
 * PW_ERROR(sym, status, message)
 *	sym	enum pw_error is PW_E_<sym>, and the code is "<sym>"
 *	status	the HTTP status of a reply with this code
 *	message	the default error.message
 */
PW_ERROR(BAD_REQUEST, 400, "malformed request")
PW_ERROR(INVALID_API_KEY, 401, "missing or invalid X-Api-Key")
PW_ERROR(INVALID_SIGNATURE, 401, "missing or invalid signature")
PW_ERROR(REPLAYED_REQUEST, 401, "request already seen")
PW_ERROR(INVALID_TOKEN, 401, "invalid launch token")
PW_ERROR(TOKEN_EXPIRED, 401, "launch token expired")
PW_ERROR(CAFE_MISMATCH, 403, "launcher of another cafe")
PW_ERROR(SESSION_MISMATCH, 403, "session of another game or user")
PW_ERROR(GAME_MISMATCH, 403, "launch token of another game or provider")
PW_ERROR(NOT_FOUND, 404, "no such endpoint")
PW_ERROR(SESSION_NOT_FOUND, 404, "no such session")
PW_ERROR(UNKNOWN_GAME, 404, "no such game")
PW_ERROR(METHOD_NOT_ALLOWED, 405, "method not allowed")
PW_ERROR(ALREADY_ENDED, 409, "session already ended")
PW_ERROR(REQUEST_ID_REUSED, 409, "X-Request-ID already used with "
    "another request")
PW_ERROR(SESSION_ENDED, 410, "session ended")
PW_ERROR(PAYLOAD_TOO_LARGE, 413, "body over max-body")
PW_ERROR(RATE_LIMITED, 429, "too many requests")
PW_ERROR(TOO_MANY_OTTS, 429, "too many unused OTTs")
PW_ERROR(INTERNAL_ERROR, 500, "internal error")
PW_ERROR(NOT_IMPLEMENTED, 501, "method not implemented")
PW_ERROR(STORE_FULL, 503, "session store is full")
PW_ERROR(VERIFY_IN_PROGRESS, 503, "the first verify of this request id "
    "is still deciding: send it again")
