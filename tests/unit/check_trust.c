/*
 * Trust at the edge, in the store (contract v3): the replay cache of
 * session starts, start quotas each owned by its cafe or home prefix,
 * session keys, the per-session replay window, launcher sessions bound to
 * their cafe, PCs per cafe, keyed placement; and both signatures.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_names.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_conf.h"
#include "check_run.h"
#include "check_tmp.h"

#define NSLOTS	1024

static struct pw_store st;
static struct pw_config *cfg;

static const char conf[] = CONF_SECRETS CONF_GAME("alpha", 10)
    "cafe-start-quota 10\nhome-start-quota 4\nhome-start-total 12\n"
    "cafe seoul-01 {\n network 10.1.0.0/16\n cafe-start-quota 6\n}\n"
    CONF_CAFE("busan-02", "10.2.0.0/16");

static void
setup(void)
{
	char dir[256], path[300], err[512];

	tmp_dir(dir, sizeof(dir), "pwtrust");
	snprintf(path, sizeof(path), "%s/store", dir);
	tmp_store_open(&st, path, NSLOTS);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_ptr_nonnull(cfg = calloc(1, sizeof(*cfg)));
	if (pw_config_parse(cfg, conf, sizeof(conf) - 1, "t", err,
	    sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
}

static void
teardown(void)
{
	free(cfg);
	pw_store_close(&st);
}

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}
	return (ss);
}

static uint64_t
prefix_of(const char *text)
{
	struct sockaddr_storage ss = addr(text);

	return (pw_prefix_key(&st, (struct sockaddr *)&ss));
}

START_TEST(test_nonce_replay)
{
	uint64_t now = pw_store_now(&st);

	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnop"), 0);
	ck_assert_int_eq(pw_nonce_remember(&st, "abcdefghijklmnop", now),
	    PW_NC_NEW);
	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnop"), 1);
	ck_assert_int_eq(pw_nonce_remember(&st, "abcdefghijklmnop", now),
	    PW_NC_REPLAY);
	ck_assert_int_eq(pw_nonce_seen(&st, "abcdefghijklmnoq"), 0);
}
END_TEST

/* Another process (a worker) remembers; this one sees the replay. */
START_TEST(test_nonce_shared)
{
	pid_t pid;
	int status;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		pw_store_set_cell(&st, 1);
		_exit(pw_nonce_remember(&st, "from-the-other-worker",
		    pw_store_now(&st)) == PW_NC_NEW ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(pw_nonce_remember(&st, "from-the-other-worker",
	    pw_store_now(&st)), PW_NC_REPLAY);
}
END_TEST

static int
starts(const struct pw_cafe *cafe, uint64_t prefix, int n, uint64_t now)
{
	uint64_t retry;
	int i, ok;

	for (ok = 0, i = 0; i < n; i++)
		ok += pw_quota_start(&st, cfg, cafe, prefix, now, &retry) == 0;
	return (ok);
}

/*
 * Each cafe's quota is its own, exact (its cafe-start-quota per window,
 * whatever the other cafes or any number of home prefixes do), and time
 * refills it.
 */
START_TEST(test_cafe_quota_is_its_own)
{
	const struct pw_cafe *a, *b;
	uint64_t now = pw_store_now(&st), retry = 0;
	char ip[32];
	int i;

	a = pw_config_cafe(cfg, "seoul-01");
	b = pw_config_cafe(cfg, "busan-02");
	ck_assert_int_eq(a->start_quota, 6);
	ck_assert_int_eq(b->start_quota, 10);
	/* A home flood from many prefixes first. */
	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "192.0.%d.7", i % 250);
		(void)starts(NULL, prefix_of(ip), 3, now);
	}
	ck_assert_int_eq(starts(b, 0, 100, now), 10);
	ck_assert_int_eq(starts(a, 0, 100, now), 6);
	ck_assert_int_eq(pw_quota_start(&st, cfg, a, 0, now, &retry), -1);
	ck_assert_uint_ge(retry, 1);
	ck_assert_uint_le(retry, PW_QUOTA_WINDOW);
	ck_assert_uint_ge(pw_counter_sum(&st, PW_C_LS_OVER_CAFE_QUOTA), 180);
	/* One window later each has its whole quota back. */
	now += (uint64_t)PW_QUOTA_WINDOW * 1000;
	ck_assert_int_eq(starts(a, 0, 100, now), 6);
	ck_assert_int_eq(starts(b, 0, 100, now), 10);
	/* A cafe's state is found by its id: exact, never a shared bucket. */
	ck_assert_ptr_eq(pw_cafe_state(&st, a->hash), pw_cafe_state(&st,
	    a->hash));
	ck_assert_ptr_ne(pw_cafe_state(&st, a->hash), pw_cafe_state(&st,
	    b->hash));
}
END_TEST

/* Home starts: per /24 (or /56), and all of them together. */
START_TEST(test_home_quota)
{
	uint64_t now = pw_store_now(&st);

	ck_assert_uint_eq(prefix_of("198.51.100.1"),
	    prefix_of("198.51.100.254"));
	ck_assert_uint_ne(prefix_of("198.51.100.1"), prefix_of("198.51.101.1"));
	ck_assert_uint_eq(prefix_of("2001:db8:0:ff::1"),
	    prefix_of("2001:db8:0:aa::2"));
	ck_assert_uint_ne(prefix_of("2001:db8:0:100::1"),
	    prefix_of("2001:db8:0:200::1"));
	ck_assert_int_eq(starts(NULL, prefix_of("198.51.100.1"), 50, now), 4);
	ck_assert_int_eq(starts(NULL, prefix_of("198.51.100.99"), 50, now), 0);
	ck_assert_int_eq(starts(NULL, prefix_of("198.51.101.1"), 50, now), 4);
	/* home-start-total 12: the third prefix gets what is left. */
	ck_assert_int_eq(starts(NULL, prefix_of("198.51.102.1"), 50, now), 4);
	ck_assert_int_eq(starts(NULL, prefix_of("198.51.103.1"), 50, now), 0);
	/* Refused home starts cost no cafe anything. */
	ck_assert_int_eq(starts(pw_config_cafe(cfg, "seoul-01"), 0, 50, now),
	    6);
}
END_TEST

/* The prefix key is keyed: another store places the same prefix apart. */
START_TEST(test_prefix_key_is_keyed)
{
	struct pw_store other;
	struct sockaddr_storage ss = addr("198.51.100.1");
	char dir[256], path[300];

	tmp_dir(dir, sizeof(dir), "pwtrust");
	snprintf(path, sizeof(path), "%s/store", dir);
	tmp_store_open(&other, path, NSLOTS);
	ck_assert_uint_ne(pw_prefix_key(&st, (struct sockaddr *)&ss),
	    pw_prefix_key(&other, (struct sockaddr *)&ss));
	pw_store_close(&other);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * Keyed placement: a key's home is not a function of its bytes alone,
 * so keys made to share their first bytes (what the unkeyed placement
 * used) spread over the table like any others.
 */
START_TEST(test_placement_is_keyed)
{
	uint8_t key[PW_KEY_LEN];
	uint64_t seen[NSLOTS / 64];
	unsigned i, distinct = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 256; i++) {
		memset(key, 0x41, sizeof(key));
		key[15] = (uint8_t)i;
		uint64_t h = pw_store_home(&st, key);
		if ((seen[h / 64] & (1ull << (h % 64))) == 0)
			distinct++;
		seen[h / 64] |= 1ull << (h % 64);
	}
	/* 256 keys into 1024 homes: about 226 distinct if spread. */
	ck_assert_uint_ge(distinct, 200);
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

/* Home launchers are each their own PC: no start replaces another. */
START_TEST(test_home_never_replaces)
{
	uint8_t l1[PW_KEY_LEN], l2[PW_KEY_LEN];
	struct pw_slot *s1, *s2;
	uint64_t w;

	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", 0, l1), 0);
	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", 0, l2), 0);
	ck_assert_ptr_nonnull(s1 = pw_store_find(&st, l1, PW_T_LS, &w));
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	ck_assert_ptr_nonnull(s2 = pw_store_find(&st, l2, PW_T_LS, &w));
	ck_assert_uint_eq(PW_W_STATE(w), PW_LS_LIVE);
	ck_assert_mem_ne(s1->u.ls.pc, s2->u.ls.pc, PW_KEY_LEN);
}
END_TEST

/* The session key: HMAC(HMAC(store secret, label), "ls_<uuid>"). */
START_TEST(test_session_key)
{
	static const char label[] = "playwaved launcher session key v3";
	uint8_t ls[PW_KEY_LEN], k1[32], k2[32], ks[32], want[32];
	char id[48];
	size_t n;

	pw_store_new_id(&st, ls);
	pw_ls_session_key(&st, ls, k1);
	pw_ls_session_key(&st, ls, k2);
	ck_assert_mem_eq(k1, k2, 32);
	pw_hmac_sha256(st.hdr->session_secret, sizeof(st.hdr->session_secret),
	    label, sizeof(label) - 1, ks);
	n = pw_id_format(PW_T_LS, ls, id, sizeof(id));
	pw_hmac_sha256(ks, sizeof(ks), id, n, want);
	ck_assert_mem_eq(k1, want, 32);
	ls[3] ^= 1;
	pw_ls_session_key(&st, ls, k2);
	ck_assert_mem_ne(k1, k2, 32);
	/* Never the placement key, never a configured secret. */
	ck_assert_mem_ne(st.hdr->session_secret, st.hdr->place_key,
	    PW_PLACE_KEY_LEN);
}
END_TEST

/* RFC 4303's window: duplicates, order within 32, too old. */
START_TEST(test_window)
{
	uint8_t ls[PW_KEY_LEN];
	struct pw_slot *s;
	uint32_t i;

	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", 0, ls), 0);
	ck_assert_ptr_nonnull(s = pw_store_find(&st, ls, PW_T_LS, NULL));
	ck_assert_int_eq(pw_ls_window_accept(s, 5), 0);
	ck_assert_int_eq(pw_ls_window_accept(s, 5), -1);	/* duplicate */
	ck_assert_int_eq(pw_ls_window_accept(s, 3), 0);	/* late, in window */
	ck_assert_int_eq(pw_ls_window_accept(s, 3), -1);
	ck_assert_int_eq(pw_ls_window_accept(s, 1), 0);
	ck_assert_int_eq(pw_ls_window_accept(s, 40), 0);	/* slides */
	ck_assert_int_eq(pw_ls_window_accept(s, 9), 0);	/* 40 - 31 */
	ck_assert_int_eq(pw_ls_window_accept(s, 8), -1);	/* too old */
	ck_assert_int_eq(pw_ls_window_accept(s, 5), -1);
	ck_assert_int_eq(pw_ls_window_accept(s, 40), -1);
	for (i = 41; i < 200; i += 2)
		ck_assert_int_eq(pw_ls_window_accept(s, i), 0);
	for (i = 200 - 30; i < 200; i += 2)
		ck_assert_int_eq(pw_ls_window_accept(s, i), 0);	/* the gaps */
	for (i = 200 - 31; i < 200; i++)
		ck_assert_int_eq(pw_ls_window_accept(s, i), -1);
	ck_assert_int_eq(pw_ls_window_accept(s, UINT32_MAX), 0);
	ck_assert_int_eq(pw_ls_window_accept(s, UINT32_MAX), -1);
	ck_assert_uint_eq(atomic_load(&s->u.ls.window) >> 32, UINT32_MAX);
}
END_TEST

#define WIN_PROCS	20
#define WIN_SEQS	640

/*
 * Processes racing on one session: each seq is accepted exactly once,
 * whoever sends it and in whatever order within the window.
 */
START_TEST(test_window_concurrent)
{
	_Atomic uint32_t *won;
	uint8_t ls[PW_KEY_LEN];
	struct pw_slot *s;
	pid_t pids[WIN_PROCS];
	uint32_t seq, i, total;
	int p, status;

	won = mmap(NULL, sizeof(*won) * (WIN_SEQS + 1), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
	ck_assert_ptr_ne(won, MAP_FAILED);
	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", 0, ls), 0);
	ck_assert_ptr_nonnull(s = pw_store_find(&st, ls, PW_T_LS, NULL));
	for (p = 0; p < WIN_PROCS; p++) {
		ck_assert_int_ne(pids[p] = fork(), -1);
		if (pids[p] != 0)
			continue;
		/* Every process sends every seq, in an order of its own. */
		for (i = 0; i < WIN_SEQS; i++) {
			seq = 1 + (i ^ (uint32_t)(p % 8));
			if (seq <= WIN_SEQS &&
			    pw_ls_window_accept(s, seq) == 0)
				atomic_fetch_add(&won[seq], 1);
		}
		_exit(0);
	}
	for (p = 0; p < WIN_PROCS; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (total = 0, seq = 1; seq <= WIN_SEQS; seq++) {
		ck_assert_uint_le(atomic_load(&won[seq]), 1);
		total += atomic_load(&won[seq]);
	}
	/* Seqs that fell out of the window while a slower process held them. */
	ck_assert_uint_ge(total, WIN_SEQS - WIN_SEQS / 4);
	munmap(won, sizeof(*won) * (WIN_SEQS + 1));
}
END_TEST

static void
session_req(struct pw_lsig_session *q, const uint8_t key[32], const char *seq,
    char hex[65])
{
	uint8_t mac[PW_SHA256_LEN];

	q->method = "PATCH";
	q->path = "/v1/launcher/session/heartbeat";
	q->seq = seq;
	q->body = "{}";
	q->len = 2;
	q->sig = NULL;
	pw_launcher_session_mac(key, q, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	q->sig = hex;
}

/*
 * A session request, in the API's order: unknown session (404) before a
 * signature check; then signature, seq, and with the seq taken, cafe.
 */
START_TEST(test_session_request_order)
{
	uint8_t ls[PW_KEY_LEN], other[PW_KEY_LEN], k[32];
	uint32_t cafe = pw_config_idhash("seoul-01");
	struct pw_lsig_session q;
	struct pw_slot *s = NULL;
	uint64_t retry;
	char hex[65];

	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", cafe, ls), 0);
	pw_ls_session_key(&st, ls, k);
	pw_store_new_id(&st, other);
	session_req(&q, k, "1", hex);
	ck_assert_int_eq(pw_ls_request(&st, cfg, other, &q, cafe, &s, &retry),
	    PW_LSC_NOT_FOUND);
	hex[0] = hex[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_BAD_SIGNATURE);
	session_req(&q, k, "1", hex);
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, 0, &s, &retry),
	    PW_LSC_MISMATCH);	/* from outside the cafe: seq 1 taken */
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_REPLAYED);
	session_req(&q, k, "2", hex);
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_OK);
	ck_assert_ptr_eq(s, pw_store_find(&st, ls, PW_T_LS, NULL));
	/* Another session's key signs nothing of this one. */
	pw_ls_session_key(&st, other, k);
	session_req(&q, k, "3", hex);
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_BAD_SIGNATURE);
	/* Ended: 410, after the seq is taken. */
	ck_assert_int_eq(pw_ls_end_slot(&st, s, PW_R_REPLACED,
	    pw_store_now(&st)), 1);
	pw_ls_session_key(&st, ls, k);
	session_req(&q, k, "4", hex);
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_ENDED);
	ck_assert_int_eq(pw_ls_request(&st, cfg, ls, &q, cafe, &s, &retry),
	    PW_LSC_REPLAYED);
}
END_TEST

START_TEST(test_ott_quota)
{
	uint8_t ls[PW_KEY_LEN], ott[PW_KEY_LEN];
	struct pw_slot *s, *o;
	uint32_t cafe = pw_config_idhash("seoul-01");
	int i;

	ck_assert_int_eq(tmp_ls_start(&st, "PC-1", cafe, ls), 0);
	ck_assert_ptr_nonnull(s = pw_store_find(&st, ls, PW_T_LS, NULL));
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pw_ott_quota_take(s, 4), 1);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 0);
	ck_assert_int_eq(pw_ott_issue(&st, 1, cafe, s->u.ls.pc,
	    pw_store_ref(&st, s), pw_store_now(&st), ott), 0);
	ck_assert_ptr_nonnull(o = pw_store_find(&st, ott, PW_T_OTT, NULL));
	/* Released once, however often asked. */
	pw_ott_release(&st, o);
	pw_ott_release(&st, o);
	ck_assert_uint_eq(atomic_load(&s->u.ls.otts), 3);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 1);
	ck_assert_int_eq(pw_ott_quota_take(s, 4), 0);
}
END_TEST

/* The documented start message, built by hand; each part matters. */
START_TEST(test_signature_start)
{
	static const char msg[] = "POST\n/v1/launcher/session\n1700000000\n"
	    "0123456789abcdef\n{}";
	struct pw_lsig_start q, q0;
	uint8_t mac[PW_SHA256_LEN];
	char hex[65];

	pw_hmac_sha256("k", 1, msg, sizeof(msg) - 1, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	q0.method = "POST";
	q0.path = "/v1/launcher/session";
	q0.ts = "1700000000";
	q0.nonce = "0123456789abcdef";
	q0.sig = hex;
	q0.body = "{}";
	q0.len = 2;
	q = q0;
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000000), 1);
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000301), 0);
	ck_assert_int_eq(pw_launcher_start_ok("K", 1, &q, 1700000000), 0);
	q.method = "PATCH";
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000000), 0);
	q = q0;
	q.path = "/v1/launcher/ott";
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000000), 0);
	q = q0;
	q.nonce = "0123456789abcdeg";
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000000), 0);
	q = q0;
	q.nonce = NULL;
	ck_assert_int_eq(pw_launcher_start_ok("k", 1, &q, 1700000000), 0);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcde"), 0);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcdef"), 1);
	ck_assert_int_eq(pw_launcher_nonce_ok("0123456789abcde."), 0);
	ck_assert_int_eq(pw_launcher_nonce_ok("a_-Z0123456789zz"), 1);
	ck_assert_int_eq(pw_launcher_key_id_ok("k2026a"), 1);
	ck_assert_int_eq(pw_launcher_key_id_ok(""), 0);
	ck_assert_int_eq(pw_launcher_key_id_ok("k 1"), 0);
	ck_assert_int_eq(pw_launcher_key_id_ok(
	    "0123456789abcdef0123456789abcdef"), 1);
	ck_assert_int_eq(pw_launcher_key_id_ok(
	    "0123456789abcdef0123456789abcdef0"), 0);
}
END_TEST

/* The documented session message, built by hand, and X-Seq's grammar. */
START_TEST(test_signature_session)
{
	static const char msg[] = "PATCH\n/v1/launcher/session/heartbeat\n"
	    "42\n{}";
	struct pw_lsig_session q;
	uint8_t key[32], mac[PW_SHA256_LEN];
	char hex[65];

	memset(key, 7, sizeof(key));
	pw_hmac_sha256(key, sizeof(key), msg, sizeof(msg) - 1, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	q.method = "PATCH";
	q.path = "/v1/launcher/session/heartbeat";
	q.seq = "42";
	q.sig = hex;
	q.body = "{}";
	q.len = 2;
	ck_assert_int_eq(pw_launcher_session_ok(key, &q), 1);
	q.seq = "43";
	ck_assert_int_eq(pw_launcher_session_ok(key, &q), 0);
	q.seq = "042";
	ck_assert_int_eq(pw_launcher_session_ok(key, &q), 0);
	ck_assert_uint_eq(pw_launcher_seq("1"), 1);
	ck_assert_uint_eq(pw_launcher_seq("4294967295"), 4294967295u);
	ck_assert_uint_eq(pw_launcher_seq("4294967296"), 0);
	ck_assert_uint_eq(pw_launcher_seq("0"), 0);
	ck_assert_uint_eq(pw_launcher_seq("01"), 0);
	ck_assert_uint_eq(pw_launcher_seq("+1"), 0);
	ck_assert_uint_eq(pw_launcher_seq("-1"), 0);
	ck_assert_uint_eq(pw_launcher_seq(" 1"), 0);
	ck_assert_uint_eq(pw_launcher_seq("1 "), 0);
	ck_assert_uint_eq(pw_launcher_seq("0x10"), 0);
	ck_assert_uint_eq(pw_launcher_seq(""), 0);
	ck_assert_uint_eq(pw_launcher_seq("99999999999"), 0);
	ck_assert_uint_eq(pw_launcher_seq(NULL), 0);
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
	tcase_add_test(tc, test_cafe_quota_is_its_own);
	tcase_add_test(tc, test_home_quota);
	tcase_add_test(tc, test_prefix_key_is_keyed);
	tcase_add_test(tc, test_placement_is_keyed);
	tcase_add_test(tc, test_pc_per_cafe);
	tcase_add_test(tc, test_home_never_replaces);
	tcase_add_test(tc, test_session_key);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_window_concurrent);
	tcase_add_test(tc, test_session_request_order);
	tcase_add_test(tc, test_ott_quota);
	tcase_add_test(tc, test_signature_start);
	tcase_add_test(tc, test_signature_session);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(trust_suite()));
}
