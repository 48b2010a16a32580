/*
 * Strict JSON requests on top of jsmn.
 *
 * jsmn tokenises; it does not validate, even with JSMN_STRICT.  pw_json_parse()
 * accepts exactly RFC 8259 text whose top level is one object: every
 * primitive is checked against the grammar, strings must be valid UTF-8
 * with valid escapes, keys must be unique, and nothing but white space may
 * follow the object.  Lookups only see the top-level object's members.
 */
#ifndef PW_JSON_H
#define PW_JSON_H

#include <stddef.h>
#include <stdint.h>

#define PW_JSON_MAXTOK	128

enum pw_json_type {
	PW_JSON_NONE = 0,
	PW_JSON_OBJECT,
	PW_JSON_ARRAY,
	PW_JSON_STRING,
	PW_JSON_NUMBER,
	PW_JSON_BOOL,
	PW_JSON_NULL
};

struct pw_json_tok {
	enum pw_json_type type;
	int		 start, end;	/* byte offsets into the text */
	int		 size;		/* members/elements of a container */
	int		 parent;
};

struct pw_json {
	const char		*js;
	size_t			 len;
	int			 ntok;
	struct pw_json_tok	 tok[PW_JSON_MAXTOK];
};

/*
 * Parse and validate.  Returns 0 for a valid object, -1 otherwise; on -1
 * a short reason ("malformed JSON", "body must be a JSON object", "too
 * many JSON tokens", "duplicate key", ...) is left in *why.
 */
int	 pw_json_parse(struct pw_json *, const char *js, size_t len,
	    const char **why);

/* Token index of the value of top-level member `key', or -1. */
int	 pw_json_get(const struct pw_json *, const char *key);

enum pw_json_type pw_json_type(const struct pw_json *, int tok);

/*
 * Decode a string token (escapes, surrogate pairs) into out, NUL
 * terminated.  Returns the decoded length, -1 if the token is not a string
 * or decodes to a NUL byte, -2 if it does not fit in outsz - 1 bytes.
 */
int	 pw_json_string(const struct pw_json *, int tok, char *out,
	    size_t outsz);

/* An integral number token in int64 range (no fraction, no exponent). */
int	 pw_json_int64(const struct pw_json *, int tok, int64_t *out);

int	 pw_json_bool(const struct pw_json *, int tok, int *out);

/*
 * Write s (n bytes) as a JSON string with quotes into dst; returns the
 * length it needs (like snprintf), truncating only if dstsz is too small.
 * Control characters, '"' and '\\' are escaped; bytes >= 0x80 are copied.
 */
size_t	 pw_json_quote(char *dst, size_t dstsz, const char *s, size_t n);

#endif /* PW_JSON_H */
