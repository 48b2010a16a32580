/*
 * Unit tests: playwaved.conf(5) parsing, defaults, errors and lookups.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_config.h"
#include "check_run.h"

/* The example of the system description, exactly as written there. */
static const char sample_conf[] =
"# comments start with '#'; strings may be \"quoted\"\n"
"listen            127.0.0.1:8080        # may repeat\n"
"workers           2                     # default: number of CPUs\n"
"store             /var/db/playwave/store\n"
"store-slots       1048576\n"
"billing-log       /var/db/playwave/billing.log\n"
"billing-fsync     interval              # always | interval (1 s)\n"
"ott-ttl           60\n"
"session-timeout   240                   # no heartbeat for this long: EXPIRED\n"
"heartbeat-interval 120                  # next_heartbeat_in\n"
"charge-grace      120                   # CHARGE_EXHAUSTED grace before NO_BALANCE\n"
"billing-unit      60                    # seconds in a billed minute (tests: a few)\n"
"launcher-timeout  240\n"
"max-body          8192\n"
"rate-limit        0                     # requests/s per API key; 0 = off\n"
"launcher-secret   \"change-me-launcher\"  # HMAC key of launcher requests\n"
"launch-secret     \"change-me-jwt\"       # HS256 key of real-play launch tokens\n"
"trusted-proxy     10.0.0.0/8            # may repeat; X-Forwarded-For honoured from these\n"
"user              _playwave             # when started as root: drop to it after bind;\n"
"                                        # as root with no user: a warning, stays root\n"
"pidfile           /var/run/playwaved.pid  # written only when daemonized (not with -d)\n"
"currency-truncation vnd 1000            # may repeat; balanceInfo.currencyTruncation\n"
"\n"
"game fantasyquest {\n"
"    name          \"Fantasy Quest\"\n"
"    api-key       \"change-me-fq\"        # may repeat: old and new key during a rotation\n"
"    price         10                    # G-coin per started minute at a PC cafe\n"
"    provider      gameprovider\n"
"    hmac-secret   \"change-me-hmac\"\n"
"    min-bet 1  max-bet 500  default-bet 10  max-exposure 100000\n"
"    lobby-url     \"https://operator.example/lobby\"\n"
"    deposit-url   \"https://operator.example/deposit\"\n"
"    # offer lines for freeGameInfo: syntax is yours to define and document\n"
"}\n"
"\n"
"cafe seoul-01 {\n"
"    network       203.0.113.0/24        # may repeat; launcher requests from here are this cafe\n"
"}\n";

static struct pw_config *
new_config(void)
{
	struct pw_config	*cfg;

	cfg = calloc(1, sizeof(*cfg));
	ck_assert_ptr_nonnull(cfg);
	return (cfg);
}

/* Secrets a snippet does not set itself are added at its end. */
static struct pw_config *
parse_ok(const char *text)
{
	struct pw_config	*cfg = new_config();
	char			 err[512], *full;

	err[0] = '\0';
	if (asprintf(&full, "%s\n%s%s", text, strstr(text, "launcher-secret") ?
	    "" : "launcher-secret unit-l\n", strstr(text, "launch-secret") ?
	    "" : "launch-secret unit-j\n") == -1)
		ck_abort_msg("asprintf");
	if (pw_config_parse(cfg, full, strlen(full), "test.conf", err,
	    sizeof(err)) != 0)
		ck_abort_msg("parse failed: %s", err);
	free(full);
	ck_assert_str_eq(err, "");
	return (cfg);
}

static void
sockaddr4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in	 sin;

	memset(ss, 0, sizeof(*ss));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	memcpy(ss, &sin, sizeof(sin));
}

static void
sockaddr6(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in6	 sin6;

	memset(ss, 0, sizeof(*ss));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	memcpy(ss, &sin6, sizeof(sin6));
}

static int
net_has(const struct pw_net *n, const char *addr)
{
	struct sockaddr_storage	 ss;

	if (strchr(addr, ':') != NULL)
		sockaddr6(&ss, addr);
	else
		sockaddr4(&ss, addr);
	return (pw_net_contains(n, (struct sockaddr *)&ss));
}

static int
listen_port(const struct pw_listen *l)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (l->ss.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)&l->ss;
		return (ntohs(sin->sin_port));
	}
	sin6 = (const struct sockaddr_in6 *)(const void *)&l->ss;
	return (ntohs(sin6->sin6_port));
}

START_TEST(test_sample)
{
	struct pw_config	*cfg = parse_ok(sample_conf);
	const struct pw_game	*g;
	const struct pw_cafe	*c;

	ck_assert_int_eq(cfg->nlisten, 1);
	ck_assert_str_eq(cfg->listen[0].text, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->listen[0].ss.ss_family, AF_INET);
	ck_assert_int_eq(listen_port(&cfg->listen[0]), 8080);
	ck_assert_int_eq(cfg->nmetrics_listen, 0);
	ck_assert_int_eq(cfg->workers, 2);
	ck_assert_str_eq(cfg->store, "/var/db/playwave/store");
	ck_assert_uint_eq(cfg->store_slots, 1048576);
	ck_assert_str_eq(cfg->billing_log, "/var/db/playwave/billing.log");
	ck_assert_int_eq(cfg->billing_fsync, PW_FSYNC_INTERVAL);
	ck_assert_int_eq(cfg->ott_ttl, 60);
	ck_assert_int_eq(cfg->session_timeout, 240);
	ck_assert_int_eq(cfg->heartbeat_interval, 120);
	ck_assert_int_eq(cfg->charge_grace, 120);
	ck_assert_int_eq(cfg->billing_unit, 60);
	ck_assert_int_eq(cfg->launcher_timeout, 240);
	ck_assert_int_eq(cfg->max_body, 8192);
	ck_assert_int_eq(cfg->rate_limit, 0);
	ck_assert_str_eq(cfg->launcher_secret, "change-me-launcher");
	ck_assert_str_eq(cfg->launch_secret, "change-me-jwt");
	ck_assert_int_eq(cfg->nproxies, 1);
	ck_assert_int_eq(cfg->proxies[0].af, AF_INET);
	ck_assert_int_eq(cfg->proxies[0].prefix, 8);
	ck_assert_int_eq(cfg->proxies[0].addr[0], 10);
	ck_assert_str_eq(cfg->user, "_playwave");
	ck_assert_str_eq(cfg->pidfile, "/var/run/playwaved.pid");
	ck_assert_int_eq(cfg->ncurrencies, 1);
	ck_assert_str_eq(cfg->currencies[0].code, "vnd");
	ck_assert_int_eq(cfg->currencies[0].truncation, 1000);

	ck_assert_int_eq(cfg->ngames, 1);
	g = pw_config_game(cfg, "fantasyquest");
	ck_assert_ptr_eq(g, &cfg->games[0]);
	ck_assert_str_eq(g->name, "Fantasy Quest");
	ck_assert_int_eq(g->napi_keys, 1);
	ck_assert_str_eq(g->api_keys[0], "change-me-fq");
	ck_assert_int_eq(g->price, 10);
	ck_assert_str_eq(g->provider, "gameprovider");
	ck_assert_str_eq(g->hmac_secret, "change-me-hmac");
	ck_assert_int_eq(g->min_bet, 1);
	ck_assert_int_eq(g->max_bet, 500);
	ck_assert_int_eq(g->default_bet, 10);
	ck_assert_int_eq(g->max_exposure, 100000);
	ck_assert_str_eq(g->lobby_url, "https://operator.example/lobby");
	ck_assert_str_eq(g->deposit_url, "https://operator.example/deposit");
	ck_assert_int_eq(g->noffers, 0);
	ck_assert_uint_eq(g->hash, 0xd7fa8372u);

	ck_assert_int_eq(cfg->ncafes, 1);
	c = pw_config_cafe(cfg, "seoul-01");
	ck_assert_ptr_eq(c, &cfg->cafes[0]);
	ck_assert_int_eq(c->nnets, 1);
	ck_assert_int_eq(c->nets[0].prefix, 24);
	ck_assert_uint_eq(c->hash, 0x721edd8fu);
	ck_assert_ptr_eq(pw_config_cafe_by_hash(cfg, 0x721edd8fu), c);
	ck_assert_ptr_eq(pw_config_game_by_hash(cfg, 0xd7fa8372u), g);
	ck_assert_ptr_null(pw_config_game_by_hash(cfg, 0x721edd8fu));
	ck_assert_ptr_null(pw_config_game(cfg, "seoul-01"));
	free(cfg);
}
END_TEST

static void
check_defaults(const struct pw_config *cfg)
{
	long	 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	ck_assert_int_eq(cfg->nlisten, 1);
	ck_assert_str_eq(cfg->listen[0].text, "127.0.0.1:8080");
	ck_assert_int_eq(listen_port(&cfg->listen[0]), 8080);
	ck_assert_int_eq(cfg->nmetrics_listen, 0);
	ck_assert_int_eq(cfg->workers, ncpu < 1 ? 1 : ncpu > 64 ? 64 : ncpu);
	ck_assert_int_eq(cfg->shard, 0);
	ck_assert_str_eq(cfg->store, "/var/db/playwave/store");
	ck_assert_uint_eq(cfg->store_slots, 1048576);
	ck_assert_str_eq(cfg->billing_log, "/var/db/playwave/billing.log");
	ck_assert_int_eq(cfg->billing_fsync, PW_FSYNC_INTERVAL);
	ck_assert_str_eq(cfg->access_log, "");
	ck_assert_str_eq(cfg->log_file, "");
	ck_assert_str_eq(cfg->user, "");
	ck_assert_str_eq(cfg->pidfile, "/var/run/playwaved.pid");
	ck_assert_int_eq(cfg->ott_ttl, 60);
	ck_assert_int_eq(cfg->session_timeout, 240);
	ck_assert_int_eq(cfg->heartbeat_interval, 120);
	ck_assert_int_eq(cfg->charge_grace, 120);
	ck_assert_int_eq(cfg->billing_unit, 60);
	ck_assert_int_eq(cfg->launcher_timeout, 240);
	ck_assert_int_eq(cfg->max_body, 8192);
	ck_assert_int_eq(cfg->max_header, 8192);
	ck_assert_int_eq(cfg->header_timeout, 10);
	ck_assert_int_eq(cfg->body_timeout, 10);
	ck_assert_int_eq(cfg->idle_timeout, 60);
	ck_assert_int_eq(cfg->max_connections, 4096);
	ck_assert_int_eq(cfg->rate_limit, 0);
	ck_assert_str_eq(cfg->launcher_secret, "");
	ck_assert_str_eq(cfg->launch_secret, "");
	ck_assert_int_eq(cfg->ott_per_launcher, 4);
	ck_assert_int_eq(cfg->max_token_lifetime, 3600);
	ck_assert_int_eq(cfg->nproxies, 0);
	ck_assert_int_eq(cfg->ncurrencies, 0);
	ck_assert_int_eq(cfg->ngames, 0);
	ck_assert_int_eq(cfg->ncafes, 0);
	ck_assert_str_eq(cfg->path, "");
}

START_TEST(test_defaults)
{
	struct pw_config	*cfg = new_config();
	char			 err[256];

	memset(cfg, 0xa5, sizeof(*cfg));
	pw_config_defaults(cfg);
	check_defaults(cfg);
	free(cfg);

	/* A file of comments alone has no secrets: refused, naming one. */
	cfg = new_config();
	ck_assert_int_eq(pw_config_parse(cfg, "# nothing\n", 10, "t", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t:1: launcher-secret is not set: expected the "
	    "HMAC key of launcher requests");
	free(cfg);
}
END_TEST

/* Every global directive set away from its default. */
START_TEST(test_all_globals)
{
	struct pw_config	*cfg = parse_ok(
	    "listen 127.0.0.1:9000\nlisten [::1]:9001\n"
	    "metrics-listen *:9100\nworkers 7\nshard 13\nstore /s\nstore-slots 1024\n"
	    "billing-log /b\nbilling-fsync always\naccess-log /a\n"
	    "log-file /l\nuser nobody\npidfile /p\nott-ttl 11\n"
	    "session-timeout 12\nheartbeat-interval 13\ncharge-grace 14\n"
	    "billing-unit 15\nlauncher-timeout 16\nmax-body 64\n"
	    "max-header 1024\nheader-timeout 17\nbody-timeout 18\n"
	    "idle-timeout 19\nmax-connections 20\nrate-limit 21\n"
	    "launcher-secret L\nlaunch-secret J\n"
	    "trusted-proxy 192.0.2.1\ntrusted-proxy 2001:db8::/32\n"
	    "currency-truncation KRW 10\ncurrency-truncation usd 1\n");

	ck_assert_int_eq(cfg->nlisten, 2);
	ck_assert_str_eq(cfg->listen[0].text, "127.0.0.1:9000");
	ck_assert_str_eq(cfg->listen[1].text, "[::1]:9001");
	ck_assert_int_eq(cfg->listen[1].ss.ss_family, AF_INET6);
	ck_assert_int_eq(listen_port(&cfg->listen[1]), 9001);
	ck_assert_int_eq(cfg->nmetrics_listen, 1);
	ck_assert_int_eq(listen_port(&cfg->metrics_listen[0]), 9100);
	ck_assert_int_eq(cfg->workers, 7);
	ck_assert_int_eq(cfg->shard, 13);
	ck_assert_str_eq(cfg->store, "/s");
	ck_assert_uint_eq(cfg->store_slots, 1024);
	ck_assert_str_eq(cfg->billing_log, "/b");
	ck_assert_int_eq(cfg->billing_fsync, PW_FSYNC_ALWAYS);
	ck_assert_str_eq(cfg->access_log, "/a");
	ck_assert_str_eq(cfg->log_file, "/l");
	ck_assert_str_eq(cfg->user, "nobody");
	ck_assert_str_eq(cfg->pidfile, "/p");
	ck_assert_int_eq(cfg->ott_ttl, 11);
	ck_assert_int_eq(cfg->session_timeout, 12);
	ck_assert_int_eq(cfg->heartbeat_interval, 13);
	ck_assert_int_eq(cfg->charge_grace, 14);
	ck_assert_int_eq(cfg->billing_unit, 15);
	ck_assert_int_eq(cfg->launcher_timeout, 16);
	ck_assert_int_eq(cfg->max_body, 64);
	ck_assert_int_eq(cfg->max_header, 1024);
	ck_assert_int_eq(cfg->header_timeout, 17);
	ck_assert_int_eq(cfg->body_timeout, 18);
	ck_assert_int_eq(cfg->idle_timeout, 19);
	ck_assert_int_eq(cfg->max_connections, 20);
	ck_assert_int_eq(cfg->rate_limit, 21);
	ck_assert_str_eq(cfg->launcher_secret, "L");
	ck_assert_str_eq(cfg->launch_secret, "J");
	ck_assert_int_eq(cfg->nproxies, 2);
	ck_assert_int_eq(cfg->proxies[0].prefix, 32);
	ck_assert_int_eq(cfg->proxies[1].af, AF_INET6);
	ck_assert_int_eq(cfg->proxies[1].prefix, 32);
	ck_assert_int_eq(cfg->ncurrencies, 2);
	ck_assert_str_eq(cfg->currencies[0].code, "krw");
	ck_assert_int_eq(cfg->currencies[0].truncation, 10);
	free(cfg);
}
END_TEST

START_TEST(test_embedded)
{
	struct pw_config	*cfg = new_config();
	const struct pw_game	*g;
	const struct pw_cafe	*c;
	struct sockaddr_storage	 ss;
	char			 err[512];

	ck_assert_int_eq(pw_config_parse(cfg, pw_config_embedded,
	    strlen(pw_config_embedded), "(embedded)", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg->nlisten, 1);
	ck_assert_str_eq(cfg->listen[0].text, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->workers, 2);
	ck_assert_str_eq(cfg->store, "playwave-state/store");
	ck_assert_str_eq(cfg->billing_log, "playwave-state/billing.log");
	ck_assert_str_eq(cfg->pidfile, "playwave-state/playwaved.pid");
	ck_assert_uint_eq(cfg->store_slots, 65536);
	ck_assert_str_eq(cfg->launcher_secret, "dev-launcher-secret");
	ck_assert_str_eq(cfg->launch_secret, "dev-launch-secret");
	ck_assert_int_eq(pw_config_truncation(cfg, "vnd"), 1000);

	ck_assert_int_eq(cfg->ngames, 1);
	g = pw_config_game_by_key(cfg, "dev-game-key", 12);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g->id, "devgame");
	ck_assert_uint_eq(g->hash, 0x7756bbb7u);
	ck_assert_str_eq(g->name, "Dev Game");
	ck_assert_int_eq(g->price, 10);
	ck_assert_str_eq(g->provider, "devprovider");
	ck_assert_str_eq(g->hmac_secret, "dev-hmac-secret");
	ck_assert_int_eq(g->min_bet, 1);
	ck_assert_int_eq(g->max_bet, 500);
	ck_assert_int_eq(g->default_bet, 10);
	ck_assert_int_eq(g->max_exposure, 100000);
	ck_assert_int_eq(strncmp(g->lobby_url, "https://operator.example/",
	    25), 0);
	ck_assert_int_eq(strncmp(g->deposit_url, "https://operator.example/",
	    25), 0);
	ck_assert_int_eq(g->noffers, 1);

	c = pw_config_cafe(cfg, "dev-cafe");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->hash, 0x83d631deu);
	ck_assert_int_eq(c->nnets, 2);
	sockaddr4(&ss, "127.0.0.1");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (struct sockaddr *)&ss),
	    c);
	sockaddr6(&ss, "::1");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (struct sockaddr *)&ss),
	    c);
	sockaddr4(&ss, "192.0.2.1");
	ck_assert_ptr_null(pw_config_cafe_for_addr(cfg,
	    (struct sockaddr *)&ss));
	free(cfg);
}
END_TEST

START_TEST(test_one_line)
{
	struct pw_config	*cfg;
	const struct pw_game	*g;

	cfg = parse_ok("workers 3 ott-ttl 5 billing-unit 2 "
	    "game g1 { api-key k1 hmac-secret h name \"G One\" min-bet 2 "
	    "max-bet 9 "
	    "default-bet 3 } cafe c1{network 192.0.2.0/24}idle-timeout 7");
	ck_assert_int_eq(cfg->workers, 3);
	ck_assert_int_eq(cfg->ott_ttl, 5);
	ck_assert_int_eq(cfg->billing_unit, 2);
	g = pw_config_game(cfg, "g1");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g->name, "G One");
	ck_assert_int_eq(g->min_bet, 2);
	ck_assert_int_eq(g->max_bet, 9);
	ck_assert_int_eq(g->default_bet, 3);
	ck_assert_ptr_nonnull(pw_config_cafe(cfg, "c1"));
	ck_assert_int_eq(cfg->idle_timeout, 7);
	free(cfg);
}
END_TEST

/* Words are split by white space and braces only. */
START_TEST(test_one_line_word)
{
	struct pw_config	*cfg = new_config();
	char			 err[512];
	const char		*text = "workers 3 ott-ttl2 7";

	ck_assert_int_eq(pw_config_parse(cfg, text, strlen(text), "t", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t:1: unknown directive 'ott-ttl2'");
	free(cfg);
}
END_TEST

START_TEST(test_quoted)
{
	struct pw_config	*cfg;
	const struct pw_game	*g;

	cfg = parse_ok("game q {\n"
	    "  name \"A \\\"quoted\\\" #1 \\\\ name\" # a comment \"x\n"
	    "  api-key \"key # not a comment\"\n"
	    "  provider\"glued\"hmac-secret \"{}\"\n"
	    "}\n"
	    "store \"/var/db/with space/store\"#comment\n"
	    "user \"\xea\xb9\x80\"\n");
	g = pw_config_game(cfg, "q");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g->name, "A \"quoted\" #1 \\ name");
	ck_assert_str_eq(g->api_keys[0], "key # not a comment");
	ck_assert_str_eq(g->provider, "glued");
	ck_assert_str_eq(g->hmac_secret, "{}");
	ck_assert_str_eq(cfg->store, "/var/db/with space/store");
	ck_assert_str_eq(cfg->user, "\xea\xb9\x80");
	/* Quoted or bare, a number is a number; CRLF is white space. */
	free(cfg);
	cfg = parse_ok("workers \"5\"\r\nott-ttl 9\r\n");
	ck_assert_int_eq(cfg->workers, 5);
	ck_assert_int_eq(cfg->ott_ttl, 9);
	free(cfg);
}
END_TEST

START_TEST(test_net_v4)
{
	struct pw_net	 n;

	ck_assert_int_eq(pw_net_parse(&n, "203.0.113.0/24"), 0);
	ck_assert_int_eq(n.af, AF_INET);
	ck_assert_int_eq(n.prefix, 24);
	ck_assert_int_eq(n.addr[0], 203);
	ck_assert_int_eq(n.addr[2], 113);
	ck_assert(net_has(&n, "203.0.113.0"));
	ck_assert(net_has(&n, "203.0.113.255"));
	ck_assert(!net_has(&n, "203.0.114.0"));
	ck_assert(!net_has(&n, "203.0.112.255"));
	ck_assert(!net_has(&n, "2001:db8::1"));

	/* Host bits are masked; no prefix is a host route. */
	ck_assert_int_eq(pw_net_parse(&n, "10.1.2.3/8"), 0);
	ck_assert_int_eq(n.addr[1], 0);
	ck_assert_int_eq(n.addr[3], 0);
	ck_assert(net_has(&n, "10.255.0.1"));
	ck_assert_int_eq(pw_net_parse(&n, "192.0.2.7"), 0);
	ck_assert_int_eq(n.prefix, 32);
	ck_assert(net_has(&n, "192.0.2.7"));
	ck_assert(!net_has(&n, "192.0.2.6"));
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/12"), 0);
	ck_assert(net_has(&n, "10.15.255.255"));
	ck_assert(!net_has(&n, "10.16.0.0"));
	ck_assert_int_eq(pw_net_parse(&n, "0.0.0.0/0"), 0);
	ck_assert(net_has(&n, "198.51.100.1"));

	/* An IPv4 client seen on an IPv6 socket is still IPv4. */
	ck_assert_int_eq(pw_net_parse(&n, "203.0.113.0/24"), 0);
	ck_assert(net_has(&n, "::ffff:203.0.113.9"));
	ck_assert(!net_has(&n, "::ffff:203.0.114.9"));
	ck_assert(!net_has(&n, "::203.0.113.9"));

	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/33"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/-1"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/+8"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0.0/8x"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "256.0.0.0/8"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "10.0.0/8"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "/8"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "example.com"), -1);
	ck_assert_int_eq(pw_net_parse(&n, ""), -1);
}
END_TEST

START_TEST(test_net_v6)
{
	struct pw_net	 n;

	ck_assert_int_eq(pw_net_parse(&n, "2001:db8::/32"), 0);
	ck_assert_int_eq(n.af, AF_INET6);
	ck_assert_int_eq(n.prefix, 32);
	ck_assert(net_has(&n, "2001:db8::1"));
	ck_assert(net_has(&n, "2001:db8:ffff::1"));
	ck_assert(!net_has(&n, "2001:db9::1"));
	ck_assert(!net_has(&n, "32.1.13.184"));

	ck_assert_int_eq(pw_net_parse(&n, "::1"), 0);
	ck_assert_int_eq(n.prefix, 128);
	ck_assert(net_has(&n, "::1"));
	ck_assert(!net_has(&n, "::2"));
	ck_assert(!net_has(&n, "127.0.0.1"));

	ck_assert_int_eq(pw_net_parse(&n, "2001:db8:abcd:12ff::/55"), 0);
	ck_assert_int_eq(n.addr[6], 0x12);
	ck_assert_int_eq(n.addr[7], 0x00);
	ck_assert(net_has(&n, "2001:db8:abcd:1301::"));
	ck_assert(!net_has(&n, "2001:db8:abcd:1401::"));

	/* A v4-mapped network is kept as the IPv4 one it stands for. */
	ck_assert_int_eq(pw_net_parse(&n, "::ffff:10.0.0.0/104"), 0);
	ck_assert_int_eq(n.af, AF_INET);
	ck_assert_int_eq(n.prefix, 8);
	ck_assert(net_has(&n, "10.9.9.9"));
	ck_assert(net_has(&n, "::ffff:10.9.9.9"));

	ck_assert_int_eq(pw_net_parse(&n, "2001:db8::/129"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "2001:db8:::/32"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "fe80::1%eth0"), -1);
	ck_assert_int_eq(pw_net_parse(&n, "[::1]"), -1);
}
END_TEST

START_TEST(test_listen)
{
	struct pw_listen		 l;
	struct sockaddr_in		 sin;
	struct sockaddr_in6		 sin6;

	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1:8080"), 0);
	ck_assert_int_eq(l.sslen, sizeof(struct sockaddr_in));
	memcpy(&sin, &l.ss, sizeof(sin));
	ck_assert_int_eq(sin.sin_family, AF_INET);
	ck_assert_int_eq(ntohs(sin.sin_port), 8080);
	ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), 0x7f000001u);
	ck_assert_str_eq(l.text, "127.0.0.1:8080");

	ck_assert_int_eq(pw_listen_parse(&l, "*:80"), 0);
	memcpy(&sin, &l.ss, sizeof(sin));
	ck_assert_int_eq(sin.sin_family, AF_INET);
	ck_assert_uint_eq(sin.sin_addr.s_addr, htonl(INADDR_ANY));
	ck_assert_int_eq(ntohs(sin.sin_port), 80);

	ck_assert_int_eq(pw_listen_parse(&l, "[::1]:65535"), 0);
	ck_assert_int_eq(l.sslen, sizeof(struct sockaddr_in6));
	memcpy(&sin6, &l.ss, sizeof(sin6));
	ck_assert_int_eq(sin6.sin6_family, AF_INET6);
	ck_assert_int_eq(ntohs(sin6.sin6_port), 65535);
	ck_assert(memcmp(&sin6.sin6_addr, &in6addr_loopback,
	    sizeof(in6addr_loopback)) == 0);
	ck_assert_int_eq(pw_listen_parse(&l, "[::]:8080"), 0);
	memcpy(&sin6, &l.ss, sizeof(sin6));
	ck_assert(memcmp(&sin6.sin6_addr, &in6addr_any,
	    sizeof(in6addr_any)) == 0);

	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1:0"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1:65536"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1:+80"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1:"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "127.0.0.1"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, ":8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "localhost:8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "::1:8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "[::1]8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "[127.0.0.1]:8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l, "[*]:8080"), -1);
	ck_assert_int_eq(pw_listen_parse(&l,
	    "[0000:0000:0000:0000:0000:0000:0000:0001]:8080000000000000000000"),
	    -1);
}
END_TEST

START_TEST(test_api_keys)
{
	struct pw_config	*cfg = parse_ok(
	    "game a { api-key \"old-key-a\" api-key \"new-key-a\" "
	    "hmac-secret h }\n"
	    "game b { api-key \"key-b\" hmac-secret h }\n");
	const struct pw_game	*a, *b;

	a = pw_config_game(cfg, "a");
	b = pw_config_game(cfg, "b");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->napi_keys, 2);
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "old-key-a", 9), a);
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "new-key-a", 9), a);
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "key-b", 5), b);
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-c", 5));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-b", 4));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-bb", 6));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "new-key-A", 9));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "", 0));
	/* The length counts, not a NUL. */
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "key-bXYZ", 5), b);
	free(cfg);
}
END_TEST

START_TEST(test_truncation)
{
	struct pw_config	*cfg = parse_ok(
	    "currency-truncation VND 1000\ncurrency-truncation krw 10\n");

	ck_assert_int_eq(pw_config_truncation(cfg, "vnd"), 1000);
	ck_assert_int_eq(pw_config_truncation(cfg, "krw"), 10);
	ck_assert_int_eq(pw_config_truncation(cfg, "usd"), 1);
	ck_assert_int_eq(pw_config_truncation(cfg, ""), 1);
	free(cfg);
}
END_TEST

START_TEST(test_offers)
{
	struct pw_config	*cfg = parse_ok(
	    "game g {\n"
	    "  api-key k hmac-secret h\n"
	    "  offer 12345 678 \"Spring spins\" awarded 20 remaining 5\n"
	    "      cost-per-bet 100 rejectable yes\n"
	    "      start 2025-05-23T11:54:37Z end 2025-05-25T13:34:37Z\n"
	    "  offer 9007199254740991 1 Free awarded 1 remaining 0"
	    " cost-per-bet 0 rejectable no"
	    " start 2024-02-29T00:00:00Z end 2024-02-29T00:00:01Z\n"
	    "}\n");
	const struct pw_game	*g = pw_config_game(cfg, "g");
	const struct pw_offer	*o;

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->noffers, 2);
	o = &g->offers[0];
	ck_assert_int_eq(o->instance_id, 12345);
	ck_assert_int_eq(o->offer_id, 678);
	ck_assert_str_eq(o->name, "Spring spins");
	ck_assert_int_eq(o->rounds_awarded, 20);
	ck_assert_int_eq(o->rounds_remaining, 5);
	ck_assert_int_eq(o->cost_per_bet, 100);
	ck_assert_int_eq(o->rejectable, 1);
	ck_assert_str_eq(o->start, "2025-05-23T11:54:37Z");
	ck_assert_str_eq(o->end, "2025-05-25T13:34:37Z");
	o = &g->offers[1];
	ck_assert_int_eq(o->instance_id, 9007199254740991LL);
	ck_assert_str_eq(o->name, "Free");
	ck_assert_int_eq(o->rounds_remaining, 0);
	ck_assert_int_eq(o->rejectable, 0);
	free(cfg);
}
END_TEST

START_TEST(test_cafes_proxies)
{
	struct pw_config	*cfg = parse_ok(
	    "trusted-proxy 10.0.0.0/8\ntrusted-proxy fd00::/8\n"
	    "cafe a { network 203.0.113.0/25 network 2001:db8:a::/48 }\n"
	    "cafe b { network 203.0.113.128/25 }\n");
	struct sockaddr_storage	 ss;
	const struct pw_cafe	*a = pw_config_cafe(cfg, "a");
	const struct pw_cafe	*b = pw_config_cafe(cfg, "b");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	sockaddr4(&ss, "203.0.113.127");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (void *)&ss), a);
	sockaddr4(&ss, "203.0.113.128");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (void *)&ss), b);
	sockaddr6(&ss, "::ffff:203.0.113.200");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (void *)&ss), b);
	sockaddr6(&ss, "2001:db8:a:1::5");
	ck_assert_ptr_eq(pw_config_cafe_for_addr(cfg, (void *)&ss), a);
	ck_assert_int_eq(pw_config_is_proxy(cfg, (void *)&ss), 0);
	sockaddr6(&ss, "fd12::1");
	ck_assert_int_eq(pw_config_is_proxy(cfg, (void *)&ss), 1);
	ck_assert_ptr_null(pw_config_cafe_for_addr(cfg, (void *)&ss));
	sockaddr4(&ss, "10.2.3.4");
	ck_assert_int_eq(pw_config_is_proxy(cfg, (void *)&ss), 1);
	sockaddr6(&ss, "::ffff:10.2.3.4");
	ck_assert_int_eq(pw_config_is_proxy(cfg, (void *)&ss), 1);
	sockaddr4(&ss, "11.2.3.4");
	ck_assert_int_eq(pw_config_is_proxy(cfg, (void *)&ss), 0);
	free(cfg);
}
END_TEST

START_TEST(test_idhash)
{
	/* First four bytes of SHA-256 of the id, big-endian. */
	ck_assert_uint_eq(pw_config_idhash("devgame"), 0x7756bbb7u);
	ck_assert_uint_eq(pw_config_idhash("seoul-01"), 0x721edd8fu);
	ck_assert_uint_eq(pw_config_idhash("g19493"), 0x95de0324u);
	ck_assert_uint_eq(pw_config_idhash("g48715"), 0x95de0324u);
}
END_TEST

/* A file that must be refused at line, with word in the message. */
struct bad_case {
	const char	*text;
	int		 line;
	const char	*word;
};

#define GAME_OK		"game g {\n  api-key k\n"	/* lines 1-2 */

static const struct bad_case bad_cases[] = {
	{ "workers 2\n\nlisen 127.0.0.1:8080\n", 3,
	  "unknown directive 'lisen'" },
	{ "workers 2\nott-ttl\nworkers 3\n", 3,
	  "expected a number after 'ott-ttl', got 'workers'" },
	{ "\n\n\n\n\n\nott-ttl abc\n", 7,
	  "expected a number after 'ott-ttl', got 'abc'" },
	{ "store-slots 3000\n", 1, "power of two" },
	{ "store-slots 512\n", 1, "from 1024 to 67108864" },
	{ "store-slots 134217728\n", 1, "from 1024 to 67108864" },
	{ "game a {\n api-key k1\n}\ngame a {\n api-key k2\n}\n", 4,
	  "duplicate game id 'a'" },
	{ "cafe c { network 10.0.0.0/8 }\n\ncafe c { network 11.0.0.0/8 }\n",
	  3, "duplicate cafe id" },
	{ "game a {\n api-key same\n}\ngame b {\n api-key k\n"
	  " api-key \"same\"\n}\n", 6, "duplicate api-key" },
	{ GAME_OK "  api-key k\n}\n", 3, "duplicate api-key" },
	{ "game g {\n  name \"Fantasy\n  api-key k\n}\n", 2,
	  "unterminated quoted string" },
	{ "workers 2\nuser \"abc", 2, "unterminated" },
	{ GAME_OK "  name x\n", 3, "unterminated block" },
	{ GAME_OK "  game h {\n", 3, "nested block" },
	{ GAME_OK "  cafe h {\n", 3, "nested block" },
	{ "workers 2\nnetwork 10.0.0.0/8\n", 2,
	  "'network' is only valid inside a cafe block" },
	{ "price 10\n", 1, "only valid inside a game block" },
	{ GAME_OK "  listen 127.0.0.1:80\n}\n", 3, "not valid inside" },
	{ "cafe c {\n network 10.0.0.0/8\n network 10.0.0.0/33\n}\n", 3,
	  "expected a network" },
	{ "cafe c {\n network 300.0.0.0/8\n}\n", 2, "expected a network" },
	{ "trusted-proxy 10.0.0.0/8/8\n", 1, "expected a network" },
	{ GAME_OK "  offer 1 2 \"x\" awarded 3 remaining 1\n"
	  "    cost-per-bet 0 rejectable no\n"
	  "    start 2025-13-01T00:00:00Z end 2025-12-31T00:00:00Z\n}\n", 5,
	  "expected a UTC time" },
	{ GAME_OK "  offer 1 2 x awarded 3 remaining 1 cost-per-bet 0\n"
	  "  rejectable no start 2025-01-01T00:00:00Z\n"
	  "  end 2025-01-02 00:00:00Z\n}\n", 5, "expected a UTC time" },
	{ GAME_OK "  offer 1 2 x awarded 3 remaining 4 cost-per-bet 0"
	  " rejectable no start 2025-01-01T00:00:00Z"
	  " end 2025-01-02T00:00:00Z\n}\n", 3, "remaining" },
	{ GAME_OK "  offer 1 2 x awarded 3 remaining 1 cost-per-bet 0"
	  " rejectable maybe\n}\n", 3, "expected yes or no" },
	{ GAME_OK "  offer 1 2 x awarded 3\n  cost-per-bet 0\n}\n", 4,
	  "expected 'remaining'" },
	{ GAME_OK "  offer 1 2 x awarded 3 remaining 1 cost-per-bet 0"
	  " rejectable no start 2025-01-02T00:00:00Z"
	  " end 2025-01-01T00:00:00Z\n}\n", 3, "start before end" },
	{ "game abcdefghijklmnopqrstuvwx {\n api-key k\n}\n", 1,
	  "too long" },
	{ "\ncafe \"seoul/01\" {\n", 2, "expected a cafe id" },
	{ "workers 2\n}\n", 2, "'}' without an open block" },
	{ "workers 2\nott-ttl", 2, "got end of file" },
	{ "workers 2\nott-ttl\n\n", 2, "got end of file" },
	{ "workers 2\nworkers 3\n", 2, "given twice, first at line 1" },
	{ GAME_OK "  price 1\n  price 2\n}\n", 4, "given twice" },
	{ GAME_OK "}\ngame h {\n  name x\n}\n", 6, "no api-key" },
	{ "cafe c {\n}\n", 2, "no network" },
	{ "cafe a { network 10.0.0.0/8 }\ncafe b { network 10.1.0.0/16 }\n",
	  2, "overlaps a network of cafe 'a'" },
	{ "game g19493 { api-key a }\ngame g48715 { api-key b }\n", 2,
	  "same id hash" },
	{ "listen localhost:8080\n", 1, "expected an address" },
	{ "listen 127.0.0.1:8080\nmetrics-listen 127.0.0.1:8080\n", 2,
	  "given twice" },
	{ "metrics-listen 127.0.0.1:8080\n", 1, "default listen address" },
	{ "billing-fsync sometimes\n", 1, "expected always or interval" },
	{ "ott-ttl +5\n", 1, "expected a number after 'ott-ttl'" },
	{ "ott-ttl -5\n", 1, "expected a number after 'ott-ttl'" },
	{ "ott-ttl 99999999999999999999999\n", 1, "from 1 to 86400" },
	{ "ott-ttl 0\n", 1, "from 1 to 86400" },
	{ "workers 65\n", 1, "from 1 to 64" },
	{ "shard 16\n", 1, "from 0 to 15" },
	{ "shard -1\n", 1, "shard" },
	{ "max-body 63\n", 1, "from 64 to 1048576" },
	{ "launcher-secret \"\"\n", 1, "non-empty" },
	{ "launch-secret "
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012345678901234567890123456789012345678901234567890123456"
	  "7\n", 1, "at most 127 bytes" },
	{ "game g {\n  name x\n  api-key k\n  min-bet 5\n}\n", 5,
	  "min-bet <= default-bet <= max-bet" },
	{ GAME_OK "  lobby-url \"ftp://x\"\n}\n", 3, "URL" },
	{ "game g\nname x\n", 2, "expected '{' after game 'g'" },
	{ "currency-truncation vnd 1000\ncurrency-truncation VND 10\n", 2,
	  "currency 'vnd' is given twice" },
	{ "currency-truncation vnd 0\n", 1, "from 1" },
	{ "currency-truncation v-d 5\n", 1, "expected a currency code" },
	{ GAME_OK "  api-key 2\n  api-key 3\n  api-key 4\n  api-key 5\n}\n",
	  6, "too many api-key" },
	{ "workers 2\n{\n", 2, "expected a directive, got '{'" },
	{ "\"workers\" 2\n", 1, "expected a directive" },
	{ "user \"a\\nb\"\n", 1, "expected \\\"" },
	{ "user \"a\tb\"\n", 1, "control character" },
	{ "workers 2\nuser a\001b\n", 2, "control character" },
	{ GAME_OK "  frobnicate 1\n}\n", 3, "unknown directive 'frobnicate'" },
};

START_TEST(test_bad)
{
	const struct bad_case	*bc = &bad_cases[_i];
	struct pw_config	*cfg = new_config();
	char			 err[512], prefix[64];

	err[0] = '\0';
	ck_assert_msg(pw_config_parse(cfg, bc->text, strlen(bc->text),
	    "test.conf", err, sizeof(err)) == -1, "case %d parsed", _i);
	(void)snprintf(prefix, sizeof(prefix), "test.conf:%d: ", bc->line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "case %d: want line %d, got \"%s\"", _i, bc->line, err);
	ck_assert_msg(strstr(err, bc->word) != NULL,
	    "case %d: want \"%s\" in \"%s\"", _i, bc->word, err);
	free(cfg);
}
END_TEST

START_TEST(test_error_text)
{
	struct pw_config	*cfg = new_config();
	char			 err[512];
	const char		*t1 = "\n\n\n\n\n\nott-ttl abc\n";
	const char		*t2 = "workers 2\n\nlisen 127.0.0.1:8080\n";
	char			 small[8];

	ck_assert_int_eq(pw_config_parse(cfg, t1, strlen(t1), "test.conf",
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "test.conf:7: expected a number after 'ott-ttl', got 'abc'");
	ck_assert_int_eq(pw_config_parse(cfg, t2, strlen(t2), "test.conf",
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "test.conf:3: unknown directive 'lisen'");
	/* A short buffer gets a truncated message, not an overflow. */
	ck_assert_int_eq(pw_config_parse(cfg, t2, strlen(t2), "test.conf",
	    small, sizeof(small)), -1);
	ck_assert_str_eq(small, "test.co");
	free(cfg);
}
END_TEST

/* A NUL inside the text is refused, not taken for its end. */
START_TEST(test_nul_byte)
{
	struct pw_config	*cfg = new_config();
	char			 err[512];
	const char		 text[] = "workers 2\nuser a\0b\n";

	ck_assert_int_eq(pw_config_parse(cfg, text, sizeof(text) - 1, "t",
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "t:2: control character 0x00"));
	free(cfg);
}
END_TEST

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_load)
{
	struct pw_config	*cfg = new_config();
	char			 err[512], path[64], *big;
	const char		*tmp = getenv("TMPDIR");
	size_t			 bigsz = 1024 * 1024 + 1;
	int			 fd;

	(void)snprintf(path, sizeof(path), "%s/pwconfXXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	(void)close(fd);

	write_file(path, sample_conf, strlen(sample_conf));
	ck_assert_int_eq(pw_config_load(cfg, path, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg->path, path);
	ck_assert_int_eq(cfg->workers, 2);

	write_file(path, "ott-ttl 2\nworkers x\n", 20);
	ck_assert_int_eq(pw_config_load(cfg, path, err, sizeof(err)), -1);
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
	ck_assert_str_eq(err + strlen(path),
	    ":2: expected a number after 'workers', got 'x'");

	/* One byte over the limit, all of it a comment. */
	big = malloc(bigsz);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', bigsz);
	write_file(path, big, bigsz);
	ck_assert_int_eq(pw_config_load(cfg, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	/* Within the limit, and refused only for its missing secrets. */
	write_file(path, big, bigsz - 1);
	ck_assert_int_eq(pw_config_load(cfg, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "launcher-secret is not set"));
	free(big);

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(pw_config_load(cfg, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	free(cfg);
}
END_TEST

/* Turn the sample's `#key  ""' into `key  "x"', same length. */
static void
fill_secret(char *text, const char *key)
{
	char	 want[64], *p, *q;

	snprintf(want, sizeof(want), "#%s ", key);
	ck_assert_ptr_nonnull(p = strstr(text, want));
	ck_assert_ptr_nonnull(q = strstr(p, "\"\""));
	ck_assert_ptr_null(memchr(p, '\n', (size_t)(q - p)));
	memmove(p, p + 1, (size_t)(q - p));
	*q = 'x';
}

/*
 * The sample file shipped in etc/ has no secrets: refused as it is, and
 * valid once they are filled in (run from the top dir).
 */
START_TEST(test_sample_file)
{
	static const char *const keys[] = { "launcher-secret",
	    "launch-secret", "api-key", "hmac-secret" };
	struct pw_config	*cfg = new_config();
	char			 err[512], *text;
	size_t			 i;
	FILE			*f;
	long			 n;

	ck_assert_int_eq(pw_config_load(cfg, "etc/playwaved.conf", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "api-key"));
	ck_assert_ptr_nonnull(f = fopen("etc/playwaved.conf", "r"));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_gt(n = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(text = calloc(1, (size_t)n + 1));
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fill_secret(text, keys[i]);
	if (pw_config_parse(cfg, text, (size_t)n, "sample", err,
	    sizeof(err)) != 0)
		ck_abort_msg("%s", err);
	ck_assert_str_eq(cfg->launcher_secret, "x");
	ck_assert_int_ge(cfg->ngames, 1);
	ck_assert_int_ge(cfg->ncafes, 1);
	free(text);
	free(cfg);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_sample);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_globals);
	tcase_add_test(tc, test_embedded);
	tcase_add_test(tc, test_one_line);
	tcase_add_test(tc, test_one_line_word);
	tcase_add_test(tc, test_quoted);
	tcase_add_test(tc, test_offers);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_sample_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_error_text);
	tcase_add_test(tc, test_nul_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_test(tc, test_net_v4);
	tcase_add_test(tc, test_net_v6);
	tcase_add_test(tc, test_listen);
	tcase_add_test(tc, test_api_keys);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_cafes_proxies);
	tcase_add_test(tc, test_idhash);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(config_suite()));
}
