/*
 * The request methods the HTTP engine knows (RFC 9110 and PATCH).  A
 * method outside this table is answered 501 NOT_IMPLEMENTED; one inside
 * it on a path that does not take it, 405.
 *
 * PW_METHOD(sym, name)	bit PW_M_<sym> of a route's method mask
 */
PW_METHOD(GET, "GET")
PW_METHOD(HEAD, "HEAD")
PW_METHOD(POST, "POST")
PW_METHOD(PUT, "PUT")
PW_METHOD(DELETE, "DELETE")
PW_METHOD(OPTIONS, "OPTIONS")
PW_METHOD(TRACE, "TRACE")
PW_METHOD(CONNECT, "CONNECT")
PW_METHOD(PATCH, "PATCH")
