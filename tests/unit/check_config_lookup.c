/*
 * Unit tests: configuration look-ups.
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
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "old-key-a", 9, NULL), a);
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "new-key-a", 9, NULL), a);
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "key-b", 5, NULL), b);
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-c", 5, NULL));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-b", 4, NULL));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "key-bb", 6, NULL));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "new-key-A", 9, NULL));
	ck_assert_ptr_null(pw_config_game_by_key(cfg, "", 0, NULL));
	/* The length counts, not a NUL. */
	ck_assert_ptr_eq(pw_config_game_by_key(cfg, "key-bXYZ", 5, NULL), b);
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

START_TEST(test_cafes_proxies)
{
	struct pw_config	*cfg = parse_ok(
	    "trusted-proxy 10.0.0.0/8\ntrusted-proxy fd00::/32\n"
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
	sockaddr6(&ss, "fd00:0:12::1");
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

static Suite *
config_lookup_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config_lookup");

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
	return (check_run(config_lookup_suite()));
}
