/*
 * Trust at the edge, in the store: the replay cache of
 * launcher nonces and its quota, launcher sessions bound to their cafe,
 * PCs per cafe and ott-per-launcher; and the signature v2 itself.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"

#define NSLOTS	1024

static struct pw_store st;

static void
setup(void)
{
	const char *tmp;
	char dir[256], path[300], err[512];

	tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/pwtrust.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store", dir);
	if (pw_store_open(&st, path, NSLOTS, 1, 0, err, sizeof(err)) == -1)
		ck_abort_msg("pw_store_open: %s", err);
	pw_store_set_cell(&st, 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}

static void
teardown(void)
{
	pw_store_close(&st);
}

static void
nonce_of(char out[40], unsigned src, unsigned i)
{
	snprintf(out, 40, "n-%08x-%08x", src, i);
}

START_TEST(test_nonce_replay)
{
	uint64_t retry = 0, now = pw_now_ms();

	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnop"), 0);
	ck_assert_int_eq(pw_nonce_remember(&st, "abcdefghijklmnop", 7, now,
	    &retry), PW_NC_NEW);
	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnop"), 1);
	ck_assert_int_eq(pw_nonce_remember(&st, "abcdefghijklmnop", 9, now,
	    &retry), PW_NC_REPLAY);
	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnoq"), 0);
}
END_TEST

/* Another process (a worker) remembers; this one sees the replay. */
START_TEST(test_nonce_shared)
{
	uint64_t retry;
	pid_t pid;
	int status;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		pw_store_set_cell(&st, 1);
		_exit(pw_nonce_remember(&st, "from-the-other-worker", 3,
		    pw_now_ms(), &retry) == PW_NC_NEW ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(pw_nonce_remember(&st, "from-the-other-worker", 3,
	    pw_now_ms(), &retry), PW_NC_REPLAY);
}
END_TEST

/*
 * A flood of fresh nonces from one source, then from every source: the
 * quotas stop it long before the store fills, and the store keeps room.
 */
START_TEST(test_nonce_quota_bounds_the_store)
{
	uint64_t retry = 0, now = pw_now_ms(), q, g;
	unsigned src, i, n, total = 0;
	char nonce[40];
	enum pw_nonce_result r;

	q = pw_nonce_quota(&st, 0);
	g = pw_nonce_quota(&st, 1);
	ck_assert_uint_ge(q, 16);
	ck_assert_uint_le(2 * g, NSLOTS / 4 + 64);
	for (n = 0, i = 0; i < 10 * NSLOTS; i++) {
		nonce_of(nonce, 1, i);
		r = pw_nonce_remember(&st, nonce, 1, now, &retry);
		ck_assert_int_ne(r, PW_NC_FULL);
		n += r == PW_NC_NEW;
	}
	ck_assert_uint_le(n, q + 1);
	ck_assert_uint_ge(n, q - 1);
	ck_assert_uint_ge(retry, 1);
	total = n;
	for (src = 2; src < 2 + PW_RATE_BUCKETS; src++)
		for (i = 0; i < 64; i++) {
			nonce_of(nonce, src, i);
			r = pw_nonce_remember(&st, nonce, src, now, &retry);
			ck_assert_int_ne(r, PW_NC_FULL);
			total += r == PW_NC_NEW;
		}
	ck_assert_uint_le(total, g + 1);
	/* Time refills a source's quota, one nonce per step. */
	nonce_of(nonce, 1, 999999);
	ck_assert_int_eq(pw_nonce_remember(&st, nonce, 1, now + 600000, &retry),
	    PW_NC_NEW);
}
END_TEST

START_TEST(test_pc_per_cafe)
{
	uint8_t a[PW_KEY_LEN], b[PW_KEY_LEN], c[PW_KEY_LEN];

	pw_pc_key(a, 0, "PC-12", 5);
	pw_pc_key(b, pw_config_idhash("seoul-01"), "PC-12", 5);
	pw_pc_key(c, pw_config_idhash("seoul-01"), "PC-12", 5);
	ck_assert_mem_ne(a, b, PW_KEY_LEN);
	ck_assert_mem_eq(b, c, PW_KEY_LEN);
}
END_TEST

START_TEST(test_ls_bound_and_ott_quota)
{
	uint8_t ls[PW_KEY_LEN], ott[PW_KEY_LEN];
	struct pw_slot *s, *o;
	uint32_t cafe = pw_config_idhash("seoul-01");
	int i;

	ck_assert_int_eq(pw_ls_start(&st, "PC-1", 4, cafe, ls), 0);
	ck_assert_int_eq(pw_ls_touch(&st, ls, 0, &s), PW_TOUCH_MISMATCH);
	ck_assert_int_eq(pw_ls_touch(&st, ls, cafe + 1, &s), PW_TOUCH_MISMATCH);
	ck_assert_int_eq(pw_ls_touch(&st, ls, cafe, &s), PW_TOUCH_OK);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pw_ott_quota_take(s, 4), 1);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 0);
	ck_assert_int_eq(pw_ott_issue(&st, 1, cafe, s->u.ls.pc,
	    pw_store_ref(&st, s), pw_now_ms(), ott), 0);
	ck_assert_ptr_nonnull(o = pw_store_find(&st, ott, PW_T_OTT, NULL));
	/* Released once, however often asked. */
	pw_ott_release(&st, o);
	pw_ott_release(&st, o);
	ck_assert_uint_eq(atomic_load(&s->u.ls.otts), 3);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 1);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 0);
}
END_TEST

static void
lsig(struct pw_lsig *q, const char *sig)
{
	q->method = "POST";
	q->path = "/v1/launcher/ott";
	q->ts = "1700000000";
	q->nonce = "0123456789abcdef";
	q->sig = sig;
	q->body = "{}";
	q->len = 2;
}

/* The documented message, built by hand; and each part matters. */
START_TEST(test_signature_v2)
{
	static const char msg[] = "POST\n/v1/launcher/ott\n1700000000\n"
	    "0123456789abcdef\n{}";
	uint8_t mac[PW_SHA256_LEN];
	char hex[65];
	struct pw_lsig q;

	pw_hmac_sha256("k", 1, msg, sizeof(msg) - 1, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	lsig(&q, hex);
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000000), 1);
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000301), 0);
	q.method = "PATCH";
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000000), 0);
	lsig(&q, hex);
	q.path = "/v1/launcher/session/heartbeat";
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000000), 0);
	lsig(&q, hex);
	q.nonce = "0123456789abcdeg";
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000000), 0);
	lsig(&q, hex);
	q.nonce = NULL;
	ck_assert_int_eq(pw_launcher_sig_ok("k", &q, 1700000000), 0);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcde"), 0);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcdef"), 1);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcde."), 0);
	memset(hex, 'a', 64);
	hex[64] = '\0';
	ck_assert_int_eq(pw_launcher_nonce_ok(hex), 1);
	ck_assert_int_eq(pw_launcher_nonce_ok("a_-Z0123456789zz"), 1);
}
END_TEST

static Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nonce_replay);
	tcase_add_test(tc, test_nonce_shared);
	tcase_add_test(tc, test_nonce_quota_bounds_the_store);
	tcase_add_test(tc, test_pc_per_cafe);
	tcase_add_test(tc, test_ls_bound_and_ott_quota);
	tcase_add_test(tc, test_signature_v2);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(trust_suite()));
}
