/*
 * Unit tests: secrets a configuration may not use.  A placeholder
 * ("change-me...", as the samples and the manual show them) is refused
 * anywhere; a key of the built-in development configuration is refused
 * in a file, and the built-in configuration itself keeps its keys.
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
#include "check_tmp.h"

/* A text refused at line, with word in the message. */
struct secret_case {
	const char	*text;
	int		 line;
	const char	*word;
};

#define L16	"-0123456789abcdef"	/* makes a secret long enough */
#define SECRETS_OK	"launcher-secret l" L16 "\nlaunch-secret j" L16 "\n"	/* 1-2 */

static const struct secret_case placeholders[] = {
	{ "launcher-secret \"change-me-launcher-secret\"\n", 1,
	  "launcher-secret is a placeholder" },
	{ "workers 2\nlaunch-secret change-me\n", 2,
	  "launch-secret is a placeholder" },
	{ "launcher-secret CHANGE-ME-now\n", 1,
	  "launcher-secret is a placeholder" },
	{ SECRETS_OK "game g {\n  api-key \"change-me-g-key\"\n}\n", 4,
	  "api-key of game 'g' is a placeholder" },
	{ SECRETS_OK "game g {\n  api-key k1\n  api-key Change-Me-2\n}\n", 5,
	  "api-key of game 'g' is a placeholder" },
	{ SECRETS_OK "game g {\n  api-key k\n  hmac-secret\n"
	  "    \"change-me-hmac\"\n}\n", 6,
	  "hmac-secret of game 'g' is a placeholder" },
};

/* Any key of the built-in configuration, under any secret directive. */
static const struct secret_case dev_keys[] = {
	{ "launcher-secret dev-launcher-secret\nlaunch-secret j" L16 "\n", 1,
	  "launcher-secret is a key of the built-in development" },
	{ "launcher-secret l" L16 "\nlaunch-secret \"dev-hmac-secret\"\n", 2,
	  "launch-secret is a key of the built-in development" },
	{ SECRETS_OK "game g {\n  api-key dev-game-key\n  hmac-secret h" L16
	  "\n}\n",
	  4, "api-key of game 'g' is a key of the built-in development" },
	{ SECRETS_OK "game g {\n  api-key k" L16 "\n  hmac-secret "
	  "dev-launch-secret\n"
	  "}\n", 5, "hmac-secret of game 'g' is a key of the built-in" },
};

static void
refused(const struct secret_case *sc, const char *fname, const char *err)
{
	char	 prefix[128];

	(void)snprintf(prefix, sizeof(prefix), "%s:%d: ", fname, sc->line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "want line %d, got \"%s\"", sc->line, err);
	ck_assert_msg(strstr(err, sc->word) != NULL, "want \"%s\" in \"%s\"",
	    sc->word, err);
}

START_TEST(test_placeholder_refused)
{
	const struct secret_case	*sc = &placeholders[_i];
	struct pw_config		*cfg = new_config();
	char				 err[512];

	ck_assert_int_eq(pw_config_parse(cfg, sc->text, strlen(sc->text),
	    "test.conf", err, sizeof(err)), -1);
	refused(sc, "test.conf", err);
	free(cfg);
}
END_TEST

START_TEST(test_placeholder_text)
{
	struct pw_config	*cfg = new_config();
	char			 err[512];
	const char		*t = "launcher-secret \"change-me-zq7unique\"\n";

	ck_assert_int_eq(pw_config_parse(cfg, t, strlen(t), "test.conf",
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "test.conf:1: launcher-secret is a placeholder "
	    "(it begins with \"change-me\"): expected a long random string "
	    "of your own (openssl rand -hex 32)");
	/* What follows the placeholder may be a real secret half typed. */
	ck_assert_ptr_null(strstr(err, "zq7unique"));
	free(cfg);
}
END_TEST

/* The rule is the prefix: these are secrets like any other. */
START_TEST(test_placeholder_prefix_only)
{
	static const char *const ok[] = { "do-not-change-me", "changeme",
	    "change_me", "chang-me", "change-m" };
	struct pw_config	*cfg;
	char			 text[256];
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		(void)snprintf(text, sizeof(text), "launcher-secret \"%s\"\n"
		    "game g {\n  api-key \"%s-k\"\n  hmac-secret \"%s\"\n}\n",
		    ok[i], ok[i], ok[i]);
		cfg = parse_ok(text);
		ck_assert_str_eq(cfg->launcher_secret, ok[i]);
		free(cfg);
	}
}
END_TEST

/*
 * The example of the system description shows its secrets as
 * placeholders: refused at the first one as written, loaded once each
 * is replaced.
 */
START_TEST(test_system_example)
{
	struct pw_config	*cfg = new_config();
	char			 err[512];

	ck_assert_int_eq(pw_config_parse(cfg, sample_conf, strlen(sample_conf),
	    "example.conf", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err,
	    "example.conf:30: launcher-secret is a placeholder"));
	free(cfg);
}
END_TEST

/*
 * Load text as the file name (in a directory of its own, removed after):
 * pw_config_load's result, its message in err and the file's path in path.
 */
static int
load_file(struct pw_config *cfg, const char *name, const char *text,
    char *path, size_t pathsz, char *err, size_t errsz)
{
	char	 dir[256];
	FILE	*fp;
	int	 rc;

	tmp_dir(dir, sizeof(dir), "pwsecret");
	(void)snprintf(path, pathsz, "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
	rc = pw_config_load(cfg, path, err, errsz);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	return rc;
}

START_TEST(test_dev_key_in_file)
{
	const struct secret_case	*sc = &dev_keys[_i];
	struct pw_config		*cfg = new_config();
	char				 path[300], err[512];

	ck_assert_int_eq(load_file(cfg, "playwaved.conf", sc->text, path,
	    sizeof(path), err, sizeof(err)), -1);
	refused(sc, path, err);
	/* Text not read from a file (a test's own) may use them. */
	free(cfg);
	cfg = parse_ok(sc->text);
	free(cfg);
}
END_TEST

/*
 * The built-in configuration runs on its keys without -f, and the same
 * text copied into a file is refused at its first key.
 */
START_TEST(test_embedded_copied_to_file)
{
	struct pw_config	*cfg = new_config();
	char			 path[300], err[512];

	ck_assert_int_eq(pw_config_parse(cfg, pw_config_embedded,
	    strlen(pw_config_embedded), "(embedded)", err, sizeof(err)), 0);
	ck_assert_int_eq(load_file(cfg, "dev.conf", pw_config_embedded, path,
	    sizeof(path), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err,
	    ":8: launcher-secret is a key of the built-in development"));
	free(cfg);
}
END_TEST

/*
 * Contract v3's rules for a file: secrets of 16 characters or more, no
 * value in two roles (two cafes' keys included), launcher-key syntax,
 * trusted proxies no wider than /8 or /32 and outside every cafe, and
 * start quotas that cannot fill a quarter of the store.  Each names its
 * line and never the value.
 */
#define CAFE_NET	"  network 203.0.113.0/24\n"
static const struct secret_case v3_rules[] = {
	{ "launcher-secret short-secret\n", 1,
	  "launcher-secret is shorter than 16 characters" },
	{ SECRETS_OK "game g {\n  api-key k" L16 "\n  hmac-secret 123456789"
	  "012345\n}\n", 5, "hmac-secret of game 'g' is shorter than 16" },
	{ "launcher-secret same" L16 "\nlaunch-secret same" L16 "\n", 2,
	  "launch-secret is the value of another secret" },
	{ SECRETS_OK "game g {\n  api-key l" L16 "\n}\n", 4,
	  "api-key of game 'g' is the value of another secret" },
	{ SECRETS_OK "game g {\n  api-key k" L16 "\n  hmac-secret k" L16
	  "\n}\n", 5, "hmac-secret of game 'g' is the value of another" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key ka a" L16 "\n}\n"
	  "cafe b {\n  network 198.51.100.0/24\n  launcher-key kb a" L16
	  "\n}\n", 9, "launcher-key of cafe 'b' is the value of another" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key ka a" L16 "\n"
	  "  launcher-key kb a" L16 "\n}\n", 6,
	  "launcher-key of cafe 'a' is the value of another" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key ka j" L16 "\n}\n",
	  5, "launcher-key of cafe 'a' is the value of another" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key \"k 1\" a" L16
	  "\n}\n", 5, "expected a key id of 1 to 32" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key ka a" L16 "\n}\n"
	  "cafe b {\n  network 198.51.100.0/24\n  launcher-key ka b" L16
	  "\n}\n", 9, "launcher-key id 'ka' is already a key of cafe 'a'" },
	{ SECRETS_OK "cafe a {\n" CAFE_NET "  launcher-key k1 a" L16 "\n"
	  "  launcher-key k2 b" L16 "\n  launcher-key k3 c" L16 "\n}\n", 7,
	  "too many launcher-key lines" },
	{ SECRETS_OK "trusted-proxy 0.0.0.0/0\n", 3,
	  "'trusted-proxy' network wider than /8" },
	{ SECRETS_OK "trusted-proxy 10.0.0.0/7\n", 3,
	  "'trusted-proxy' network wider than /8" },
	{ SECRETS_OK "trusted-proxy 2001:db8::/31\n", 3,
	  "'trusted-proxy' network wider than /8" },
	{ SECRETS_OK "trusted-proxy 203.0.113.128/25\ncafe a {\n" CAFE_NET
	  "}\n", 6, "a trusted-proxy network overlaps a network of cafe 'a'" },
	{ SECRETS_OK "store-slots 16384\nhome-start-total 500\n"
	  "cafe a {\n" CAFE_NET "  cafe-start-quota 100\n}\n", 8,
	  "start quotas too large for the store" },
};

START_TEST(test_v3_rules)
{
	const struct secret_case	*sc = &v3_rules[_i];
	struct pw_config		*cfg = new_config();
	char				 path[300], err[512];

	ck_assert_int_eq(load_file(cfg, "playwaved.conf", sc->text, path,
	    sizeof(path), err, sizeof(err)), -1);
	refused(sc, path, err);
	ck_assert_msg(strstr(err, L16) == NULL, "a secret in \"%s\"", err);
	free(cfg);
}
END_TEST

/* What the rules allow: the same file with each made right loads. */
START_TEST(test_v3_allowed)
{
	static const char text[] = SECRETS_OK "store-slots 16384\n"
	    "home-start-total 300\ncafe-start-quota 100\n"
	    "trusted-proxy 10.0.0.0/8\ntrusted-proxy 2001:db8::/32\n"
	    "cafe a {\n" CAFE_NET "  launcher-key k2026a a" L16 "\n"
	    "  launcher-key k2026b b" L16 "\n}\n"
	    "cafe b {\n  network 198.51.100.0/24\n  cafe-start-quota 50\n}\n";
	struct pw_config	*cfg = new_config();
	char			 path[300], err[512];
	const struct pw_cafe	*c;

	if (load_file(cfg, "playwaved.conf", text, path, sizeof(path), err,
	    sizeof(err)) == -1)
		ck_abort_msg("%s", err);
	ck_assert_ptr_nonnull(pw_config_launcher_key(cfg, "k2026b", &c));
	ck_assert_str_eq(c->id, "a");
	ck_assert_ptr_null(pw_config_launcher_key(cfg, "k2026c", &c));
	ck_assert_int_eq(pw_config_cafe(cfg, "a")->start_quota, 100);
	ck_assert_int_eq(pw_config_cafe(cfg, "b")->start_quota, 50);
	ck_assert_int_eq(pw_config_cafe(cfg, "b")->nkeys, 0);
	free(cfg);
}
END_TEST

static Suite *
config_secrets_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config_secrets");

	tc = tcase_create("secrets");
	tcase_add_loop_test(tc, test_placeholder_refused, 0,
	    (int)(sizeof(placeholders) / sizeof(placeholders[0])));
	tcase_add_test(tc, test_placeholder_text);
	tcase_add_test(tc, test_placeholder_prefix_only);
	tcase_add_test(tc, test_system_example);
	tcase_add_loop_test(tc, test_dev_key_in_file, 0,
	    (int)(sizeof(dev_keys) / sizeof(dev_keys[0])));
	tcase_add_test(tc, test_embedded_copied_to_file);
	tcase_add_loop_test(tc, test_v3_rules, 0,
	    (int)(sizeof(v3_rules) / sizeof(v3_rules[0])));
	tcase_add_test(tc, test_v3_allowed);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(config_secrets_suite()));
}
