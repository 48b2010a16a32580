/*
 * Opening the daemon's store and naming what it holds: identifiers,
 * games and cafes (by their id hash, through the configuration when
 * there is one), states and processes.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pw_crypto.h"
#include "ctl.h"

void
ctl_open(struct ctl *c, int rw)
{
	char err[1400];
	struct stat sb;

	if (stat(c->store_path, &sb) == -1 && errno == ENOENT)
		ctl_die("store %s: %s (is playwaved running with this "
		    "configuration?)", c->store_path, strerror(ENOENT));
	if (pw_store_open(&c->st, c->store_path, 0, 0, !rw, err,
	    sizeof(err)) == -1)
		ctl_die("store %s", err);
	if (rw)
		pw_store_set_cell(&c->st, PW_CELL_TOOL);
	c->mapped = 1;
}

/*
 * Slots change under us: copy the contents between two reads of the
 * word and accept the copy only if the slot was not freed or reused
 * meanwhile (status and generation unchanged).
 */
int
ctl_snapshot(const struct pw_slot *s, struct pw_slot *out, uint64_t *wordp)
{
	const uint64_t keep = (0x7fffull << 17) | 7 | (0xfull << 5);
	uint64_t w1, w2;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		w1 = pw_slot_word(s);
		memcpy(out, (const void *)s, sizeof(*out));
		w2 = pw_slot_word(s);
		if (((w1 ^ w2) & keep) == 0) {
			*wordp = w2;
			return (0);
		}
	}
	return (-1);
}

void
ctl_game_name(const struct ctl *c, uint32_t hash, char out[32])
{
	const struct pw_game *g;

	if (c->cfg != NULL && (g = pw_config_game_by_hash(c->cfg, hash)) !=
	    NULL)
		snprintf(out, 32, "%s", g->id);
	else
		snprintf(out, 32, "#%08x", hash);
}

const char *
ctl_cafe_name(const struct ctl *c, uint32_t hash, char out[32])
{
	const struct pw_cafe *cf;

	if (hash == 0)
		return (NULL);
	if (c->cfg != NULL && (cf = pw_config_cafe_by_hash(c->cfg, hash)) !=
	    NULL)
		snprintf(out, 32, "%s", cf->id);
	else
		snprintf(out, 32, "#%08x", hash);
	return (out);
}

static const struct {
	const char	*prefix;
	unsigned	 type;
} prefixes[] = {
	{ "gs_", PW_T_GS },
	{ "ls_", PW_T_LS },
	{ "pt_", PW_T_PT },
	{ "cr_", PW_T_CREDIT },
	{ "playwave_", PW_T_OTT },
	{ "", PW_T_OTT }
};

int
ctl_parse_id(const char *s, unsigned *type, uint8_t key[PW_KEY_LEN])
{
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i].prefix);
		if (strncmp(s, prefixes[i].prefix, n) != 0)
			continue;
		*type = prefixes[i].type;
		return (pw_uuid_parse(s + n, strlen(s + n), key));
	}
	return (-1);
}

void
ctl_format_id(unsigned type, const uint8_t key[PW_KEY_LEN], char out[64])
{
	char uuid[PW_UUID_STRLEN + 1];
	size_t i;

	pw_uuid_format(key, uuid);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (prefixes[i].type == type)
			break;
	snprintf(out, 64, "%s%s", i < sizeof(prefixes) / sizeof(prefixes[0]) ?
	    prefixes[i].prefix : "", uuid);
}

/* As varnish does: EPERM means the process exists but is not ours. */
int
ctl_alive(uint32_t pid)
{
	if (pid == 0)
		return (0);
	return (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

const char *
ctl_state_name(unsigned type, unsigned state)
{
	switch (type) {
	case PW_T_GS:
		return (state == PW_GS_LIVE ? "live" : state ==
		    PW_GS_EXHAUSTED ? "exhausted" : state == PW_GS_ENDED ?
		    "ended" : "?");
	case PW_T_LS:
		return (state == PW_LS_LIVE ? "live" : "ended");
	case PW_T_OTT:
		return (state == PW_OTT_ISSUED ? "issued" : "consumed");
	case PW_T_CREDIT:
		return (state == PW_CR_READY ? "queued" : "applied");
	}
	return ("-");
}
