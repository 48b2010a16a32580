/*
 * What a configuration implies for the replies it will be used in,
 * worked out once at load so that -n can refuse it and no request can
 * fail later for a reason the file already showed: the launcher start's
 * games list is rendered here and kept.
 */
#include <stdio.h>
#include <string.h>

#include "pw_config.h"
#include "pw_json.h"
#include "config_parse.h"

int
cf_games_json(struct cf_parser *p)
{
	struct pw_config *cfg = p->cfg;
	char qid[6 * PW_ID_MAX + 3], qname[6 * PW_TEXT_MAX + 3];
	size_t len, max = sizeof(cfg->games_json);
	int i, n;

	len = strlcpy(cfg->games_json, "[", max);
	for (i = 0; i < cfg->ngames; i++) {
		pw_json_quote(qid, sizeof(qid), cfg->games[i].id,
		    strlen(cfg->games[i].id));
		pw_json_quote(qname, sizeof(qname), cfg->games[i].name,
		    strlen(cfg->games[i].name));
		n = snprintf(cfg->games_json + len, max - len,
		    "%s{\"game_id\":%s,\"name\":%s}", i ? "," : "", qid, qname);
		if (n < 0 || (size_t)n >= max - len)
			break;
		len += (size_t)n;
	}
	if (i < cfg->ngames || len + 2 > max)
		return (cf_error(p, p->last_line, "the games list (%d games) "
		    "does not fit the launcher reply: expected at most %zu "
		    "bytes of quoted game ids and names, shorten the names "
		    "or configure fewer games", cfg->ngames, max - 2));
	memcpy(cfg->games_json + len, "]", 2);
	return (0);
}
