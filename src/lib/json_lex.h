/*
 * Internal to the JSON parser (json.c, json_get.c, json_lex.c).  s is the
 * text, i a byte offset into it, end one past the token or the text.
 */
#ifndef JSON_LEX_H
#define JSON_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "pw_json.h"

#define E_ESCAPE	"invalid string escape"
#define E_UTF8		"invalid UTF-8 in string"
#define E_CONTROL	"control character in string"

/* The first offset from i on that is not JSON white space. */
size_t	 json_skip_ws(const unsigned char *s, size_t i, size_t end);
/* An escape after its backslash: the code point, *i past it; -1 if bad. */
int32_t	 json_unescape(const unsigned char *s, size_t *i, size_t end);
/* UTF-8 of code point cp into u[4]; its length. */
size_t	 json_utf8_put(unsigned char *u, int32_t cp);
/* NULL if the string body s[i..end) is valid, else why not. */
const char *json_check_string(const unsigned char *s, size_t i, size_t end);
/* The type of the primitive s[i..end), PW_JSON_NONE if malformed. */
enum pw_json_type json_primitive_type(const unsigned char *s, size_t i,
	    size_t end);
/* The next code point of a checked string body; *i past it. */
int32_t	 json_next_cp(const unsigned char *s, size_t *i, size_t end);

#endif /* JSON_LEX_H */
