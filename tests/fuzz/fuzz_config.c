/*
 * libFuzzer harness for playwaved.conf(5) parsing.
 *
 * The whole input is a configuration file, parsed from an exact-size heap
 * copy so that ASan sees any read past its end.  A parse that succeeds
 * must leave a configuration whose lookups find what it holds (the
 * parser promises unique ids, unique API keys and cafe networks that
 * never overlap); one that fails must say where.  The input is also fed,
 * NUL-terminated, to pw_net_parse and pw_listen_parse, whose results are
 * checked for what the rest of the daemon relies on.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pw_config.h"

#define FUZZ_FNAME	"fuzz.conf"
#define FUZZ_MAX	65536

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A NUL inside the first size bytes, so the field is a C string. */
static void
check_cstr(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

/* A parsed network: a known family, a prefix in range, no host bits. */
static void
check_net(const struct pw_net *n)
{
	struct sockaddr_storage	 ss;
	int			 max, i, bits;

	if (n->af != AF_INET && n->af != AF_INET6)
		abort();
	max = n->af == AF_INET ? 32 : 128;
	if (n->prefix < 0 || n->prefix > max)
		abort();
	for (i = 0; i < 16; i++) {
		bits = n->prefix - i * 8;
		if (i >= max / 8 ? n->addr[i] != 0 : bits < 8 &&
		    (n->addr[i] & (bits <= 0 ? 0xff : 0xff >> bits)) != 0)
			abort();
	}
	pw_net_sockaddr(n, &ss);
	if (!pw_net_contains(n, (struct sockaddr *)&ss))
		abort();
}

static void
check_listen(const struct pw_listen *l)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&l->ss;

	check_cstr(l->text, sizeof(l->text));
	if (sa->sa_family == AF_INET) {
		if (l->sslen != sizeof(struct sockaddr_in) ||
		    ((const struct sockaddr_in *)&l->ss)->sin_port == 0)
			abort();
	} else if (sa->sa_family == AF_INET6) {
		if (l->sslen != sizeof(struct sockaddr_in6) ||
		    ((const struct sockaddr_in6 *)&l->ss)->sin6_port == 0)
			abort();
	} else
		abort();
}

static void
check_games(const struct pw_config *cfg)
{
	const struct pw_game	*g;
	int			 i, k;

	if (cfg->ngames < 0 || cfg->ngames > PW_MAX_GAMES)
		abort();
	for (i = 0; i < cfg->ngames; i++) {
		g = &cfg->games[i];
		check_cstr(g->id, sizeof(g->id));
		if (g->id[0] == '\0' || g->hash == 0 ||
		    g->hash != pw_config_idhash(g->id) ||
		    pw_config_game(cfg, g->id) != g ||
		    pw_config_game_by_hash(cfg, g->hash) != g)
			abort();
		if (g->napi_keys < 1 || g->napi_keys > PW_MAX_KEYS ||
		    g->noffers < 0 || g->noffers > PW_MAX_OFFERS ||
		    g->min_bet > g->default_bet || g->default_bet > g->max_bet)
			abort();
		for (k = 0; k < g->napi_keys; k++) {
			check_cstr(g->api_keys[k], sizeof(g->api_keys[k]));
			if (pw_config_game_by_key(cfg, g->api_keys[k],
			    strlen(g->api_keys[k]), NULL) != g)
				abort();
		}
		check_cstr(g->name, sizeof(g->name));
		check_cstr(g->provider, sizeof(g->provider));
		check_cstr(g->hmac_secret, sizeof(g->hmac_secret));
		check_cstr(g->lobby_url, sizeof(g->lobby_url));
		check_cstr(g->deposit_url, sizeof(g->deposit_url));
		for (k = 0; k < g->noffers; k++) {
			check_cstr(g->offers[k].name, sizeof(g->offers[k].name));
			check_cstr(g->offers[k].start,
			    sizeof(g->offers[k].start));
			check_cstr(g->offers[k].end, sizeof(g->offers[k].end));
		}
	}
}

static void
check_cafes(const struct pw_config *cfg)
{
	struct sockaddr_storage	 ss;
	const struct pw_cafe	*c;
	int			 i, k;

	if (cfg->ncafes < 0 || cfg->ncafes > PW_MAX_CAFES)
		abort();
	for (i = 0; i < cfg->ncafes; i++) {
		c = &cfg->cafes[i];
		check_cstr(c->id, sizeof(c->id));
		if (c->id[0] == '\0' || c->hash != pw_config_idhash(c->id) ||
		    pw_config_cafe(cfg, c->id) != c ||
		    pw_config_cafe_by_hash(cfg, c->hash) != c ||
		    c->nnets < 1 || c->nnets > PW_MAX_NETS)
			abort();
		for (k = 0; k < c->nnets; k++) {
			check_net(&c->nets[k]);
			/* No other cafe may claim an address of this one. */
			pw_net_sockaddr(&c->nets[k], &ss);
			if (pw_config_cafe_for_addr(cfg,
			    (struct sockaddr *)&ss) != c)
				abort();
		}
	}
}

static void
check_config(const struct pw_config *cfg)
{
	int	 i;

	if (cfg->nlisten < 1 || cfg->nlisten > PW_MAX_LISTEN ||
	    cfg->nmetrics_listen < 0 ||
	    cfg->nmetrics_listen > PW_MAX_LISTEN ||
	    cfg->nproxies < 0 || cfg->nproxies > PW_MAX_PROXIES ||
	    cfg->ncurrencies < 0 || cfg->ncurrencies > PW_MAX_CURRENCIES)
		abort();
	if (cfg->store_slots == 0 ||
	    (cfg->store_slots & (cfg->store_slots - 1)) != 0)
		abort();
	for (i = 0; i < cfg->nlisten; i++)
		check_listen(&cfg->listen[i]);
	for (i = 0; i < cfg->nmetrics_listen; i++)
		check_listen(&cfg->metrics_listen[i]);
	for (i = 0; i < cfg->nproxies; i++)
		check_net(&cfg->proxies[i]);
	for (i = 0; i < cfg->ncurrencies; i++) {
		check_cstr(cfg->currencies[i].code,
		    sizeof(cfg->currencies[i].code));
		if (pw_config_truncation(cfg, cfg->currencies[i].code) < 1)
			abort();
	}
	check_cstr(cfg->store, sizeof(cfg->store));
	check_cstr(cfg->billing_log, sizeof(cfg->billing_log));
	check_cstr(cfg->access_log, sizeof(cfg->access_log));
	check_cstr(cfg->log_file, sizeof(cfg->log_file));
	check_cstr(cfg->user, sizeof(cfg->user));
	check_cstr(cfg->pidfile, sizeof(cfg->pidfile));
	check_cstr(cfg->launcher_secret, sizeof(cfg->launcher_secret));
	check_cstr(cfg->launch_secret, sizeof(cfg->launch_secret));
	check_games(cfg);
	check_cafes(cfg);
}

/*
 * Every error (playwaved -n): ends (the resync after an error always
 * moves on), agrees with the first-error parse on success and on the
 * first message, and counts at least one error when it fails.
 */
static void
fuzz_all(struct pw_config *cfg, const char *text, size_t size, int rc1,
    const char *first)
{
	char	 err[2048];
	int	 rc, n = 0;
	size_t	 len;

	memset(err, 'x', sizeof(err));
	rc = pw_config_parse_all(cfg, text, size, FUZZ_FNAME, &n, err,
	    sizeof(err));
	check_cstr(err, sizeof(err));
	if (rc != rc1 || (rc == -1 && n < 1))
		abort();
	len = strcspn(err, "\n");
	if (rc == -1 && (strncmp(err, first, len) != 0 || first[len] != '\0'))
		abort();
}

static void
fuzz_parse(struct pw_config *cfg, const uint8_t *data, size_t size)
{
	char	 err[512], *text;
	int	 rc;

	/* malloc(0) may return NULL; one spare byte keeps it a pointer. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	memset(err, 'x', sizeof(err));
	rc = pw_config_parse(cfg, text, size, FUZZ_FNAME, err, sizeof(err));
	check_cstr(err, sizeof(err));
	if (rc == 0) {
		if (err[0] != '\0')
			abort();
		check_config(cfg);
	} else if (rc != -1 ||
	    strncmp(err, FUZZ_FNAME ":", strlen(FUZZ_FNAME ":")) != 0)
		abort();
	fuzz_all(cfg, text, size, rc, err);
	free(text);
}

static void
fuzz_addr(const uint8_t *data, size_t size)
{
	struct pw_net	 net;
	struct pw_listen l;
	char		*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (pw_net_parse(&net, s) == 0)
		check_net(&net);
	if (pw_listen_parse(&l, s) == 0) {
		check_listen(&l);
		if (strcmp(l.text, s) != 0)
			abort();
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * Large (games and cafes are inline), but on the stack: its pages
	 * stay mapped from one input to the next, where a fresh malloc(3)
	 * of this size page-faults them all in again every time.
	 */
	struct pw_config	 cfg;

	if (size > FUZZ_MAX)
		return (0);
	fuzz_parse(&cfg, data, size);
	fuzz_addr(data, size);
	return (0);
}
