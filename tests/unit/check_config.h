/*
 * What the config test programs share.
 */
#ifndef CHECK_CONFIG_H
#define CHECK_CONFIG_H

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

/* The example of the system description, exactly as written there. */
static const char sample_conf[] =
"# comments start with '#'; strings may be \"quoted\"\n"
"listen            127.0.0.1:8080        # may repeat\n"
"workers           2                     # default: number of CPUs\n"
"store             /var/db/playwave/store\n"
"store-slots       1048576\n"
"billing-log       /var/db/playwave/billing.log\n"
"billing-fsync     interval              # always | interval (once per reaper pass)\n"
"billing-segment-size 64M                # the active log file is closed past this size\n"
"max-connections-per-source 256          # TCP peers outside trusted-proxy; proxies exempt\n"
"cafe-start-quota  600                   # launcher starts per cafe per 600 s\n"
"home-start-quota  60                    # home-key starts per /24 or /56 per 600 s\n"
"home-start-total  6000                  # home-key starts overall per 600 s\n"
"launcher-key-required no                # yes: a cafe without launcher-key refuses starts\n"
"ott-ttl           60\n"
"session-timeout   240                   # no heartbeat for this long: EXPIRED\n"
"heartbeat-interval 120                  # next_heartbeat_in\n"
"charge-grace      120                   # CHARGE_EXHAUSTED grace before NO_BALANCE\n"
"billing-unit      60                    # seconds in a billed minute (tests: a few)\n"
"launcher-timeout  240\n"
"max-body          8192\n"
"rate-limit        0                     # requests/s per API key (and per cafe / source\n"
"                                        # address on the launcher API, per game on\n"
"                                        # authenticate); 0 = off\n"
"ott-per-launcher  4                     # unconsumed live OTTs one launcher session may hold\n"
"max-token-lifetime 3600                 # longest exp - iat accepted in a launch token\n"
"metrics-listen    127.0.0.1:9180        # operator endpoints; /metrics on the API listener\n"
"                                        # answers loopback peers only\n"
"shard             0                     # scale-out: this host's shard (0-15), carried by\n"
"                                        # every id it mints (see \"Beyond one host\")\n"
"launcher-secret   \"change-me-launcher\"  # the home key: starts of launchers outside any cafe\n"
"                                        # (API.md 2; public by nature)\n"
"launch-secret     \"change-me-jwt\"       # HS256 key of real-play launch tokens (API.md 4)\n"
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
"    launcher-key  k2026a \"change-me-k1\" # may repeat (rotation): ID SECRET; this cafe's\n"
"                                        # launchers sign their starts with it (X-Key-Id)\n"
"}\n";

/*
 * The example's secrets are "change-me" placeholders, which a file may
 * not keep: the example with each one made a secret of its own (at
 * least 16 characters, no two alike).
 */
static inline char *
sample_filled(void)
{
	char	*text, *p, *q, *out;
	size_t	 n = 0;
	int	 k = 0;

	text = strdup(sample_conf);
	out = calloc(1, strlen(sample_conf) + 64 * 16);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(out);
	for (p = text; (q = strstr(p, "\"change-me")) != NULL; ) {
		memcpy(out + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		n += (size_t)sprintf(out + n, "\"filled-secret-%02d-%s\"", k++,
		    "0123456789abcdef");
		p = strchr(q + 1, '"') + 1;
	}
	strcpy(out + n, p);
	free(text);
	return (out);
}

static inline struct pw_config *
new_config(void)
{
	struct pw_config	*cfg;

	cfg = calloc(1, sizeof(*cfg));
	ck_assert_ptr_nonnull(cfg);
	return (cfg);
}

/* Secrets a snippet does not set itself are added at its end. */
static inline struct pw_config *
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

static inline void
sockaddr4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in	 sin;

	memset(ss, 0, sizeof(*ss));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	memcpy(ss, &sin, sizeof(sin));
}

static inline void
sockaddr6(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in6	 sin6;

	memset(ss, 0, sizeof(*ss));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	memcpy(ss, &sin6, sizeof(sin6));
}

static inline int
net_has(const struct pw_net *n, const char *addr)
{
	struct sockaddr_storage	 ss;

	if (strchr(addr, ':') != NULL)
		sockaddr6(&ss, addr);
	else
		sockaddr4(&ss, addr);
	return (pw_net_contains(n, (struct sockaddr *)&ss));
}

static inline int
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

#endif /* CHECK_CONFIG_H */
