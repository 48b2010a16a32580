/*
 * Unit tests: configuration parsing.
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
#include "check_config.h"

START_TEST(test_sample)
{
	char			*text = sample_filled();
	struct pw_config	*cfg = parse_ok(text);
	const struct pw_game	*g;
	const struct pw_cafe	*c;

	free(text);
	ck_assert_int_eq(cfg->nlisten, 1);
	ck_assert_str_eq(cfg->listen[0].text, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->listen[0].ss.ss_family, AF_INET);
	ck_assert_int_eq(listen_port(&cfg->listen[0]), 8080);
	ck_assert_int_eq(cfg->nmetrics_listen, 1);
	ck_assert_str_eq(cfg->metrics_listen[0].text, "127.0.0.1:9180");
	ck_assert_int_eq(cfg->workers, 2);
	ck_assert_str_eq(cfg->store, "/var/db/playwave/store");
	ck_assert_uint_eq(cfg->store_slots, 1048576);
	ck_assert_str_eq(cfg->billing_log, "/var/db/playwave/billing.log");
	ck_assert_int_eq(cfg->billing_fsync, PW_FSYNC_INTERVAL);
	ck_assert_uint_eq(cfg->billing_segment_size, 64 * 1024 * 1024);
	ck_assert_int_eq(cfg->max_conn_per_source, 256);
	ck_assert_int_eq(cfg->cafe_start_quota, 600);
	ck_assert_int_eq(cfg->home_start_quota, 60);
	ck_assert_int_eq(cfg->home_start_total, 6000);
	ck_assert_int_eq(cfg->launcher_key_required, 0);
	ck_assert_int_eq(cfg->shard, 0);
	ck_assert_int_eq(cfg->ott_per_launcher, 4);
	ck_assert_int_eq(cfg->max_token_lifetime, 3600);
	ck_assert_int_eq(cfg->ott_ttl, 60);
	ck_assert_int_eq(cfg->session_timeout, 240);
	ck_assert_int_eq(cfg->heartbeat_interval, 120);
	ck_assert_int_eq(cfg->charge_grace, 120);
	ck_assert_int_eq(cfg->billing_unit, 60);
	ck_assert_int_eq(cfg->launcher_timeout, 240);
	ck_assert_int_eq(cfg->max_body, 8192);
	ck_assert_int_eq(cfg->rate_limit, 0);
	ck_assert_str_eq(cfg->launcher_secret, "filled-secret-00-0123456789abcdef");
	ck_assert_str_eq(cfg->launch_secret, "filled-secret-01-0123456789abcdef");
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
	ck_assert_str_eq(g->api_keys[0], "filled-secret-02-0123456789abcdef");
	ck_assert_int_eq(g->price, 10);
	ck_assert_str_eq(g->provider, "gameprovider");
	ck_assert_str_eq(g->hmac_secret, "filled-secret-03-0123456789abcdef");
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
	ck_assert_int_eq(c->nkeys, 1);
	ck_assert_str_eq(c->keys[0].id, "k2026a");
	ck_assert_str_eq(c->keys[0].secret, "filled-secret-04-0123456789abcdef");
	ck_assert_int_eq(c->start_quota, 600);
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
	    "max-connections-per-source 22\ncafe-start-quota 23\n"
	    "home-start-quota 24\nhome-start-total 25\n"
	    "launcher-key-required yes\n"
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
	ck_assert_int_eq(cfg->max_conn_per_source, 22);
	ck_assert_int_eq(cfg->cafe_start_quota, 23);
	ck_assert_int_eq(cfg->home_start_quota, 24);
	ck_assert_int_eq(cfg->home_start_total, 25);
	ck_assert_int_eq(cfg->launcher_key_required, 1);
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
	g = pw_config_game_by_key(cfg, "dev-game-key", 12, NULL);
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

	big = sample_filled();
	write_file(path, big, strlen(big));
	free(big);
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
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");

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

	return (s);
}

int
main(void)
{
	return (check_run(config_suite()));
}
