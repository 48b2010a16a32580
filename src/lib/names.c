/*
 * Every name a number of ours has on the wire, in the log or on screen,
 * expanded from the one table that defines it (include/tbl/).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pw_names.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_store.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const type_names[PW_T_MAX] = {
#define PW_TYPE(sym, name, prefix)	[PW_T_##sym] = name,
#include "tbl/record_types.h"
#undef PW_TYPE
};

static const char *const type_prefixes[PW_T_MAX] = {
#define PW_TYPE(sym, name, prefix)	[PW_T_##sym] = prefix,
#include "tbl/record_types.h"
#undef PW_TYPE
};

static const struct {
	unsigned	 type, state;
	const char	*name;
} states[] = {
#define PW_STATE(type, sym, value, name)	{ PW_T_##type, value, name },
#include "tbl/record_states.h"
#undef PW_STATE
};

/* No reason (a session not ended) is the empty name. */
static const char *const reason_names[PW_R_MAX] = {
	[PW_R_NONE] = "",
#define PW_REASON(sym)	[PW_R_##sym] = #sym,
#include "tbl/end_reasons.h"
#undef PW_REASON
};

static const char *const event_names[PW_EV_MAX] = {
#define PW_EVENT(sym)	[PW_EV_##sym] = #sym,
#include "tbl/event_types.h"
#undef PW_EVENT
};

static const char *const endpoint_names[] = {
#define PW_ENDPOINT(sym, name, ...)	name,
#include "tbl/endpoints.h"
#undef PW_ENDPOINT
};

static const char *
named(const char *const *names, size_t n, unsigned i)
{
	return (i < n && names[i] != NULL ? names[i] : "?");
}

const char *
pw_type_name(unsigned type)
{
	return (named(type_names, NELEM(type_names), type));
}

const char *
pw_type_prefix(unsigned type)
{
	return (type < PW_T_MAX ? type_prefixes[type] : NULL);
}

size_t
pw_id_format(unsigned type, const uint8_t key[PW_UUID_LEN], char *out,
    size_t outsz)
{
	char uuid[PW_UUID_STRLEN + 1];
	const char *prefix = pw_type_prefix(type);

	pw_uuid_format(key, uuid);
	return ((size_t)snprintf(out, outsz, "%s%s", prefix != NULL ? prefix :
	    "", uuid));
}

const char *
pw_state_name(unsigned type, unsigned state)
{
	size_t i;

	for (i = 0; i < NELEM(states); i++)
		if (states[i].type == type && states[i].state == state)
			return (states[i].name);
	return ("?");
}

int
pw_state_parse(unsigned type, const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(states); i++)
		if (states[i].type == type &&
		    strcmp(states[i].name, name) == 0)
			return ((int)states[i].state);
	return (-1);
}

const char *
pw_reason_name(unsigned reason)
{
	return (named(reason_names, NELEM(reason_names), reason));
}

const char *
pw_ev_type_name(unsigned type)
{
	return (named(event_names, NELEM(event_names), type));
}

const char *
pw_endpoint_name(unsigned ep)
{
	return (named(endpoint_names, NELEM(endpoint_names), ep));
}

unsigned
pw_endpoint_count(void)
{
	return ((unsigned)NELEM(endpoint_names));
}
