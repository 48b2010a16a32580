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
#include "pw_names.h"
#include "ctl.h"

void
ctl_open(struct ctl *c, int rw)
{
	char err[1400];
	struct stat sb;

	if (stat(c->store_path, &sb) == -1 && errno == ENOENT)
		ctl_die("store %s: %s (is playwaved running with this "
		    "configuration?)\n(%s)", c->store_path, strerror(ENOENT),
		    c->conf_from);
	if (pw_store_open(&c->st, c->store_path, 0, 0, !rw, err,
	    sizeof(err)) == -1)
		ctl_die("store %s\n(%s)", err, c->conf_from);
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

/* A prefixed id of any type that has one; a bare UUID is an OTT. */
int
ctl_parse_id(const char *s, unsigned *type, uint8_t key[PW_KEY_LEN])
{
	const char *prefix;
	unsigned t;
	size_t n;

	for (t = 1; t < PW_T_MAX; t++) {
		if ((prefix = pw_type_prefix(t)) == NULL)
			continue;
		n = strlen(prefix);
		if (strncmp(s, prefix, n) != 0)
			continue;
		*type = t;
		return (pw_uuid_parse(s + n, strlen(s + n), key));
	}
	*type = PW_T_OTT;
	return (pw_uuid_parse(s, strlen(s), key));
}

void
ctl_format_id(unsigned type, const uint8_t key[PW_KEY_LEN], char out[64])
{
	(void)pw_id_format(type, key, out, 64);
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
	const char *name = pw_state_name(type, state);

	return (strcmp(name, "?") == 0 ? "-" : name);
}
