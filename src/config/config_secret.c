/*
 * playwaved.conf(5) secrets: launcher-secret, launch-secret, and each
 * game's api-key and hmac-secret.
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

/*
 * The secret of the directive being read, into dst.  game names the block
 * it is in, NULL at the top level.  The value itself is never echoed.
 */
int
cf_secret(struct cf_parser *p, char *dst, size_t size, const char *game)
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
	else
		return (0);
	if (game != NULL)
		(void)snprintf(what, sizeof(what), "%s of game '%s'", p->dir,
		    game);
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

	return (cf_secret(p, g->hmac_secret, sizeof(g->hmac_secret), g->id));
}
