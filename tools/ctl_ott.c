/*
 * playwavectl ott issue GAME [--cafe CAFE] [--pc PC]: an OTT issued
 * straight into the store, as POST /v1/launcher/ott would, for tests and
 * for support staff starting a game without a launcher.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_session.h"
#include "ctl.h"

int
cmd_ott(struct ctl *c, int argc, char **argv)
{
	const struct pw_game *g;
	const struct pw_cafe *cf = NULL;
	const char *pc = NULL;
	uint8_t key[PW_KEY_LEN], pckey[PW_KEY_LEN];
	char id[64];
	uint64_t now;
	struct jw j;
	int i;

	if (argc < 3 || strcmp(argv[1], "issue") != 0)
		ctl_usage_err("ott issue GAME [--cafe CAFE] [--pc PC]");
	if (c->cfg == NULL)
		ctl_usage_err("ott issue needs the configuration (-f), not -s");
	if ((g = pw_config_game(c->cfg, argv[2])) == NULL)
		ctl_die("no game %s in %s", argv[2], c->conf != NULL ?
		    c->conf : "the embedded configuration");
	for (i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			ctl_usage_err("ott issue: %s needs a value", argv[i]);
		if (strcmp(argv[i], "--cafe") == 0) {
			if ((cf = pw_config_cafe(c->cfg, argv[i + 1])) == NULL)
				ctl_die("no cafe %s in the configuration",
				    argv[i + 1]);
		} else if (strcmp(argv[i], "--pc") == 0) {
			pc = argv[i + 1];
			if (*pc == '\0' || strlen(pc) > 64)
				ctl_usage_err("ott issue: a pc id has 1-64 "
				    "characters");
		} else
			ctl_usage_err("ott issue: unknown option %s", argv[i]);
	}
	if (pc != NULL)
		pw_pc_key(pckey, cf != NULL ? cf->hash : 0, pc,
		    strlen(pc));
	ctl_open(c, 1);
	now = pw_store_now(&c->st);
	if (pw_ott_issue(&c->st, g->hash, cf != NULL ? cf->hash : 0,
	    pc != NULL ? pckey : NULL, 0, now, key) == -1) {
		pw_count(&c->st, PW_C_STORE_FULL, 1);
		ctl_die("store %s is full", c->store_path);
	}
	ctl_format_id(PW_T_OTT, key, id);
	if (!c->json) {
		printf("%s\n", id);
		return (0);
	}
	jw_begin(&j, stdout);
	jw_str(&j, "ott", id);
	jw_uint(&j, "expires_at", now / 1000 + (uint64_t)c->cfg->ott_ttl);
	jw_end(&j);
	return (0);
}
