/*
 * A request's JSON body as handlers take it: the content type, then a
 * strict parse (pw_json.h), each refused with its 400.  Apart from the
 * route so that authenticate, which parses its body in its own order,
 * calls down to it and the route never calls back up.
 */
#include <sys/types.h>

#include <string.h>
#include <strings.h>

#include "pw.h"
#include "http.h"

/* application/json, parameters allowed. */
static int
content_json(struct pw_req *r)
{
	const char *ct;
	size_t n = sizeof("application/json") - 1;

	ct = http_header(r, PW_H_CONTENT_TYPE);
	if (ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return (0);
	reply_error(r, PW_E_BAD_REQUEST, "Content-Type must be "
	    "application/json");
	return (-1);
}

int
http_parse_body(struct pw_req *r)
{
	const char *why = "malformed JSON";

	if (content_json(r) == -1)
		return (-1);
	if (pw_json_parse(&r->js, r->body, r->len, &why) == -1) {
		reply_error(r, PW_E_BAD_REQUEST, why);
		return (-1);
	}
	return (0);
}

