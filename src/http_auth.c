/*
 * POST /v1/authenticate (API.md 4): real-play launch authentication.
 */
#include "pw.h"
#include "pw_http.h"

void
h_authenticate(struct pw_req *r)
{
	reply_error(r, 500, "INTERNAL_ERROR", "not implemented yet");
}
