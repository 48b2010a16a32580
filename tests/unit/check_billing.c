/*
 * Unit tests: billing records and the log file.
 * and recovery of a store from the log (reconcile.c).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pw.h"
#include "pw_billing.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_billing.h"

START_TEST(test_roundtrip)
{
	struct pw_event in, out;
	uint8_t r[PW_EV_SIZE];
	uint64_t seq;

	for (seq = 1; seq <= 8; seq++) {
		ev_sample(&in, seq);
		if (seq == 8) {
			in.amount = -123456789012345ll;
			in.balance = INT64_MIN;
			in.reason = PW_R_LOST;
			in.type = PW_EV_END;
		}
		pw_event_encode(&in, r);
		ck_assert_int_eq(memcmp(r, PW_EV_MAGIC, 4), 0);
		ck_assert_uint_eq(r[4] | r[5] << 8 | r[6] << 16 |
		    (uint32_t)r[7] << 24, PW_EV_SIZE);
		ck_assert_uint_eq(r[8], seq);		/* little-endian */
		ck_assert_uint_eq(r[24], in.type);
		ck_assert_uint_eq(r[25], in.reason);
		memset(&out, 0xa5, sizeof(out));
		ck_assert_int_eq(pw_event_decode(r, &out), 0);
		ev_equal(&in, &out);
	}
	/* Ids longer than the field keep 23 bytes and a NUL. */
	ev_sample(&in, 9);
	memset(in.game, 'g', sizeof(in.game));
	memset(in.wallet, 'w', sizeof(in.wallet) - 1);
	in.wallet[sizeof(in.wallet) - 1] = '\0';
	pw_event_encode(&in, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	ck_assert_uint_eq(strlen(out.game), 23);
	ck_assert_uint_eq(strlen(out.wallet), 23);
	ck_assert_int_eq(memcmp(out.game, in.game, 23), 0);
	ck_assert_str_eq(pw_ev_type_name(PW_EV_CHARGE), "CHARGE");
	ck_assert_str_eq(pw_reason_name(PW_R_LOST), "LOST");
}
END_TEST

START_TEST(test_flipped_byte)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	struct pw_event ev, out;
	uint8_t r[PW_EV_SIZE], bad[PW_EV_SIZE];
	size_t off, i;

	ev_sample(&ev, 77);
	pw_event_encode(&ev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	for (off = 0; off < PW_EV_SIZE; off++) {
		for (i = 0; i < sizeof(flips); i++) {
			memcpy(bad, r, sizeof(bad));
			bad[off] ^= flips[i];
			ck_assert_msg(pw_event_decode(bad, &out) == -1,
			    "byte %zu ^ 0x%02x decoded", off, flips[i]);
		}
	}
	memset(bad, 0, sizeof(bad));
	ck_assert_int_eq(pw_event_decode(bad, &out), -1);
}
END_TEST

/* A correct checksum over impossible values is still no record. */
START_TEST(test_decode_invalid)
{
	struct pw_event ev, out;
	uint8_t r[PW_EV_SIZE];

	ev_sample(&ev, 3);
	ev.seq = 0;
	pw_event_encode(&ev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev_sample(&ev, 3);
	ev.type = 0;
	pw_event_encode(&ev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev.type = PW_EV_MAX;
	pw_event_encode(&ev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev_sample(&ev, 3);
	ev.reason = PW_R_MAX;
	pw_event_encode(&ev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
}
END_TEST

/* Open, expect the first NBASE records kept and the rest cut. */
static void
open_expect_cut(const char *path, const uint8_t *base)
{
	struct pw_blog b;
	struct pw_event ev;
	uint8_t rec[PW_EV_SIZE];
	char err[512];

	if (pw_blog_open(&b, path, err, sizeof(err)) == -1)
		ck_abort_msg("pw_blog_open: %s", err);
	ck_assert_uint_eq(b.size, NBASE * PW_EV_SIZE);
	ck_assert_uint_eq(b.last_seq, NBASE);
	ck_assert_uint_eq(b.nevents, NBASE);
	file_is(path, base, NBASE * PW_EV_SIZE);
	/* The next append lands right after the last whole record. */
	ev_sample(&ev, NBASE + 1);
	pw_event_encode(&ev, rec);
	ck_assert_int_eq(pw_blog_append(&b, rec, sizeof(rec)), 0);
	ck_assert_uint_eq(b.size, (NBASE + 1) * PW_EV_SIZE);
	pw_blog_close(&b);
	ck_assert_int_eq(file_size(path), (NBASE + 1) * PW_EV_SIZE);
}

START_TEST(test_torn_tail_every_offset)
{
	struct tdir t;
	struct pw_blog b;
	uint8_t buf[(NBASE + 1) * PW_EV_SIZE];
	char err[512];
	size_t cut;
	int saved;

	tdir_make(&t);
	records(buf, NBASE + 1);
	saved = quiet();
	for (cut = 1; cut < PW_EV_SIZE; cut++) {
		write_file(t.log, buf, NBASE * PW_EV_SIZE + cut);
		open_expect_cut(t.log, buf);
	}
	loud(saved);
	/* A whole last record is no torn tail: nothing is cut. */
	write_file(t.log, buf, sizeof(buf));
	ck_assert_int_eq(pw_blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.last_seq, NBASE + 1);
	ck_assert_uint_eq(b.size, sizeof(buf));
	pw_blog_close(&b);
	file_is(t.log, buf, sizeof(buf));
	tdir_remove(&t);
}
END_TEST

START_TEST(test_torn_tail_zeros)
{
	static const size_t zeros[] = { 1, 64, 127, 128, 129, 4096, 40000 };
	struct tdir t;
	uint8_t *buf;
	size_t i;
	int saved;

	tdir_make(&t);
	buf = calloc(1, NBASE * PW_EV_SIZE + 40000);
	ck_assert_ptr_nonnull(buf);
	records(buf, NBASE);
	saved = quiet();
	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		write_file(t.log, buf, NBASE * PW_EV_SIZE + zeros[i]);
		open_expect_cut(t.log, buf);
	}
	/* A torn record followed by zeros is a tail as well. */
	records(buf, NBASE + 1);
	memset(buf + NBASE * PW_EV_SIZE + 50, 0, PW_EV_SIZE - 50 + 1000);
	write_file(t.log, buf, (NBASE + 1) * PW_EV_SIZE + 1000);
	open_expect_cut(t.log, buf);
	loud(saved);
	free(buf);
	tdir_remove(&t);
}
END_TEST

/* Damage followed by valid records is never cut, and the file is kept. */
static void
open_refused(const char *path, const uint8_t *buf, size_t len,
    unsigned long long at)
{
	struct pw_blog b;
	char err[512], want[64];

	write_file(path, buf, len);
	err[0] = '\0';
	ck_assert_int_eq(pw_blog_open(&b, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "damaged"));
	snprintf(want, sizeof(want), "offset %llu", at);
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" lacks \"%s\"", err,
	    want);
	file_is(path, buf, len);
}

START_TEST(test_damage_in_middle)
{
	struct tdir t;
	uint8_t buf[8 * PW_EV_SIZE], bad[8 * PW_EV_SIZE];
	struct pw_event ev;

	tdir_make(&t);
	records(buf, 8);
	/* One flipped byte in record 3. */
	memcpy(bad, buf, sizeof(bad));
	bad[2 * PW_EV_SIZE + 40] ^= 0x10;
	open_refused(t.log, bad, sizeof(bad), 2 * PW_EV_SIZE);
	/* Record 3 zeroed. */
	memcpy(bad, buf, sizeof(bad));
	memset(bad + 2 * PW_EV_SIZE, 0, PW_EV_SIZE);
	open_refused(t.log, bad, sizeof(bad), 2 * PW_EV_SIZE);
	/* A lost record: seq 4 follows seq 2. */
	memcpy(bad, buf, 2 * PW_EV_SIZE);
	memcpy(bad + 2 * PW_EV_SIZE, buf + 3 * PW_EV_SIZE, 5 * PW_EV_SIZE);
	open_refused(t.log, bad, 7 * PW_EV_SIZE, 2 * PW_EV_SIZE);
	/* Half a record padded to a whole one, then whole ones. */
	memcpy(bad, buf, 3 * PW_EV_SIZE);
	ev_sample(&ev, 4);
	pw_event_encode(&ev, bad + 3 * PW_EV_SIZE);
	memset(bad + 3 * PW_EV_SIZE + 60, 0, PW_EV_SIZE - 60);
	memcpy(bad + 4 * PW_EV_SIZE, buf + 3 * PW_EV_SIZE, 4 * PW_EV_SIZE);
	open_refused(t.log, bad, sizeof(bad), 3 * PW_EV_SIZE);
	tdir_remove(&t);
}
END_TEST

/*
 * Half a record, then whole records appended right after it (a short
 * write that could not be taken back): the valid records that follow do
 * not start at a multiple of the record size, and must not be cut.
 */
START_TEST(test_damage_then_unaligned)
{
	struct tdir t;
	struct pw_blog b;
	uint8_t buf[8 * PW_EV_SIZE], bad[8 * PW_EV_SIZE];
	char err[512];
	size_t len;
	off_t size;
	int rc, saved;

	tdir_make(&t);
	records(buf, 8);
	memcpy(bad, buf, 3 * PW_EV_SIZE + 60);
	memcpy(bad + 3 * PW_EV_SIZE + 60, buf + 3 * PW_EV_SIZE,
	    4 * PW_EV_SIZE);
	len = 7 * PW_EV_SIZE + 60;
	write_file(t.log, bad, len);
	saved = quiet();
	rc = pw_blog_open(&b, t.log, err, sizeof(err));
	loud(saved);
	if (rc == 0)
		pw_blog_close(&b);
	size = file_size(t.log);
	tdir_remove(&t);
	ck_assert_msg(rc == -1 && size == (off_t)len, "pw_blog_open "
	    "returned %d and left %lld of %zu bytes", rc, (long long)size,
	    len);
}
END_TEST

START_TEST(test_empty_log)
{
	struct tdir t;
	struct pw_blog b;
	char err[512];

	tdir_make(&t);
	/* Made when missing. */
	ck_assert_int_eq(pw_blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.size, 0);
	ck_assert_uint_eq(b.last_seq, 0);
	pw_blog_close(&b);
	ck_assert_int_eq(file_size(t.log), 0);
	ck_assert_int_eq(pw_blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.size, 0);
	pw_blog_close(&b);
	tdir_remove(&t);
}
END_TEST

static Suite *
billing_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("billing");

	tc = tcase_create("records");
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_flipped_byte);
	tcase_add_test(tc, test_decode_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_test(tc, test_torn_tail_every_offset);
	tcase_add_test(tc, test_torn_tail_zeros);
	tcase_add_test(tc, test_damage_in_middle);
	tcase_add_test(tc, test_damage_then_unaligned);
	tcase_add_test(tc, test_empty_log);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(billing_suite()));
}
