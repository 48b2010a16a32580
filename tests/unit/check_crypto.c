/*
 * Unit tests: SHA-256, HMAC and ids.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pw_crypto.h"
#include "check_run.h"
#include "check_crypto.h"

START_TEST(test_sha256_abc)
{
	uint8_t	 d[PW_SHA256_LEN];
	char	 hex[2 * PW_SHA256_LEN + 1];

	pw_sha256("abc", 3, d);
	pw_hex_encode(d, sizeof(d), hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	pw_sha256("", 0, d);
	pw_hex_encode(d, sizeof(d), hex);
	ck_assert_str_eq(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* _i indexes rfc4231[]: one Check test per RFC case. */
START_TEST(test_hmac_rfc4231)
{
	const struct hmac_case	*tc = &rfc4231[_i];
	uint8_t			 key[256], data[256], mac[PW_SHA256_LEN];
	uint8_t			 want[PW_SHA256_LEN];
	size_t			 keylen, datalen, wantlen;

	keylen = unhex(tc->key, key, sizeof(key));
	datalen = unhex(tc->data, data, sizeof(data));
	wantlen = unhex(tc->mac, want, sizeof(want));
	/* Case 5 is truncated to 128 bits: compare the first 16 bytes. */
	ck_assert_uint_eq(wantlen, _i == 4 ? 16 : 32);
	pw_hmac_sha256(key, keylen, data, datalen, mac);
	ck_assert_mem_eq(mac, want, wantlen);
}
END_TEST

START_TEST(test_hmac_rfc4231_sizes)
{
	uint8_t	 key[256];

	/* Cases 6 and 7 exercise a key longer than the 64-byte block. */
	ck_assert_uint_eq(unhex(rfc4231[5].key, key, sizeof(key)), 131);
	ck_assert_uint_eq(unhex(rfc4231[6].key, key, sizeof(key)), 131);
}
END_TEST

/* Every split into two pieces, and byte by byte, equals the one-shot. */
START_TEST(test_hmac_streaming)
{
	const struct hmac_case	*tc = &rfc4231[6];
	struct pw_hmac		 h;
	uint8_t			 key[256], data[256];
	uint8_t			 one[PW_SHA256_LEN], mac[PW_SHA256_LEN];
	size_t			 keylen, datalen, cut, i;

	keylen = unhex(tc->key, key, sizeof(key));
	datalen = unhex(tc->data, data, sizeof(data));
	pw_hmac_sha256(key, keylen, data, datalen, one);

	for (cut = 0; cut <= datalen; cut++) {
		pw_hmac_init(&h, key, keylen);
		pw_hmac_update(&h, data, cut);
		pw_hmac_update(&h, data + cut, datalen - cut);
		pw_hmac_final(&h, mac);
		ck_assert_mem_eq(mac, one, sizeof(one));
	}

	pw_hmac_init(&h, key, keylen);
	for (i = 0; i < datalen; i++)
		pw_hmac_update(&h, data + i, 1);
	pw_hmac_final(&h, mac);
	ck_assert_mem_eq(mac, one, sizeof(one));

	/* Three pieces: "timestamp" "." "body", as the launcher signs. */
	pw_hmac_sha256("k", 1, "1700000000.{}", 13, one);
	pw_hmac_init(&h, "k", 1);
	pw_hmac_update(&h, "1700000000", 10);
	pw_hmac_update(&h, ".", 1);
	pw_hmac_update(&h, "{}", 2);
	pw_hmac_final(&h, mac);
	ck_assert_mem_eq(mac, one, sizeof(one));
}
END_TEST

START_TEST(test_hmac_empty_key)
{
	uint8_t	 mac[PW_SHA256_LEN];
	char	 hex[2 * PW_SHA256_LEN + 1];

	/* HMAC-SHA256 with an empty key over an empty message. */
	pw_hmac_sha256("", 0, "", 0, mac);
	pw_hex_encode(mac, sizeof(mac), hex);
	ck_assert_str_eq(hex,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
END_TEST

START_TEST(test_mac_equal_hex)
{
	const char	*lower =
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
	const char	*upper =
	    "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843";
	const char	*mixed =
	    "5bDcC146bF60754e6A042426089575C75a003F089d2739839DeC58b964Ec3843";
	uint8_t		 mac[PW_SHA256_LEN];
	char		 buf[80];

	pw_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	ck_assert_int_eq(pw_mac_equal_hex(mac, lower, 64), 1);
	ck_assert_int_eq(pw_mac_equal_hex(mac, upper, 64), 1);
	ck_assert_int_eq(pw_mac_equal_hex(mac, mixed, 64), 1);

	/* Wrong lengths: short, long, odd, empty. */
	ck_assert_int_eq(pw_mac_equal_hex(mac, lower, 62), 0);
	ck_assert_int_eq(pw_mac_equal_hex(mac, lower, 63), 0);
	ck_assert_int_eq(pw_mac_equal_hex(mac, lower, 0), 0);
	snprintf(buf, sizeof(buf), "%s00", lower);
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 66), 0);
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 65), 0);
	ck_assert_int_eq(pw_mac_equal_hex(mac, NULL, 64), 0);

	/* One wrong digit, first and last. */
	strlcpy(buf, lower, sizeof(buf));
	buf[0] = '6';
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 64), 0);
	strlcpy(buf, lower, sizeof(buf));
	buf[63] = '2';
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 64), 0);

	/* Not hex at all. */
	strlcpy(buf, lower, sizeof(buf));
	buf[10] = 'g';
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 64), 0);
	buf[10] = ' ';
	ck_assert_int_eq(pw_mac_equal_hex(mac, buf, 64), 0);
}
END_TEST

START_TEST(test_timingsafe_bcmp)
{
	ck_assert_int_eq(pw_timingsafe_bcmp("abcd", "abcd", 4), 0);
	ck_assert_int_ne(pw_timingsafe_bcmp("abcd", "abce", 4), 0);
	ck_assert_int_ne(pw_timingsafe_bcmp("xbcd", "abcd", 4), 0);
	ck_assert_int_eq(pw_timingsafe_bcmp("a", "b", 0), 0);
}
END_TEST

static int
uuid_cmp(const void *a, const void *b)
{
	return (memcmp(a, b, PW_UUID_LEN));
}

START_TEST(test_uuid_new)
{
	static uint8_t	 u[1000][PW_UUID_LEN];
	static struct pw_rand r;
	char		 s[PW_UUID_STRLEN + 1];
	size_t		 i;

	/* Through the pool (several refills) and, one in ten, without. */
	pw_rand_reset(&r);
	for (i = 0; i < 1000; i++) {
		pw_uuid_new(i % 10 == 0 ? NULL : &r, u[i]);
		ck_assert_uint_eq(u[i][6] >> 4, 4);
		ck_assert_uint_eq(u[i][8] & 0xc0, 0x80);
		pw_uuid_format(u[i], s);
		ck_assert_int_eq(s[14], '4');
		ck_assert(strchr("89ab", s[19]) != NULL);
	}
	qsort(u, 1000, PW_UUID_LEN, uuid_cmp);
	for (i = 1; i < 1000; i++)
		ck_assert_int_ne(memcmp(u[i - 1], u[i], PW_UUID_LEN), 0);
}
END_TEST

/* The shard digit is the text's last character and the UUID stays v4. */
START_TEST(test_uuid_shard)
{
	uint8_t		 u[PW_UUID_LEN], v[PW_UUID_LEN];
	char		 s[PW_UUID_STRLEN + 1];
	unsigned	 k, i, seen;

	for (k = 0; k <= PW_SHARD_MAX; k++) {
		seen = 0;
		for (i = 0; i < 64; i++) {
			pw_uuid_new(NULL, u);
			memcpy(v, u, sizeof(v));
			pw_uuid_set_shard(u, k);
			ck_assert_uint_eq(pw_uuid_shard(u), k);
			/* Only the low nibble of the last byte changed. */
			ck_assert_int_eq(memcmp(u, v, PW_UUID_LEN - 1), 0);
			ck_assert_uint_eq(u[15] >> 4, v[15] >> 4);
			seen |= 1u << (u[15] >> 4);
			pw_uuid_format(u, s);
			ck_assert_int_eq(s[35], "0123456789abcdef"[k]);
			ck_assert_int_eq(s[14], '4');
			ck_assert(strchr("89ab", s[19]) != NULL);
		}
		/* The digit before it stays random. */
		ck_assert_uint_gt(__builtin_popcount(seen), 8);
	}
}
END_TEST

/* What a forked child draws after its reset is not the parent's next. */
START_TEST(test_rand_pool_fork)
{
	static struct pw_rand r;
	uint8_t	 first[16], mine[16], theirs[16], zero[16] = { 0 };
	int	 fds[2], status;
	pid_t	 pid;

	pw_rand_reset(&r);
	pw_rand_bytes(&r, first, sizeof(first));
	ck_assert_uint_eq(r.left, sizeof(r.buf) - sizeof(first));
	/* Handed-out bytes do not stay in the pool. */
	ck_assert_mem_eq(r.buf, zero, sizeof(zero));
	ck_assert_int_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		pw_rand_reset(&r);
		pw_rand_bytes(&r, mine, sizeof(mine));
		_exit(write(fds[1], mine, sizeof(mine)) == sizeof(mine) ?
		    0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	pw_rand_bytes(&r, mine, sizeof(mine));
	ck_assert_int_eq(read(fds[0], theirs, sizeof(theirs)),
	    (int)sizeof(theirs));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_ne(memcmp(mine, theirs, sizeof(mine)), 0);
	ck_assert_int_ne(memcmp(first, mine, sizeof(mine)), 0);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_uuid_parse_ok)
{
	static const uint8_t	 want[PW_UUID_LEN] = {
		0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
		0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00
	};
	uint8_t			 u[PW_UUID_LEN];
	char			 s[PW_UUID_STRLEN + 1];

	ck_assert_int_eq(pw_uuid_parse("123e4567-e89b-12d3-a456-426614174000",
	    36, u), 0);
	ck_assert_mem_eq(u, want, sizeof(want));
	ck_assert_int_eq(pw_uuid_parse("123E4567-E89B-12D3-A456-426614174000",
	    36, u), 0);
	ck_assert_mem_eq(u, want, sizeof(want));
	ck_assert_int_eq(pw_uuid_parse("123e4567-E89b-12D3-a456-426614174000",
	    36, u), 0);
	ck_assert_mem_eq(u, want, sizeof(want));

	/* Version 1 bits above: not checked; nor here, all zeros and ones. */
	ck_assert_int_eq(pw_uuid_parse("00000000-0000-0000-0000-000000000000",
	    36, u), 0);
	ck_assert_int_eq(pw_uuid_parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
	    36, u), 0);
	pw_uuid_format(u, s);
	ck_assert_str_eq(s, "ffffffff-ffff-ffff-ffff-ffffffffffff");

	/* Only len bytes are read: a longer string cut at 36 is fine. */
	ck_assert_int_eq(pw_uuid_parse(
	    "123e4567-e89b-12d3-a456-426614174000xyz", 36, u), 0);
	ck_assert_mem_eq(u, want, sizeof(want));
}
END_TEST

START_TEST(test_uuid_parse_bad)
{
	static const char	*bad[] = {
		"123e4567-e89b-12d3-a456-42661417400",	/* 35 */
		"123e4567-e89b-12d3-a456-4266141740000",	/* 37 */
		"123e4567e-89b-12d3-a456-426614174000",	/* hyphen at 9 */
		"123e4567-e89b-12d3-a4564-26614174000",	/* hyphen at 24 */
		"123e4567-e89b-12d3-a456-42661417400g",	/* non-hex */
		"123e4567-e89b-12d3-a456 426614174000",	/* space */
		"123e4567xe89bx12d3xa456x426614174000",	/* no hyphens */
		"123e456--e89b-12d3-a456-426614174000",	/* extra hyphen */
		"{23e4567-e89b-12d3-a456-426614174000",
		"123e4567-e89b-12d3-a456-4266141740\xc3\xa9",
		"",
	};
	uint8_t			 u[PW_UUID_LEN];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pw_uuid_parse(bad[i], strlen(bad[i]), u) == -1,
		    "accepted \"%s\"", bad[i]);
	/* An embedded NUL at a hex position. */
	ck_assert_int_eq(pw_uuid_parse("123e4567-e89b-12d3-a456-4266\0" "4174000",
	    36, u), -1);
	/* Right text, wrong length argument. */
	ck_assert_int_eq(pw_uuid_parse("123e4567-e89b-12d3-a456-426614174000",
	    35, u), -1);
	ck_assert_int_eq(pw_uuid_parse(NULL, 36, u), -1);
}
END_TEST

START_TEST(test_uuid_roundtrip)
{
	uint8_t	 u[PW_UUID_LEN], v[PW_UUID_LEN];
	char	 s[PW_UUID_STRLEN + 1];
	size_t	 i, k;

	for (k = 0; k < 100; k++) {
		pw_uuid_new(NULL, u);
		memset(s, 'x', sizeof(s));
		pw_uuid_format(u, s);
		ck_assert_uint_eq(strlen(s), PW_UUID_STRLEN);
		for (i = 0; i < PW_UUID_STRLEN; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				ck_assert_int_eq(s[i], '-');
			else
				ck_assert(strchr("0123456789abcdef", s[i]) !=
				    NULL);
		}
		ck_assert_int_eq(pw_uuid_parse(s, strlen(s), v), 0);
		ck_assert_mem_eq(u, v, sizeof(u));
	}
}
END_TEST

START_TEST(test_hex)
{
	uint8_t	 all[256], back[256], b[4];
	char	 hex[2 * 256 + 1];
	size_t	 i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	pw_hex_encode(all, sizeof(all), hex);
	ck_assert_uint_eq(strlen(hex), 512);
	ck_assert(strncmp(hex, "000102", 6) == 0);
	ck_assert_str_eq(hex + 500, "fafbfcfdfeff");
	ck_assert_int_eq(pw_hex_decode(hex, 512, back, sizeof(back)), 0);
	ck_assert_mem_eq(all, back, sizeof(all));

	/* Zero bytes. */
	hex[0] = 'x';
	pw_hex_encode(all, 0, hex);
	ck_assert_str_eq(hex, "");
	ck_assert_int_eq(pw_hex_decode("", 0, b, 0), 0);

	/* Either case, same bytes. */
	ck_assert_int_eq(pw_hex_decode("DeadBEEF", 8, b, 4), 0);
	ck_assert_mem_eq(b, "\xde\xad\xbe\xef", 4);
	ck_assert_int_eq(pw_hex_decode("deadbeef", 8, b, 4), 0);
	ck_assert_mem_eq(b, "\xde\xad\xbe\xef", 4);

	/* Odd length, length not 2n, non-hex digits, a 0x prefix. */
	ck_assert_int_eq(pw_hex_decode("deadbee", 7, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbeef", 8, b, 3), -1);
	ck_assert_int_eq(pw_hex_decode("deadbe", 6, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbeeg", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("0xdeadbe", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("dead beef", 9, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("de\0dbeef", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("dead:eef", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbe@f", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbe`f", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbe/f", 8, b, 4), -1);
	ck_assert_int_eq(pw_hex_decode("deadbeGf", 8, b, 4), -1);
	/* 2n overflowing must not wrap around to a match. */
	ck_assert_int_eq(pw_hex_decode("00", 2, b, SIZE_MAX / 2 + 2), -1);
}
END_TEST

static Suite *
crypto_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("crypto");

	tc = tcase_create("sha256_hmac");
	tcase_add_test(tc, test_sha256_abc);
	tcase_add_loop_test(tc, test_hmac_rfc4231, 0,
	    (int)(sizeof(rfc4231) / sizeof(rfc4231[0])));
	tcase_add_test(tc, test_hmac_rfc4231_sizes);
	tcase_add_test(tc, test_hmac_streaming);
	tcase_add_test(tc, test_hmac_empty_key);
	tcase_add_test(tc, test_mac_equal_hex);
	tcase_add_test(tc, test_timingsafe_bcmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_test(tc, test_uuid_new);
	tcase_add_test(tc, test_uuid_shard);
	tcase_add_test(tc, test_rand_pool_fork);
	tcase_add_test(tc, test_uuid_parse_ok);
	tcase_add_test(tc, test_uuid_parse_bad);
	tcase_add_test(tc, test_uuid_roundtrip);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(crypto_suite()));
}
