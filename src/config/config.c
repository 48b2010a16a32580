/*
 * playwaved.conf(5): defaults, global directives, loading a file.
 *
 * The parser fills a caller-supplied struct and allocates nothing, so a
 * reload can parse into a fresh struct and throw it away on any error
 * while the running configuration stays untouched.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_crypto.h"
#include "config_parse.h"

#define CF_FILE_MAX		(1024 * 1024)
#define CF_DURATION_MAX		86400		/* s: one day */
#define CF_SLOTS_MIN		1024
#define CF_SLOTS_MAX		(1LL << 26)
#define CF_TRUNCATION_MAX	1000000000LL
#define CF_SEGMENT_MIN		(64LL * 1024)
#define CF_SEGMENT_MAX		(64LL * 1024 * 1024 * 1024)
#define CF_HOME_TOTAL_MAX	PW_HOME_TOTAL_MAX

#define CFG_I64(n, f, lo, hi)	{ .name = (n), .kind = CF_I64,		\
	.off = offsetof(struct pw_config, f), .min = (lo), .max = (hi) }
#define CFG_INT(n, f, lo, hi)	{ .name = (n), .kind = CF_INT,		\
	.off = offsetof(struct pw_config, f), .min = (lo), .max = (hi) }
#define CFG_STR(n, f)		{ .name = (n), .kind = CF_STR,		\
	.off = offsetof(struct pw_config, f),				\
	.size = sizeof(((struct pw_config *)0)->f) }
#define CFG_FN(n, f, r)		{ .name = (n), .kind = CF_FN,		\
	.fn = (f), .repeat = (r) }

static int	 d_listen(struct cf_parser *, void *);
static int	 d_metrics_listen(struct cf_parser *, void *);
static int	 d_store_slots(struct cf_parser *, void *);
static int	 d_billing_fsync(struct cf_parser *, void *);
static int	 d_trusted_proxy(struct cf_parser *, void *);
static int	 d_currency(struct cf_parser *, void *);
static int	 d_key_required(struct cf_parser *, void *);
static int	 d_segment_size(struct cf_parser *, void *);
static int	 d_log_format(struct cf_parser *, void *);

static const struct cf_directive globals[] = {
	CFG_FN("listen", d_listen, 1),
	CFG_FN("metrics-listen", d_metrics_listen, 1),
	CFG_INT("workers", workers, 1, 64),
	CFG_INT("shard", shard, 0, PW_SHARD_MAX),
	CFG_STR("store", store),
	CFG_FN("store-slots", d_store_slots, 0),
	CFG_STR("billing-log", billing_log),
	CFG_FN("billing-fsync", d_billing_fsync, 0),
	CFG_FN("billing-segment-size", d_segment_size, 0),
	CFG_STR("access-log", access_log),
	CFG_STR("log-file", log_file),
	CFG_FN("log-format", d_log_format, 0),
	CFG_STR("user", user),
	CFG_STR("pidfile", pidfile),
	CFG_I64("ott-ttl", ott_ttl, 1, CF_DURATION_MAX),
	CFG_I64("session-timeout", session_timeout, 1, CF_DURATION_MAX),
	CFG_I64("heartbeat-interval", heartbeat_interval, 1, CF_DURATION_MAX),
	CFG_I64("charge-grace", charge_grace, 1, CF_DURATION_MAX),
	CFG_I64("billing-unit", billing_unit, 1, CF_DURATION_MAX),
	CFG_I64("launcher-timeout", launcher_timeout, 1, CF_DURATION_MAX),
	CFG_I64("max-body", max_body, 64, 1048576),
	CFG_I64("max-header", max_header, 1024, 65536),
	CFG_I64("header-timeout", header_timeout, 1, CF_DURATION_MAX),
	CFG_I64("body-timeout", body_timeout, 1, CF_DURATION_MAX),
	CFG_I64("idle-timeout", idle_timeout, 1, CF_DURATION_MAX),
	CFG_I64("write-timeout", write_timeout, 1, CF_DURATION_MAX),
	CFG_I64("max-connections", max_connections, 1, 1048576),
	CFG_I64("max-connections-per-source", max_conn_per_source, 0, 1048576),
	CFG_I64("cafe-start-quota", cafe_start_quota, 1, CF_QUOTA_MAX),
	CFG_I64("home-start-quota", home_start_quota, 0, CF_QUOTA_MAX),
	CFG_I64("home-start-total", home_start_total, 0, CF_HOME_TOTAL_MAX),
	CFG_FN("launcher-key-required", d_key_required, 0),
	CFG_I64("rate-limit", rate_limit, 0, 1000000),
	CFG_I64("ott-per-launcher", ott_per_launcher, 1, 1000),
	CFG_I64("max-token-lifetime", max_token_lifetime, 1, CF_DURATION_MAX),
	CFG_FN("launcher-secret", cf_launcher_secret, 0),
	CFG_FN("launch-secret", cf_launch_secret, 0),
	CFG_FN("trusted-proxy", d_trusted_proxy, 1),
	CFG_FN("currency-truncation", d_currency, 1),
	CFG_FN("game", cf_game, 1),
	CFG_FN("cafe", cf_cafe, 1),
};

void
pw_config_defaults(struct pw_config *cfg)
{
	long	 ncpu;

	memset(cfg, 0, sizeof(*cfg));
	(void)pw_listen_parse(&cfg->listen[0], "127.0.0.1:8080");
	cfg->nlisten = 1;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->workers = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (int)ncpu;
	(void)strlcpy(cfg->store, "/var/db/playwave/store",
	    sizeof(cfg->store));
	cfg->store_slots = 1048576;
	(void)strlcpy(cfg->billing_log, "/var/db/playwave/billing.log",
	    sizeof(cfg->billing_log));
	cfg->billing_fsync = PW_FSYNC_INTERVAL;
	cfg->billing_segment_size = 64ULL * 1024 * 1024;
	(void)strlcpy(cfg->pidfile, "/var/run/playwaved.pid",
	    sizeof(cfg->pidfile));
	cfg->ott_ttl = 60;
	cfg->session_timeout = 240;
	cfg->heartbeat_interval = 120;
	cfg->charge_grace = 120;
	cfg->billing_unit = 60;
	cfg->launcher_timeout = 240;
	cfg->max_body = 8192;
	cfg->max_header = 8192;
	cfg->header_timeout = 10;
	cfg->body_timeout = 10;
	cfg->idle_timeout = 60;
	cfg->write_timeout = 30;
	cfg->max_connections = 4096;
	cfg->max_conn_per_source = 256;
	cfg->cafe_start_quota = 600;
	cfg->home_start_quota = 60;
	cfg->home_start_total = 6000;
	cfg->launcher_key_required = 0;
	cfg->rate_limit = 0;
	cfg->ott_per_launcher = 4;
	cfg->max_token_lifetime = 3600;
	/* No secret has a default: every one must be set (finish()). */
}

static int
same_listen(const struct pw_listen *a, const struct pw_listen *b)
{
	return (a->sslen == b->sslen && memcmp(&a->ss, &b->ss, a->sslen) == 0);
}

/* Two sockets cannot bind one address: say so here, not at bind(2). */
static int
listen_taken(const struct cf_parser *p, const struct pw_listen *l)
{
	const struct pw_config	*cfg = p->cfg;
	int			 i;

	for (i = 0; p->listen_given && i < cfg->nlisten; i++)
		if (same_listen(&cfg->listen[i], l))
			return (1);
	for (i = 0; i < cfg->nmetrics_listen; i++)
		if (same_listen(&cfg->metrics_listen[i], l))
			return (1);
	return (0);
}

static int
add_listen(struct cf_parser *p, struct pw_listen *list, int *n)
{
	struct pw_listen	 l;
	char			 got[64];

	if (cf_arg(p, "an address") == -1)
		return (-1);
	if (pw_listen_parse(&l, p->tok.text) == -1)
		return (cf_error(p, p->tok.line, "expected an address such as "
		    "127.0.0.1:8080, [::1]:8080 or *:8080 after '%s', got %s",
		    p->dir, cf_got(&p->tok, got, sizeof(got))));
	if (*n == PW_MAX_LISTEN)
		return (cf_error(p, p->tok.line, "too many '%s' addresses, "
		    "expected at most %d", p->dir, PW_MAX_LISTEN));
	if (listen_taken(p, &l))
		return (cf_error(p, p->tok.line, "address %s is given twice",
		    l.text));
	list[(*n)++] = l;
	return (0);
}

static int
d_listen(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;

	/* The first `listen' replaces the built-in default address. */
	if (!p->listen_given) {
		cfg->nlisten = 0;
		p->listen_given = 1;
	}
	return (add_listen(p, cfg->listen, &cfg->nlisten));
}

static int
d_metrics_listen(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;

	return (add_listen(p, cfg->metrics_listen, &cfg->nmetrics_listen));
}

static int
d_store_slots(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	int64_t			 n;

	if (cf_number(p, CF_SLOTS_MIN, CF_SLOTS_MAX, &n) == -1)
		return (-1);
	if ((n & (n - 1)) != 0)
		return (cf_error(p, p->tok.line, "expected a power of two "
		    "after 'store-slots', got '%s'", p->tok.text));
	cfg->store_slots = (uint64_t)n;
	return (0);
}

static int
d_billing_fsync(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	char			 got[64];

	if (cf_arg(p, "always or interval") == -1)
		return (-1);
	if (strcmp(p->tok.text, "always") == 0)
		cfg->billing_fsync = PW_FSYNC_ALWAYS;
	else if (strcmp(p->tok.text, "interval") == 0)
		cfg->billing_fsync = PW_FSYNC_INTERVAL;
	else
		return (cf_error(p, p->tok.line, "expected always or interval "
		    "after 'billing-fsync', got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	return (0);
}

static int
d_trusted_proxy(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	char			 got[64];

	if (cf_arg(p, "a network") == -1)
		return (-1);
	if (cfg->nproxies == PW_MAX_PROXIES)
		return (cf_error(p, p->tok.line, "too many 'trusted-proxy' "
		    "networks, expected at most %d", PW_MAX_PROXIES));
	if (pw_net_parse(&cfg->proxies[cfg->nproxies], p->tok.text) == -1)
		return (cf_error(p, p->tok.line, "expected a network such as "
		    "10.0.0.0/8 or 2001:db8::/32 after 'trusted-proxy', got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	/*
	 * A proxy is trusted to name the client; a network that wide
	 * trusts strangers to name any address, cafes' included.
	 */
	if (cfg->proxies[cfg->nproxies].prefix <
	    (cfg->proxies[cfg->nproxies].af == AF_INET ? 8 : 32))
		return (cf_error(p, p->tok.line, "'trusted-proxy' network "
		    "wider than /8 (IPv4) or /32 (IPv6): expected the "
		    "proxies' own addresses"));
	cfg->nproxies++;
	return (0);
}

/* A size in bytes, with an optional K, M or G (powers of 1024). */
static int
d_segment_size(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	const char		*errstr;
	char			 got[64], num[32];
	long long		 n, unit = 1;
	size_t			 len;

	if (cf_arg(p, "a size") == -1)
		return (-1);
	len = p->tok.len;
	if (len > 0 && strchr("KMG", p->tok.text[len - 1]) != NULL) {
		unit = p->tok.text[len - 1] == 'K' ? 1024LL :
		    p->tok.text[len - 1] == 'M' ? 1024LL * 1024 :
		    1024LL * 1024 * 1024;
		len--;
	}
	if (len == 0 || len >= sizeof(num) ||
	    strspn(p->tok.text, "0123456789") != len)
		goto bad;
	memcpy(num, p->tok.text, len);
	num[len] = '\0';
	n = strtonum(num, 1, CF_SEGMENT_MAX / unit, &errstr);
	if (errstr != NULL || n * unit < CF_SEGMENT_MIN)
		goto bad;
	cfg->billing_segment_size = (uint64_t)(n * unit);
	return (0);
bad:
	return (cf_error(p, p->tok.line, "expected a size from 64K to 64G "
	    "(a number with K, M or G) after 'billing-segment-size', got %s",
	    cf_got(&p->tok, got, sizeof(got))));
}

static int
d_log_format(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	char			 got[64];

	if (cf_arg(p, "text or json") == -1)
		return (-1);
	if (strcmp(p->tok.text, "text") == 0)
		cfg->log_format = PW_LOG_TEXT;
	else if (strcmp(p->tok.text, "json") == 0)
		cfg->log_format = PW_LOG_JSON;
	else
		return (cf_error(p, p->tok.line, "expected text or json after "
		    "'log-format', got %s", cf_got(&p->tok, got, sizeof(got))));
	return (0);
}

static int
d_key_required(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	char			 got[64];

	if (cf_arg(p, "yes or no") == -1)
		return (-1);
	if (strcmp(p->tok.text, "yes") == 0)
		cfg->launcher_key_required = 1;
	else if (strcmp(p->tok.text, "no") == 0)
		cfg->launcher_key_required = 0;
	else
		return (cf_error(p, p->tok.line, "expected yes or no after "
		    "'launcher-key-required', got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	return (0);
}

/* Currency codes are kept lowercase, as launch tokens carry them. */
static int
currency_code(struct cf_parser *p, char *dst, size_t size)
{
	char	 got[64];
	size_t	 i;

	for (i = 0; i < p->tok.len; i++)
		if (!isalpha((unsigned char)p->tok.text[i]))
			break;
	if (p->tok.len == 0 || i < p->tok.len || p->tok.len >= size)
		return (cf_error(p, p->tok.line, "expected a currency code of "
		    "1 to %zu letters after 'currency-truncation', got %s",
		    size - 1, cf_got(&p->tok, got, sizeof(got))));
	for (i = 0; i <= p->tok.len; i++)
		dst[i] = (char)tolower((unsigned char)p->tok.text[i]);
	return (0);
}

static int
d_currency(struct cf_parser *p, void *obj)
{
	struct pw_config	*cfg = obj;
	struct pw_currency	*c;
	int			 i;

	if (cf_arg(p, "a currency code") == -1)
		return (-1);
	if (cfg->ncurrencies == PW_MAX_CURRENCIES)
		return (cf_error(p, p->tok.line, "too many currencies, "
		    "expected at most %d", PW_MAX_CURRENCIES));
	c = &cfg->currencies[cfg->ncurrencies];
	if (currency_code(p, c->code, sizeof(c->code)) == -1)
		return (-1);
	for (i = 0; i < cfg->ncurrencies; i++)
		if (strcmp(cfg->currencies[i].code, c->code) == 0)
			return (cf_error(p, p->tok.line, "currency '%s' is "
			    "given twice", c->code));
	if (cf_number(p, 1, CF_TRUNCATION_MAX, &c->truncation) == -1)
		return (-1);
	cfg->ncurrencies++;
	return (0);
}

/* A token where a global directive should be. */
static int
global_directive(struct cf_parser *p, int *seen)
{
	const struct cf_directive	*d;
	const char			*block;
	char				 got[64];

	p->stmt_start = p->tok_start;
	if (p->tok.type == TOK_RBRACE)
		return (cf_error(p, p->tok.line, "'}' without an open block"));
	if (p->tok.type != TOK_WORD)
		return (cf_error(p, p->tok.line, "expected a directive, got %s",
		    cf_got(&p->tok, got, sizeof(got))));
	d = cf_find(globals, CF_NITEMS(globals), p->tok.text);
	if (d != NULL)
		return (cf_apply(p, d, p->cfg, &seen[d - globals]));
	if ((block = cf_block_of(p->tok.text)) != NULL)
		return (cf_error(p, p->tok.line, "'%s' is only valid inside "
		    "a %s block", p->tok.text, block));
	return (cf_error(p, p->tok.line, "unknown directive %s",
	    cf_got(&p->tok, got, sizeof(got))));
}

/*
 * No secret has a built-in value: a file that leaves one out must not
 * start on a default anyone can read in the source.
 */
static int
secrets_set(struct cf_parser *p)
{
	const struct pw_config	*cfg = p->cfg;
	int			 i;

	if (cfg->launcher_secret[0] == '\0')
		return (cf_error(p, p->last_line, "launcher-secret is not set: "
		    "expected the HMAC key of launcher requests"));
	if (cfg->launch_secret[0] == '\0')
		return (cf_error(p, p->last_line, "launch-secret is not set: "
		    "expected the HS256 key of launch tokens"));
	for (i = 0; i < cfg->ngames; i++)
		if (cfg->games[i].hmac_secret[0] == '\0')
			return (cf_error(p, p->last_line, "game '%s' has no "
			    "hmac-secret: expected its real-play HMAC key",
			    cfg->games[i].id));
	return (0);
}

/* A trusted proxy inside a cafe's network would let a PC name a cafe. */
static int
proxies_apart(struct cf_parser *p)
{
	const struct pw_config	*cfg = p->cfg;
	int			 i, j, k;

	for (i = 0; i < cfg->nproxies; i++)
		for (j = 0; j < cfg->ncafes; j++)
			for (k = 0; k < cfg->cafes[j].nnets; k++)
				if (pw_net_overlap(&cfg->proxies[i],
				    &cfg->cafes[j].nets[k]))
					return (cf_error(p, p->last_line,
					    "a trusted-proxy network overlaps "
					    "a network of cafe '%s': expected "
					    "proxies outside every cafe",
					    cfg->cafes[j].id));
	return (0);
}

/*
 * Every start that passes its quota may take PW_SLOTS_PER_START slots;
 * all quotas spent together must leave three quarters of the store to
 * the sessions they start, so no flood of starts fills it.
 */
static int
quotas_fit(struct cf_parser *p)
{
	struct pw_config	*cfg = p->cfg;
	uint64_t		 sum;
	int			 i;

	sum = (uint64_t)cfg->home_start_total;
	for (i = 0; i < cfg->ncafes; i++) {
		if (cfg->cafes[i].start_quota < 0)
			cfg->cafes[i].start_quota = cfg->cafe_start_quota;
		sum += (uint64_t)cfg->cafes[i].start_quota;
	}
	if (sum * (uint64_t)PW_SLOTS_PER_START(cfg) > cfg->store_slots / 4)
		return (cf_error(p, p->last_line, "start quotas too large for "
		    "the store: %llu slots a start x (cafe quotas %llu + "
		    "home-start-total %lld) = %llu slots, expected at most "
		    "store-slots / 4 = %llu; lower cafe-start-quota or "
		    "home-start-total, or raise store-slots",
		    (unsigned long long)PW_SLOTS_PER_START(cfg),
		    (unsigned long long)(sum - (uint64_t)cfg->home_start_total),
		    (long long)cfg->home_start_total, (unsigned long long)(sum *
		    (uint64_t)PW_SLOTS_PER_START(cfg)),
		    (unsigned long long)(cfg->store_slots / 4)));
	return (0);
}

/*
 * Each api-key's SipHash under a key of this configuration's own: a
 * request's X-Api-Key is hashed once and compared as a word with each,
 * in time that tells nothing of any key, its length included.
 */
static void
key_digests(struct pw_config *cfg)
{
	struct pw_game	*g;
	int		 i, k;

	arc4random_buf(cfg->key_salt, sizeof(cfg->key_salt));
	for (i = 0; i < cfg->ngames; i++)
		for (g = &cfg->games[i], k = 0; k < g->napi_keys; k++)
			g->api_key_h[k] = pw_config_key_hash(cfg,
			    g->api_keys[k], strlen(g->api_keys[k]));
}

/* Checks that need the whole file. */
static int
finish(struct cf_parser *p)
{
	struct pw_config	*cfg = p->cfg;
	int			 i;

	key_digests(cfg);
	if (proxies_apart(p) == -1 || quotas_fit(p) == -1)
		return (-1);

	for (i = 0; !p->listen_given && i < cfg->nmetrics_listen; i++)
		if (same_listen(&cfg->metrics_listen[i], &cfg->listen[0]))
			return (cf_error(p, p->last_line, "metrics-listen %s "
			    "is the default listen address: expected a "
			    "'listen' directive with another address",
			    cfg->metrics_listen[i].text));
	if (secrets_set(p) == -1 || cf_games_json(p) == -1)
		return (-1);
	return (0);
}

/* file: the text is a file's, where published keys are refused too. */
static int
parse(struct pw_config *cfg, const char *text, size_t len, const char *fname,
    int file, int all, int *nerrors, char *err, size_t errlen)
{
	struct cf_parser	 p;
	int			 seen[CF_NITEMS(globals)];

	pw_config_defaults(cfg);
	memset(&p, 0, sizeof(p));
	memset(seen, 0, sizeof(seen));
	if (text == NULL) {
		text = "";
		len = 0;
	}
	p.cur = text;
	p.end = text + len;
	p.line = 1;
	p.last_line = 1;
	p.fname = fname;
	p.file = file;
	p.err = err;
	p.errlen = errlen;
	p.cfg = cfg;
	p.globals = globals;
	p.nglobals = CF_NITEMS(globals);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	p.all = all;
	for (;;) {
		if (cf_lex(&p) == -1) {
			if (!CF_GO_ON(&p))
				return (-1);
			continue;
		}
		if (p.tok.type == TOK_EOF)
			break;
		if (global_directive(&p, seen) == -1 && !CF_GO_ON(&p))
			return (-1);
	}
	if (finish(&p) == -1 || p.nerrors > 0) {
		if (nerrors != NULL)
			*nerrors = p.nerrors;
		return (-1);
	}
	return (0);
}

int
pw_config_parse(struct pw_config *cfg, const char *text, size_t len,
    const char *fname, char *err, size_t errlen)
{
	return (parse(cfg, text, len, fname, 0, 0, NULL, err, errlen));
}

int
pw_config_parse_all(struct pw_config *cfg, const char *text, size_t len,
    const char *fname, int *nerrors, char *err, size_t errlen)
{
	return (parse(cfg, text, len, fname, 0, 1, nerrors, err, errlen));
}

/* Read at most max bytes; more than that is reported as *len > max. */
static int
read_bounded(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t	 n;

	*len = 0;
	while (*len <= max) {
		n = read(fd, buf + *len, max + 1 - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return (0);
}

int
pw_config_load(struct pw_config *cfg, const char *path, char *err,
    size_t errlen)
{
	return (pw_config_check(cfg, path, 0, NULL, err, errlen));
}

int
pw_config_check(struct pw_config *cfg, const char *path, int all,
    int *nerrors, char *err, size_t errlen)
{
	char	*buf;
	size_t	 len;
	int	 fd, rc, saved;

	if (strlen(path) >= sizeof(cfg->path)) {
		(void)snprintf(err, errlen, "%s: file name too long", path);
		return (-1);
	}
	if ((buf = malloc(CF_FILE_MAX + 1)) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    read_bounded(fd, buf, CF_FILE_MAX, &len) == -1) {
		saved = errno;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(saved));
		if (fd != -1)
			(void)close(fd);
		free(buf);
		return (-1);
	}
	(void)close(fd);
	if (len > CF_FILE_MAX) {
		(void)snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CF_FILE_MAX);
		free(buf);
		return (-1);
	}
	rc = parse(cfg, buf, len, path, 1, all, nerrors, err, errlen);
	free(buf);
	if (rc == 0)
		(void)strlcpy(cfg->path, path, sizeof(cfg->path));
	return (rc);
}
