/*
 * The fields of a request's JSON body as handlers take them: each helper
 * answers 400 BAD_REQUEST itself, naming the field, and returns -1.
 */
#include <sys/types.h>

#include <string.h>

#include "pw.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_names.h"

int
req_string(struct pw_req *r, const char *field, char *out, size_t outsz,
    size_t minlen)
{
	int tok, n;

	if ((tok = pw_json_get(&r->js, field)) == -1) {
		reply_error3(r, PW_E_BAD_REQUEST, "missing field '", field,
		    "'");
		return (-1);
	}
	if (pw_json_type(&r->js, tok) != PW_JSON_STRING) {
		reply_error3(r, PW_E_BAD_REQUEST, "field '", field, "' must be "
		    "a string");
		return (-1);
	}
	if ((n = pw_json_string(&r->js, tok, out, outsz)) == -2) {
		reply_error3(r, PW_E_BAD_REQUEST, "field '", field, "' is too "
		    "long");
		return (-1);
	}
	if (n < 0) {
		reply_error3(r, PW_E_BAD_REQUEST, "field '", field, "' contains "
		    "a NUL character");
		return (-1);
	}
	if ((size_t)n < minlen) {
		reply_error3(r, PW_E_BAD_REQUEST, "field '", field, "' must not "
		    "be empty");
		return (-1);
	}
	return (n);
}

/* "<prefix><uuid>"; only an OTT's prefix may be left out. */
int
req_uuid(struct pw_req *r, const char *field, unsigned type,
    uint8_t out[16])
{
	const char *prefix = pw_type_prefix(type);
	char buf[80], tail[24];

	if (req_string(r, field, buf, sizeof(buf), 1) == -1)
		return (-1);
	if (pw_id_parse(buf, prefix, type == PW_T_OTT, out) != NULL)
		return (0);
	(void)strlcpy(tail, "' must be ", sizeof(tail));
	(void)strlcat(tail, prefix, sizeof(tail));
	(void)strlcat(tail, "<uuid>", sizeof(tail));
	reply_error3(r, PW_E_BAD_REQUEST, "field '", field, tail);
	return (-1);
}

int
req_uid(struct pw_req *r, const char *field, uint8_t out[PW_UID_LEN])
{
	char buf[32];
	int n;

	if ((n = req_string(r, field, buf, sizeof(buf), 1)) == -1)
		return (-1);
	if (pw_uid_pack(out, buf, (size_t)n) == -1) {
		reply_error3(r, PW_E_BAD_REQUEST, "field '", field, "' must be "
		    "1 to 20 decimal digits");
		return (-1);
	}
	return (0);
}
