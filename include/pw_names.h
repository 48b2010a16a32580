/*
 * The names of the store's record types and states, of end reasons, of
 * billing events and of endpoints, all expanded from include/tbl/, so
 * that the daemon, /metrics and playwavectl can never disagree.
 * An out-of-range number is named "?".
 */
#ifndef PW_NAMES_H
#define PW_NAMES_H

#include <stddef.h>
#include <stdint.h>

const char	*pw_type_name(unsigned type);
/* "gs_" and the like; NULL for a type whose ids are never shown. */
const char	*pw_type_prefix(unsigned type);
/* "<prefix><uuid>" into out, as snprintf (an id needs at most 48 bytes). */
size_t		 pw_id_format(unsigned type, const uint8_t key[16], char *out,
		    size_t outsz);
const char	*pw_state_name(unsigned type, unsigned state);
/* The state of that type so named, or -1. */
int		 pw_state_parse(unsigned type, const char *name);
const char	*pw_reason_name(unsigned reason);
const char	*pw_ev_type_name(unsigned type);
/* Endpoints in table order, 0 .. pw_endpoint_count() - 1. */
const char	*pw_endpoint_name(unsigned ep);
unsigned	 pw_endpoint_count(void);

#endif /* PW_NAMES_H */
