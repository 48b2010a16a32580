/*
 * playwaved.conf(5) blocks: `game ID { ... }' and `cafe ID { ... }'.
 *
 * Ids end up in fixed-size fields of the shared store and their hashes
 * in its slots, so two ids that collide either way are refused here
 * rather than mixed up at run time.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config_parse.h"

/* Ids and counts in freeGameInfo stay exact in a JavaScript client. */
#define CF_JSON_INT_MAX		9007199254740991LL	/* 2^53 - 1 */
#define CF_ROUNDS_MAX		1000000LL
#define CF_BLOCK_MAX		16		/* directives per block */

#define GAME_I64(n, f, lo, hi)	{ .name = (n), .kind = CF_I64,		\
	.off = offsetof(struct pw_game, f), .min = (lo), .max = (hi) }
#define GAME_STR(n, f)		{ .name = (n), .kind = CF_STR,		\
	.off = offsetof(struct pw_game, f),				\
	.size = sizeof(((struct pw_game *)0)->f) }
#define BLOCK_FN(n, f, r)	{ .name = (n), .kind = CF_FN,		\
	.fn = (f), .repeat = (r) }

static int	 d_api_key(struct cf_parser *, void *);
static int	 d_lobby_url(struct cf_parser *, void *);
static int	 d_deposit_url(struct cf_parser *, void *);
static int	 d_offer(struct cf_parser *, void *);
static int	 d_network(struct cf_parser *, void *);
static int	 d_launcher_key(struct cf_parser *, void *);

static const struct cf_directive game_dirs[] = {
	GAME_STR("name", name),
	BLOCK_FN("api-key", d_api_key, 1),
	GAME_I64("price", price, 0, 1000000000),
	GAME_STR("provider", provider),
	BLOCK_FN("hmac-secret", cf_hmac_secret, 0),
	GAME_I64("min-bet", min_bet, 0, CF_AMOUNT_MAX),
	GAME_I64("max-bet", max_bet, 0, CF_AMOUNT_MAX),
	GAME_I64("default-bet", default_bet, 0, CF_AMOUNT_MAX),
	GAME_I64("max-exposure", max_exposure, 0, CF_AMOUNT_MAX),
	BLOCK_FN("lobby-url", d_lobby_url, 0),
	BLOCK_FN("deposit-url", d_deposit_url, 0),
	BLOCK_FN("offer", d_offer, 1),
};

static const struct cf_directive cafe_dirs[] = {
	BLOCK_FN("network", d_network, 1),
	BLOCK_FN("launcher-key", d_launcher_key, 1),
	{ .name = "cafe-start-quota", .kind = CF_I64,
	    .off = offsetof(struct pw_cafe, start_quota), .min = 1,
	    .max = CF_QUOTA_MAX },
};

_Static_assert(CF_NITEMS(game_dirs) <= CF_BLOCK_MAX, "CF_BLOCK_MAX");
_Static_assert(CF_NITEMS(cafe_dirs) <= CF_BLOCK_MAX, "CF_BLOCK_MAX");

/* Which block a directive belongs to, for "only valid inside" messages. */
const char *
cf_block_of(const char *name)
{
	if (cf_find(game_dirs, CF_NITEMS(game_dirs), name) != NULL)
		return ("game");
	if (cf_find(cafe_dirs, CF_NITEMS(cafe_dirs), name) != NULL)
		return ("cafe");
	return (NULL);
}

static int
d_api_key(struct cf_parser *p, void *obj)
{
	const struct pw_config	*cfg = p->cfg;
	struct pw_game		*g = obj;
	char			*key;
	int			 i, k;

	if (g->napi_keys == PW_MAX_KEYS)
		return (cf_error(p, p->tok.line, "too many api-key lines in "
		    "game '%s', expected at most %d", g->id, PW_MAX_KEYS));
	char			 block[PW_ID_MAX + 16];

	(void)snprintf(block, sizeof(block), "game '%s'", g->id);
	key = g->api_keys[g->napi_keys];
	if (cf_secret(p, key, sizeof(g->api_keys[0]), block) == -1 ||
	    cf_secret_distinct(p, key, key, (const char (*)[PW_SECRET_MAX])
	    g->hmac_secret, 1, block) == -1)
		return (-1);
	/* A key names one game: never echo it, it is a secret. */
	for (k = 0; k < g->napi_keys; k++)
		if (strcmp(g->api_keys[k], key) == 0)
			return (cf_error(p, p->tok.line, "duplicate api-key in "
			    "game '%s'", g->id));
	for (i = 0; i < cfg->ngames; i++)
		for (k = 0; k < cfg->games[i].napi_keys; k++)
			if (strcmp(cfg->games[i].api_keys[k], key) == 0)
				return (cf_error(p, p->tok.line, "duplicate "
				    "api-key: game '%s' already uses it",
				    cfg->games[i].id));
	g->napi_keys++;
	return (0);
}

static int
url(struct cf_parser *p, char *dst, size_t size)
{
	if (cf_string(p, dst, size) == -1)
		return (-1);
	if (strncmp(dst, "https://", 8) != 0 && strncmp(dst, "http://", 7) != 0)
		return (cf_error(p, p->tok.line, "expected an http:// or "
		    "https:// URL after '%s'", p->dir));
	return (0);
}

static int
d_lobby_url(struct cf_parser *p, void *obj)
{
	struct pw_game	*g = obj;

	return (url(p, g->lobby_url, sizeof(g->lobby_url)));
}

static int
d_deposit_url(struct cf_parser *p, void *obj)
{
	struct pw_game	*g = obj;

	return (url(p, g->deposit_url, sizeof(g->deposit_url)));
}

/* Digits of s from i to j (inclusive) as a number, or -1. */
static int
digits(const char *s, int i, int j)
{
	int	 n = 0;

	for (; i <= j; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		n = n * 10 + (s[i] - '0');
	}
	return (n);
}

/* YYYY-MM-DDTHH:MM:SSZ with every field in its range. */
static int
timestamp_ok(const char *s, size_t len)
{
	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return (0);
	return (digits(s, 0, 3) >= 0 &&
	    digits(s, 5, 6) >= 1 && digits(s, 5, 6) <= 12 &&
	    digits(s, 8, 9) >= 1 && digits(s, 8, 9) <= 31 &&
	    digits(s, 11, 12) >= 0 && digits(s, 11, 12) <= 23 &&
	    digits(s, 14, 15) >= 0 && digits(s, 14, 15) <= 59 &&
	    digits(s, 17, 18) >= 0 && digits(s, 17, 18) <= 60);
}

static int
timestamp(struct cf_parser *p, const char *kw, char *dst, size_t size)
{
	char	 got[64];

	if (cf_keyword(p, kw) == -1 ||
	    cf_arg(p, "a time such as 2025-05-23T11:54:37Z") == -1)
		return (-1);
	if (!timestamp_ok(p->tok.text, p->tok.len) || p->tok.len >= size)
		return (cf_error(p, p->tok.line, "expected a UTC time such as "
		    "2025-05-23T11:54:37Z after '%s', got %s", kw,
		    cf_got(&p->tok, got, sizeof(got))));
	memcpy(dst, p->tok.text, p->tok.len + 1);
	return (0);
}

static int
yes_no(struct cf_parser *p, const char *kw, int *out)
{
	char	 got[64];

	if (cf_keyword(p, kw) == -1 || cf_arg(p, "yes or no") == -1)
		return (-1);
	if (strcmp(p->tok.text, "yes") == 0)
		*out = 1;
	else if (strcmp(p->tok.text, "no") == 0)
		*out = 0;
	else
		return (cf_error(p, p->tok.line, "expected yes or no after "
		    "'%s', got %s", kw, cf_got(&p->tok, got, sizeof(got))));
	return (0);
}

/* A keyword and the number after it. */
static int
named(struct cf_parser *p, const char *kw, long long min, long long max,
    int64_t *out)
{
	if (cf_keyword(p, kw) == -1)
		return (-1);
	return (cf_number(p, min, max, out));
}

/*
 * offer INSTANCE OFFER "NAME" awarded N remaining N cost-per-bet N
 *     rejectable yes|no start TIME end TIME
 */
static int
d_offer(struct cf_parser *p, void *obj)
{
	struct pw_game	*g = obj;
	struct pw_offer	*o;
	int		 i, line = p->tok.line;

	if (g->noffers == PW_MAX_OFFERS)
		return (cf_error(p, line, "too many offers in game '%s', "
		    "expected at most %d", g->id, PW_MAX_OFFERS));
	o = &g->offers[g->noffers];
	memset(o, 0, sizeof(*o));
	if (cf_number(p, 1, CF_JSON_INT_MAX, &o->instance_id) == -1 ||
	    cf_number(p, 1, CF_JSON_INT_MAX, &o->offer_id) == -1 ||
	    cf_string(p, o->name, sizeof(o->name)) == -1 ||
	    named(p, "awarded", 1, CF_ROUNDS_MAX, &o->rounds_awarded) == -1 ||
	    named(p, "remaining", 0, CF_ROUNDS_MAX,
	    &o->rounds_remaining) == -1 ||
	    named(p, "cost-per-bet", 0, CF_AMOUNT_MAX,
	    &o->cost_per_bet) == -1 ||
	    yes_no(p, "rejectable", &o->rejectable) == -1 ||
	    timestamp(p, "start", o->start, sizeof(o->start)) == -1 ||
	    timestamp(p, "end", o->end, sizeof(o->end)) == -1)
		return (-1);
	if (o->rounds_remaining > o->rounds_awarded)
		return (cf_error(p, line, "offer %lld: expected remaining "
		    "(%lld) no more than awarded (%lld)",
		    (long long)o->instance_id, (long long)o->rounds_remaining,
		    (long long)o->rounds_awarded));
	/* The fixed-width UTC form sorts as text. */
	if (strcmp(o->start, o->end) >= 0)
		return (cf_error(p, line, "offer %lld: expected start before "
		    "end", (long long)o->instance_id));
	for (i = 0; i < g->noffers; i++)
		if (g->offers[i].instance_id == o->instance_id)
			return (cf_error(p, line, "offer %lld is given twice "
			    "in game '%s'", (long long)o->instance_id, g->id));
	g->noffers++;
	return (0);
}

/* Two prefixes overlap exactly when one holds the other's first address. */
static int
nets_overlap(const struct pw_net *a, const struct pw_net *b)
{
	struct sockaddr_storage	 sa, sb;

	if (a->af != b->af)
		return (0);
	pw_net_sockaddr(a, &sa);
	pw_net_sockaddr(b, &sb);
	return (pw_net_contains(a, (struct sockaddr *)&sb) ||
	    pw_net_contains(b, (struct sockaddr *)&sa));
}

/*
 * An address in the networks of two cafes would bill whichever came
 * first; refuse the ambiguity.
 */
static int
d_network(struct cf_parser *p, void *obj)
{
	const struct pw_config	*cfg = p->cfg;
	struct pw_cafe		*c = obj;
	struct pw_net		*n;
	char			 got[64];
	int			 i, k;

	if (cf_arg(p, "a network") == -1)
		return (-1);
	if (c->nnets == PW_MAX_NETS)
		return (cf_error(p, p->tok.line, "too many networks in cafe "
		    "'%s', expected at most %d", c->id, PW_MAX_NETS));
	n = &c->nets[c->nnets];
	if (pw_net_parse(n, p->tok.text) == -1)
		return (cf_error(p, p->tok.line, "expected a network such as "
		    "203.0.113.0/24 or 2001:db8::/48 after 'network', got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	for (i = 0; i < cfg->ncafes; i++)
		for (k = 0; k < cfg->cafes[i].nnets; k++)
			if (nets_overlap(n, &cfg->cafes[i].nets[k]))
				return (cf_error(p, p->tok.line, "network %s "
				    "overlaps a network of cafe '%s'",
				    p->tok.text, cfg->cafes[i].id));
	c->nnets++;
	return (0);
}

/* `game ID' or `cafe ID': 1 to PW_ID_MAX - 1 bytes of [A-Za-z0-9._-]. */
static int
block_id(struct cf_parser *p, char *dst)
{
	char		 got[64];
	size_t		 i;
	unsigned char	 c;

	if (cf_arg(p, "an id") == -1)
		return (-1);
	if (p->tok.len >= PW_ID_MAX)
		return (cf_error(p, p->tok.line, "%s id %s is too long: "
		    "expected at most %d bytes", p->dir,
		    cf_got(&p->tok, got, sizeof(got)), PW_ID_MAX - 1));
	for (i = 0; i < p->tok.len; i++) {
		c = (unsigned char)p->tok.text[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '.' && c != '_' && c != '-')
			break;
	}
	if (p->tok.len == 0 || i < p->tok.len)
		return (cf_error(p, p->tok.line, "expected a %s id of letters, "
		    "digits, '.', '_' and '-' after '%s', got %s", p->dir,
		    p->dir, cf_got(&p->tok, got, sizeof(got))));
	memcpy(dst, p->tok.text, p->tok.len + 1);
	return (0);
}

static int
misplaced(struct cf_parser *p, const char *kind, const char *id, int opened)
{
	const char	*t = p->tok.text, *other;

	if (strcmp(t, "game") == 0 || strcmp(t, "cafe") == 0)
		return (cf_error(p, p->tok.line, "nested block: '%s' inside "
		    "%s '%s', expected '}' to close it (opened at line %d)",
		    t, kind, id, opened));
	if (cf_find(p->globals, p->nglobals, t) != NULL)
		return (cf_error(p, p->tok.line, "'%s' is not valid inside a "
		    "%s block, expected '}' first", t, kind));
	if ((other = cf_block_of(t)) != NULL)
		return (cf_error(p, p->tok.line, "'%s' is only valid inside "
		    "a %s block", t, other));
	return (cf_error(p, p->tok.line, "unknown directive '%s' in %s '%s'",
	    t, kind, id));
}

/* From `{' to the matching `}', directives of tab applied to obj. */
static int
block_body(struct cf_parser *p, const char *kind, const char *id,
    const struct cf_directive *tab, size_t ntab, void *obj)
{
	const struct cf_directive	*d;
	char				 got[64];
	int				 seen[CF_BLOCK_MAX], opened;

	memset(seen, 0, sizeof(seen));
	if (cf_lex(p) == -1)
		return (-1);
	if (p->tok.type != TOK_LBRACE)
		return (cf_error(p, p->tok.line, "expected '{' after %s '%s', "
		    "got %s", kind, id, cf_got(&p->tok, got, sizeof(got))));
	opened = p->tok.line;
	for (;;) {
		if (cf_lex(p) == -1) {
			if (!CF_GO_ON(p))
				return (-1);
			continue;
		}
		p->stmt_start = p->tok_start;
		switch (p->tok.type) {
		case TOK_RBRACE:
			return (0);
		case TOK_EOF:
			return (cf_error(p, p->tok.line, "unterminated block: "
			    "expected '}' to close %s '%s' (opened at line "
			    "%d), got end of file", kind, id, opened));
		case TOK_WORD:
			break;
		default:
			(void)cf_error(p, p->tok.line, "expected a %s "
			    "directive or '}', got %s", kind,
			    cf_got(&p->tok, got, sizeof(got)));
			if (!CF_GO_ON(p))
				return (-1);
			continue;
		}
		if ((d = cf_find(tab, ntab, p->tok.text)) == NULL) {
			(void)misplaced(p, kind, id, opened);
			if (!CF_GO_ON(p))
				return (-1);
		} else if (cf_apply(p, d, obj, &seen[d - tab]) == -1 &&
		    !CF_GO_ON(p))
			return (-1);
	}
}

static int
game_valid(struct cf_parser *p, const struct pw_game *g)
{
	if (g->napi_keys == 0)
		return (cf_error(p, p->tok.line, "game '%s' has no api-key, "
		    "expected at least one", g->id));

	if (g->min_bet > g->default_bet || g->default_bet > g->max_bet)
		return (cf_error(p, p->tok.line, "game '%s': expected min-bet "
		    "<= default-bet <= max-bet, got %lld, %lld, %lld", g->id,
		    (long long)g->min_bet, (long long)g->default_bet,
		    (long long)g->max_bet));
	return (0);
}

int
cf_game(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	struct pw_game		*g;
	int			 i;

	if (cfg->ngames == PW_MAX_GAMES)
		return (cf_error(p, p->tok.line, "too many games, expected at "
		    "most %d", PW_MAX_GAMES));
	g = &cfg->games[cfg->ngames];
	memset(g, 0, sizeof(*g));
	if (block_id(p, g->id) == -1)
		return (-1);
	g->hash = pw_config_idhash(g->id);
	for (i = 0; i < cfg->ngames; i++) {
		if (strcmp(cfg->games[i].id, g->id) == 0)
			return (cf_error(p, p->tok.line, "duplicate game id "
			    "'%s'", g->id));
		if (cfg->games[i].hash == g->hash)
			return (cf_error(p, p->tok.line, "game '%s' has the "
			    "same id hash as game '%s', expected another id",
			    g->id, cfg->games[i].id));
	}
	(void)strlcpy(g->name, g->id, sizeof(g->name));
	if (block_body(p, "game", g->id, game_dirs, CF_NITEMS(game_dirs),
	    g) == -1)
		return (-1);
	/* The block is read whole: nothing to skip after this error. */
	if (game_valid(p, g) == -1 && !p->all)
		return (-1);
	cfg->ngames++;
	return (0);
}

/* ID: 1-32 of [A-Za-z0-9_-], as X-Key-Id carries it. */
static int
key_id_ok(const char *id)
{
	size_t	 n;

	for (n = 0; id[n] != '\0'; n++)
		if (n == PW_KEY_ID_MAX - 1 || !((id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= '0' && id[n] <= '9') || id[n] == '_' ||
		    id[n] == '-'))
			return (0);
	return (n > 0);
}

/* launcher-key ID SECRET: one of the (at most two) keys of this cafe. */
static int
d_launcher_key(struct cf_parser *p, void *obj)
{
	const struct pw_config	*cfg = p->cfg;
	struct pw_cafe		*c = obj;
	struct pw_launcher_key	*k;
	const struct pw_cafe	*other;
	char			 got[64], block[PW_ID_MAX + 16];
	int			 i;

	if (c->nkeys == PW_MAX_CAFE_KEYS)
		return (cf_error(p, p->tok.line, "too many launcher-key lines "
		    "in cafe '%s', expected at most %d (the old and the new "
		    "key of a rotation)", c->id, PW_MAX_CAFE_KEYS));
	k = &c->keys[c->nkeys];
	if (cf_arg(p, "a key id") == -1)
		return (-1);
	if (p->tok.len >= sizeof(k->id) || !key_id_ok(p->tok.text))
		return (cf_error(p, p->tok.line, "expected a key id of 1 to 32 "
		    "letters, digits, '_' or '-' after 'launcher-key', got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	(void)strlcpy(k->id, p->tok.text, sizeof(k->id));
	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].id, k->id) == 0)
			return (cf_error(p, p->tok.line, "launcher-key id '%s' "
			    "is given twice in cafe '%s'", k->id, c->id));
	if (pw_config_launcher_key(cfg, k->id, &other) != NULL)
		return (cf_error(p, p->tok.line, "launcher-key id '%s' is "
		    "already a key of cafe '%s'", k->id, other->id));
	(void)snprintf(block, sizeof(block), "cafe '%s'", c->id);
	if (cf_secret(p, k->secret, sizeof(k->secret), block) == -1)
		return (-1);
	for (i = 0; i < c->nkeys; i++)
		if (cf_secret_distinct(p, k->secret, k->secret,
		    (const char (*)[PW_SECRET_MAX])c->keys[i].secret, 1,
		    block) == -1)
			return (-1);
	c->nkeys++;
	return (0);
}

int
cf_cafe(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	struct pw_cafe		*c;
	int			 i;

	if (cfg->ncafes == PW_MAX_CAFES)
		return (cf_error(p, p->tok.line, "too many cafes, expected at "
		    "most %d", PW_MAX_CAFES));
	c = &cfg->cafes[cfg->ncafes];
	memset(c, 0, sizeof(*c));
	c->start_quota = -1;	/* the global cafe-start-quota, at the end */
	if (block_id(p, c->id) == -1)
		return (-1);
	c->hash = pw_config_idhash(c->id);
	for (i = 0; i < cfg->ncafes; i++) {
		if (strcmp(cfg->cafes[i].id, c->id) == 0)
			return (cf_error(p, p->tok.line, "duplicate cafe id "
			    "'%s'", c->id));
		if (cfg->cafes[i].hash == c->hash)
			return (cf_error(p, p->tok.line, "cafe '%s' has the "
			    "same id hash as cafe '%s', expected another id",
			    c->id, cfg->cafes[i].id));
	}
	if (block_body(p, "cafe", c->id, cafe_dirs, CF_NITEMS(cafe_dirs),
	    c) == -1)
		return (-1);
	if (c->nnets == 0 && cf_error(p, p->tok.line, "cafe '%s' has no "
	    "network, expected at least one", c->id) == -1 && !p->all)
		return (-1);
	cfg->ncafes++;
	return (0);
}
