/*
 * Strict request framing (http_frame.c) fed whole and byte by byte, and
 * the loopback decision for /metrics on the API listener (http_route.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>


#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_frame.h"
#include "check_run.h"

/* The rc and verdict of a head fed in pieces of `step' bytes. */
static int
scan(const char *head, size_t step, struct pw_frame *f, size_t *used)
{
	size_t n = strlen(head), off = 0, u;
	enum pw_frame_rc rc = PW_FRAME_MORE;

	pw_frame_init(f, 8192);
	*used = 0;
	while (off < n && rc == PW_FRAME_MORE) {
		u = n - off < step ? n - off : step;
		rc = pw_frame_feed(f, head + off, u, &u);
		off += u;
		*used += u;
	}
	if (rc == PW_FRAME_DONE)
		return (pw_frame_verdict(f) == PW_FV_OK ? 0 :
		    pw_frame_verdict(f) == PW_FV_UNKNOWN_METHOD ? 501 : 400);
	return (rc == PW_FRAME_BAD ? 400 : -1);
}

static void
expect(const char *head, int want)
{
	struct pw_frame f;
	size_t used, step;

	for (step = 1; step <= strlen(head); step++)
		ck_assert_msg(scan(head, step, &f, &used) == want,
		    "%s: step %zu: want %d", head, step, want);
}

START_TEST(test_good_heads)
{
	struct pw_frame f;
	size_t used;
	const char *h = "PATCH /v1/game/session/heartbeat?x=1 HTTP/1.1\r\n"
	    "host:\t a \r\nContent-Length: 0012\r\nX-Request-ID: ab.c:_-9\r\n"
	    "\r\nBODY";

	expect("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	expect("GET /healthz HTTP/1.0\r\n\r\n", 0);
	expect("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n"
	    "\r\n", 0);
	ck_assert_int_eq(scan(h, 7, &f, &used), 0);
	ck_assert_uint_eq(used, strlen(h) - 4);
	ck_assert_str_eq(f.path, "/v1/game/session/heartbeat");
	ck_assert_int_eq(pw_frame_method(&f), PW_M_PATCH);
	ck_assert_int_eq(f.clen, 12);
	ck_assert_str_eq(f.rid, "ab.c:_-9");
	ck_assert(pw_frame_http11(&f));
}
END_TEST

START_TEST(test_smuggling_heads)
{
	static const char *bad[] = {
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
		    "Content-Length: 1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
		    "99999999999999999999\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
		"POST / HTTP/1.1\r\n Host: x\r\n\r\n",
		"POST / HTTP/1.1\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\n\n",
		"POST / HTTP/1.1\r\nHost: x\rA: b\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\n\rX",
		"POST / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",
		"POST / HTTP/1.1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
		"POST / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n",
		"POST / HTTP/2.0\r\nHost: a\r\n\r\n",
		"POST  / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /\x80 HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST / HTTP/1.1\r\n: a\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(bad[i], 400);
	expect("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
	expect("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
}
END_TEST

/*
 * What the runs of the scan keep, whatever the reads cut: a path past its
 * room, names in any case and past theirs, values with blanks about them.
 */
START_TEST(test_runs_cut_anywhere)
{
	static const char *h = "POST /v1/game/session/verifyyyyyyyyyyyyyyyy"
	    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy?q=/a HTTP/1.1\r\nhOsT: x\r\n"
	    "X-A-Very-Long-Field-Name-Indeed: 1\r\n"
	    "CONTENT-length:\t 0012 \t\r\nx-request-id:  r-1\t\r\n\r\n";
	struct pw_frame f;
	size_t used, step;

	for (step = 1; step <= strlen(h); step++) {
		ck_assert_int_eq(scan(h, step, &f, &used), 0);
		ck_assert_uint_eq(used, strlen(h));
		ck_assert_uint_eq(f.plen, PW_FRAME_PATH);
		ck_assert(f.plong);
		ck_assert(strncmp(f.path, "/v1/game/session/verifyyy",
		    25) == 0);
		ck_assert_int_eq(f.clen, 12);
		ck_assert_int_eq(f.nhost, 1);
		ck_assert_str_eq(f.rid, "r-1");
		ck_assert_int_eq(pw_frame_method(&f), PW_M_POST);
	}
	expect("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  chunked "
	    "\t\r\n\r\n", 0);
	expect("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chun ked"
	    "\r\n\r\n", 400);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xc3\xa9\t!\r\n\r\n",
	    0);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", 0);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-A: \t\r\n\r\n", 0);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x1f" "b\r\n\r\n", 400);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-A:\x1f\r\n\r\n", 400);
	expect("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	expect("GET ?only HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	expect("GET /\t HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	expect("GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400);
	expect("GET / HTTP/1.\r\nHost: x\r\n\r\n", 400);
	expect("GETTINGLONGER / HTTP/1.1\r\nHost: x\r\n\r\n", 501);
	expect("GET / HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\xff" "b\r\n\r\n",
	    0);
}
END_TEST

/* max-header bytes pass, one more does not, however they are read. */
START_TEST(test_head_limit_exact)
{
	static const char h[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct pw_frame f;
	enum pw_frame_rc rc;
	size_t n = sizeof(h) - 1, off, u, step, max;

	for (max = n - 1; max <= n; max++)
		for (step = 1; step <= n; step++) {
			pw_frame_init(&f, max);
			rc = PW_FRAME_MORE;
			for (off = 0; off < n && rc == PW_FRAME_MORE;
			    off += u) {
				u = n - off < step ? n - off : step;
				rc = pw_frame_feed(&f, h + off, u, &u);
			}
			ck_assert_int_eq(rc, max == n ? PW_FRAME_DONE :
			    PW_FRAME_BAD);
			ck_assert_uint_eq(off, max);
		}
}
END_TEST

START_TEST(test_nul_and_limit)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	struct pw_frame f;
	size_t used;

	pw_frame_init(&f, 8192);
	ck_assert_int_eq(pw_frame_feed(&f, head, sizeof(head) - 1, &used),
	    PW_FRAME_BAD);
	pw_frame_init(&f, 10);
	ck_assert_int_eq(pw_frame_feed(&f, "GET / HTTP/1.1\r\n", 16, &used),
	    PW_FRAME_BAD);
	ck_assert_uint_eq(used, 10);
}
END_TEST

/* Connection's options over all its lines, however the reads cut them. */
/* RFC 9112 3.2: a Host value other than host [":" port] is a 400. */
START_TEST(test_host_values)
{
	static const char *good[] = {
		"example.com", "example.com:8080", "[::1]:80", "127.0.0.1",
		"a-b_c~d%41", "", "x \t",
	};
	static const char *bad[] = {
		"a b", "a/b", "a@b", "a?b", "a#b", "a\"b", "a\x80",
		"{x}", "a\\b",
	};
	char head[600], host[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s\r\n"
		    "\r\n", good[i]);
		expect(head, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s\r\n"
		    "\r\n", bad[i]);
		expect(head, 400);
	}
	/* Checked past the bytes of the value the parser keeps. */
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
	    host);
	expect(head, 0);
	host[250] = '/';
	snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
	    host);
	expect(head, 400);
}
END_TEST

/* RFC 9112 3.2.2: an absolute-form target routes by its path. */
START_TEST(test_absolute_form)
{
	static const struct {
		const char	*target;
		const char	*path;
	} t[] = {
		{ "http://x/healthz", "/healthz" },
		{ "HTTPS://example.com:443/v1/a?b=/c", "/v1/a" },
		{ "http://x", "/" },
		{ "http://x?q", "/" },
		{ "http:///healthz", "http:///healthz" },
		{ "/http://x/healthz", "/http://x/healthz" },
		{ "ftp://x/healthz", "ftp://x/healthz" },
	};
	struct pw_frame f;
	char head[200];
	size_t i, used, step;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: y\r\n"
		    "\r\n", t[i].target);
		for (step = 1; step <= strlen(head); step++) {
			ck_assert_int_eq(scan(head, step, &f, &used), 0);
			ck_assert_str_eq(f.path, t[i].path);
			ck_assert_uint_eq(f.plen, strlen(t[i].path));
		}
	}
}
END_TEST

static void
connection_is(const char *fields, int want)
{
	char head[512];
	struct pw_frame f;
	size_t used, step;

	(void)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: x\r\n%s"
	    "\r\n", fields);
	for (step = 1; step <= strlen(head); step++) {
		ck_assert_int_eq(scan(head, step, &f, &used), 0);
		ck_assert_msg(pw_frame_connection(&f) == want,
		    "%s: step %zu: want %d", fields, step, want);
	}
}

START_TEST(test_connection_options)
{
	connection_is("", -1);
	connection_is("Connection: x-a\r\n", -1);
	connection_is("Connection: keep-alive\r\n", 1);
	connection_is("connection: Keep-Alive, x-a\r\n", 1);
	connection_is("Connection: close\r\n", 0);
	connection_is("Connection: close, keep-alive\r\n", 0);
	connection_is("Connection: keep-alive,close\r\n", 0);
	connection_is("Connection: keep-alive\r\nConnection: close\r\n", 0);
	connection_is("Connection: close\r\nConnection: keep-alive\r\n", 0);
	connection_is("Connection: x-a\r\nConnection: keep-alive\r\n", 1);
	connection_is("Connection: closed, keep-alive-x\r\n", -1);
	/* Past what is kept of a line: taken as close. */
	connection_is("Connection: keep-alive, x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, close\r\n", 0);
}
END_TEST

/* Where the method and target lie, as far as the scan read them. */
static void
line_at(const char *head, size_t mlen, size_t toff, size_t tlen)
{
	struct pw_frame f;
	size_t used, step, m, o, t;

	for (step = 1; step <= strlen(head); step++) {
		(void)scan(head, step, &f, &used);
		pw_frame_line(&f, &m, &o, &t);
		ck_assert_msg(m == mlen && o == toff && t == tlen,
		    "%s: step %zu: %zu %zu %zu", head, step, m, o, t);
	}
}

START_TEST(test_request_line_read)
{
	line_at("GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n", 3, 4, 4);
	line_at("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 4, 5, 4);
	line_at("GET /a\x01b HTTP/1.1\r\n\r\n", 3, 4, 2);
	line_at("GET / HTTP/1.1\nHost: x\r\n\r\n", 3, 4, 1);
	line_at("GET\x01 / HTTP/1.1\r\n\r\n", 0, 0, 0);
	line_at("\r\n\r\n", 0, 0, 0);
	line_at("GET  / HTTP/1.1\r\n\r\n", 3, 4, 0);
}
END_TEST

START_TEST(test_loopback_peers)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	static const struct { const char *a; int local; } v4[] = {
		{ "127.0.0.1", 1 }, { "127.255.3.4", 1 }, { "10.0.0.1", 0 },
		{ "128.0.0.1", 0 }, { "0.0.0.0", 0 }, { "192.168.1.127", 0 },
	}, v6[] = {
		{ "::1", 1 }, { "::ffff:127.0.0.9", 1 }, { "::2", 0 },
		{ "fe80::1", 0 }, { "::ffff:10.0.0.1", 0 }, { "::", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		memset(&a4, 0, sizeof(a4));
		a4.sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, v4[i].a, &a4.sin_addr), 1);
		ck_assert_msg(pw_peer_loopback((struct sockaddr *)&a4) ==
		    v4[i].local, "%s", v4[i].a);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, v6[i].a, &a6.sin6_addr), 1);
		ck_assert_msg(pw_peer_loopback((struct sockaddr *)&a6) ==
		    v6[i].local, "%s", v6[i].a);
	}
	ck_assert_int_eq(pw_peer_loopback(NULL), 0);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_heads);
	tcase_add_test(tc, test_smuggling_heads);
	tcase_add_test(tc, test_nul_and_limit);
	tcase_add_test(tc, test_runs_cut_anywhere);
	tcase_add_test(tc, test_head_limit_exact);
	tcase_add_test(tc, test_request_line_read);
	tcase_add_test(tc, test_connection_options);
	tcase_add_test(tc, test_host_values);
	tcase_add_test(tc, test_absolute_form);
	tcase_add_test(tc, test_loopback_peers);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(frame_suite()));
}
