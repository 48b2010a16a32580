/*
 * playwaved.conf(5) secrets: launcher-secret (the home key),
 * launch-secret, each game's api-key and hmac-secret, and each cafe's
 * launcher-key.
 *
 * A secret shared by two roles is as weak as the weaker of them: a cafe
 * key equal to another cafe's, or to the public home key, would let one
 * sign as the other.  So no value may serve twice, and a file's secrets
 * are at least PW_SECRET_MIN characters long.
 *
 * A secret anyone can read is no secret.  The samples and the manual show
 * secrets as placeholders beginning with "change-me", and a file deployed
 * with one left in would sign and accept requests on a published key; so
 * would a file that copied the built-in development configuration's keys.
 * Both are refused where the secret is read, naming its line, as a
 * missing secret is refused at the end of the file.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_parse.h"

#define PLACEHOLDER	"change-me"

static const char *const dev_values[] = {
	CF_DEV_LAUNCHER_SECRET,
	CF_DEV_LAUNCH_SECRET,
	CF_DEV_API_KEY,
	CF_DEV_HMAC_SECRET,
	CF_DEV_CAFE_KEY,
};

/* "change-me" in any case starts it: the samples' placeholders. */
static int
placeholder(const char *s)
{
	return (strncasecmp(s, PLACEHOLDER, sizeof(PLACEHOLDER) - 1) == 0);
}

static int
dev_value(const char *s)
{
	size_t	 i;

	for (i = 0; i < CF_NITEMS(dev_values); i++)
		if (strcmp(s, dev_values[i]) == 0)
			return (1);
	return (0);
}

/* Whether v is the value of another secret already read than self. */
static int
same_as(const char *v, const char *other, const char *self)
{
	return (other != self && other[0] != '\0' && strcmp(v, other) == 0);
}

static int
taken(const struct pw_config *cfg, const char *v, const char *self)
{
	int	 i, k;

	if (same_as(v, cfg->launcher_secret, self) ||
	    same_as(v, cfg->launch_secret, self))
		return (1);
	for (i = 0; i < cfg->ngames; i++) {
		if (same_as(v, cfg->games[i].hmac_secret, self))
			return (1);
		for (k = 0; k < cfg->games[i].napi_keys; k++)
			if (same_as(v, cfg->games[i].api_keys[k], self))
				return (1);
	}
	for (i = 0; i < cfg->ncafes; i++)
		for (k = 0; k < cfg->cafes[i].nkeys; k++)
			if (same_as(v, cfg->cafes[i].keys[k].secret, self))
				return (1);
	return (0);
}

/*
 * The secret of the directive being read, into dst.  block names the
 * block it is in ("game 'x'", "cafe 'y'"), NULL at the top level.  The
 * value itself is never echoed.  The game or cafe being read is not yet
 * in cfg: its own earlier secrets are checked by its directives.
 */
int
cf_secret(struct cf_parser *p, char *dst, size_t size, const char *block)
{
	const char	*why;
	char		 what[PW_ID_MAX + 64];

	if (cf_string(p, dst, size) == -1)
		return (-1);
	if (placeholder(dst))
		why = "is a placeholder (it begins with \"" PLACEHOLDER "\")";
	else if (p->file && dev_value(dst))
		why = "is a key of the built-in development configuration, "
		    "published with playwaved";
	else if (p->file && strlen(dst) < PW_SECRET_MIN)
		why = "is shorter than 16 characters";
	else if (p->file && taken(p->cfg, dst, dst))
		why = "is the value of another secret of this file (each "
		    "role needs its own)";
	else
		return (0);
	if (block != NULL)
		(void)snprintf(what, sizeof(what), "%s of %s", p->dir, block);
	else
		(void)strlcpy(what, p->dir, sizeof(what));
	return (cf_error(p, p->tok.line, "%s %s: expected a long random "
	    "string of your own (openssl rand -hex 32)", what, why));
}

int
cf_launcher_secret(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;

	return (cf_secret(p, cfg->launcher_secret,
	    sizeof(cfg->launcher_secret), NULL));
}

int
cf_launch_secret(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;

	return (cf_secret(p, cfg->launch_secret, sizeof(cfg->launch_secret),
	    NULL));
}

int
cf_hmac_secret(struct cf_parser *p, void *obj)
{
	struct pw_game	*g = obj;

	char		 block[PW_ID_MAX + 16];

	(void)snprintf(block, sizeof(block), "game '%s'", g->id);
	if (cf_secret(p, g->hmac_secret, sizeof(g->hmac_secret), block) == -1)
		return (-1);
	return (cf_secret_distinct(p, g->hmac_secret, g->hmac_secret,
	    g->api_keys, g->napi_keys, block));
}

/*
 * Within the block being read (not yet in cfg): value must differ from
 * each of the n secrets at others, skipping self.
 */
int
cf_secret_distinct(struct cf_parser *p, const char *value, const char *self,
    const char (*others)[PW_SECRET_MAX], int n, const char *block)
{
	int	 i;

	for (i = 0; p->file && i < n; i++)
		if (same_as(value, others[i], self))
			return (cf_error(p, p->tok.line, "%s of %s is the "
			    "value of another secret of this file (each role "
			    "needs its own)", p->dir, block));
	return (0);
}
