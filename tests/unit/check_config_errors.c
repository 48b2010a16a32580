/*
 * Unit tests: configuration errors.
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

static Suite *
config_errors_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config_errors");

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_error_text);
	tcase_add_test(tc, test_nul_byte);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(config_errors_suite()));
}
