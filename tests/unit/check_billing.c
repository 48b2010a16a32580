/*
 * Unit tests: billing records (formats 1 and 2, the chain) and the
 * active file: torn tails copied aside and cut, damage refused, the zero
 * hole of a power cut told from rot.
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

#define REC(i)	(HDR + (size_t)(i) * PW_EV_SIZE)	/* offset of seq i+1 */

START_TEST(test_roundtrip)
{
	uint8_t r[PW_EV_SIZE], prev[PW_LINK_LEN];
	struct pw_event in, out;
	uint64_t seq;

	memset(prev, 7, sizeof(prev));
	for (seq = 1; seq <= 8; seq++) {
		ev_sample(&in, seq);
		if (seq == 8) {
			in.amount = -123456789012345ll;
			in.balance = INT64_MIN;
			in.reason = PW_R_LOST;
			in.type = PW_EV_END;
		}
		pw_event_encode(&in, prev, r);
		ck_assert_int_eq(memcmp(r, PW_EV_MAGIC, 4), 0);
		ck_assert_uint_eq(r[4] | r[5] << 8 | r[6] << 16 |
		    (uint32_t)r[7] << 24, PW_EV_SIZE);
		ck_assert_uint_eq(r[8], seq);		/* little-endian */
		ck_assert_uint_eq(r[24], in.type);
		ck_assert_uint_eq(r[25], in.reason);
		memset(&out, 0xa5, sizeof(out));
		ck_assert_int_eq(pw_event_decode(r, &out), 0);
		if (pw_ev_of_credit(in.type))
			in.game[0] = '\0';	/* a credit has no game */
		ev_equal(&in, &out);
		ck_assert(pw_event_chains(prev, r));
		memcpy(prev, out.link, sizeof(prev));
	}
	/* Ids longer than the field keep 23 bytes and a NUL. */
	ev_sample(&in, 9);
	memset(in.game, 'g', sizeof(in.game));
	memset(in.wallet, 'w', sizeof(in.wallet) - 1);
	in.wallet[sizeof(in.wallet) - 1] = '\0';
	pw_event_encode(&in, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	ck_assert_uint_eq(strlen(out.game), 23);
	ck_assert_uint_eq(strlen(out.wallet), 23);
	ck_assert_int_eq(memcmp(out.game, in.game, 23), 0);
	ck_assert_str_eq(pw_ev_type_name(PW_EV_CHARGE), "CHARGE");
	ck_assert_str_eq(pw_reason_name(PW_R_LOST), "LOST");
}
END_TEST

/* A credit's memo takes the game's bytes: all 24 of them, no game. */
START_TEST(test_memo)
{
	uint8_t r[PW_EV_SIZE], prev[PW_LINK_LEN];
	struct pw_event in, out;

	memset(prev, 0, sizeof(prev));
	ev_sample(&in, 5);
	in.type = PW_EV_CREDIT;
	strlcpy(in.memo, "123456789012345678901234", sizeof(in.memo));
	pw_event_encode(&in, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	ck_assert_str_eq(out.memo, "123456789012345678901234");
	ck_assert_str_eq(out.game, "");
	ck_assert_int_eq(memcmp(r + 64, in.memo, PW_EV_MEMO), 0);
	in.type = PW_EV_DEBIT;
	strlcpy(in.memo, "move to shard 2", sizeof(in.memo));
	pw_event_encode(&in, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	ck_assert_str_eq(out.memo, "move to shard 2");
}
END_TEST

START_TEST(test_flipped_byte)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	uint8_t r[PW_EV_SIZE], bad[PW_EV_SIZE], prev[PW_LINK_LEN];
	struct pw_event ev, out;
	size_t off, i;

	memset(prev, 3, sizeof(prev));
	ev_sample(&ev, 77);
	pw_event_encode(&ev, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	/* Every byte is under the record's own check, its link included. */
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

/* Edited and its own check made right: valid alone, out of the chain. */
START_TEST(test_edited_rechecked)
{
	uint8_t r[PW_EV_SIZE], prev[PW_LINK_LEN], md[PW_SHA256_LEN];
	struct pw_event ev, out;

	memset(prev, 9, sizeof(prev));
	ev_sample(&ev, 12);
	pw_event_encode(&ev, prev, r);
	ck_assert(pw_event_chains(prev, r));
	r[32] ^= 0x01;				/* the amount */
	pw_sha256(r, 152, md);
	memcpy(r + 152, md, 8);
	ck_assert_int_eq(pw_event_decode(r, &out), 0);
	ck_assert(!pw_event_chains(prev, r));
}
END_TEST

/* A correct checksum over impossible values is still no record. */
START_TEST(test_decode_invalid)
{
	uint8_t r[PW_EV_SIZE], prev[PW_LINK_LEN] = { 0 };
	struct pw_event ev, out;

	ev_sample(&ev, 3);
	ev.seq = 0;
	pw_event_encode(&ev, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev_sample(&ev, 3);
	ev.type = 0;
	pw_event_encode(&ev, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev.type = PW_EV_MAX;
	pw_event_encode(&ev, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
	ev_sample(&ev, 3);
	ev.reason = PW_R_MAX;
	pw_event_encode(&ev, prev, r);
	ck_assert_int_eq(pw_event_decode(r, &out), -1);
}
END_TEST

/* Format 1 reads back; neither format passes for the other. */
START_TEST(test_format1)
{
	uint8_t r1[PW_EV1_SIZE], r2[PW_EV_SIZE], prev[PW_LINK_LEN] = { 0 };
	struct pw_event in, out;

	ev_sample(&in, 4);
	pw_event_encode1(&in, r1);
	ck_assert_int_eq(memcmp(r1, PW_EV1_MAGIC, 4), 0);
	ck_assert_int_eq(pw_event_decode1(r1, &out), 0);
	ev_equal(&in, &out);
	ck_assert_uint_eq(out.format, 1);
	pw_event_encode(&in, prev, r2);
	ck_assert_int_eq(pw_event_decode1(r2, &out), -1);
	memcpy(r2, r1, sizeof(r1));
	ck_assert_int_eq(pw_event_decode(r2, &out), -1);
	/* Bytes 0-119 of format 2 hold format 1's fields. */
	pw_event_encode(&in, prev, r2);
	ck_assert_int_eq(memcmp(r1 + 8, r2 + 8, 112), 0);
}
END_TEST

/*
 * Open, expect the first NBASE records kept and the rest cut, copied
 * aside first (one more .torn- file).
 */
static void
open_expect_cut(struct tdir *t, const uint8_t *base, size_t len)
{
	struct pw_blog b;
	struct pw_event ev;
	char err[512];
	int kept;

	kept = tdir_count(t, "billing.log.torn-");
	if (blog_open(&b, t->log, err, sizeof(err)) == -1)
		ck_abort_msg("pw_blog_open: %s", err);
	ck_assert_uint_eq(b.size, REC(NBASE));
	ck_assert_uint_eq(b.last_seq, NBASE);
	ck_assert_uint_eq(b.nevents, NBASE);
	file_is(t->log, base, REC(NBASE));
	ck_assert_int_eq(tdir_count(t, "billing.log.torn-"), kept + 1);
	(void)len;
	/* The next append lands right after the last whole record. */
	ev_sample(&ev, NBASE + 1);
	ck_assert_int_eq(pw_blog_put(&b, &ev), 0);
	ck_assert_uint_eq(b.size, REC(NBASE + 1));
	blog_close(&b);
	ck_assert_int_eq(file_size(t->log), REC(NBASE + 1));
	ck_assert_int_eq(blog_open(&b, t->log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.last_seq, NBASE + 1);
	blog_close(&b);
}

START_TEST(test_torn_tail_every_offset)
{
	uint8_t buf[REC(NBASE + 1)];
	struct tdir t;
	struct pw_blog b;
	char err[512];
	size_t cut;
	int saved;

	tdir_make(&t);
	records(buf, NBASE + 1);
	saved = quiet();
	for (cut = 1; cut < PW_EV_SIZE; cut++) {
		write_file(t.log, buf, REC(NBASE) + cut);
		open_expect_cut(&t, buf, REC(NBASE) + cut);
	}
	loud(saved);
	ck_assert_int_eq(tdir_count(&t, "billing.log.torn-"), PW_EV_SIZE - 1);
	/* A whole last record is no torn tail: nothing is cut. */
	write_file(t.log, buf, sizeof(buf));
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.last_seq, NBASE + 1);
	ck_assert_uint_eq(b.size, sizeof(buf));
	blog_close(&b);
	file_is(t.log, buf, sizeof(buf));
	tdir_remove(&t);
}
END_TEST

/* The bytes cut are in the copy, exactly. */
START_TEST(test_torn_tail_kept)
{
	uint8_t buf[REC(NBASE + 1)];
	char path[700], err[512];
	struct tdir t;
	struct pw_blog b;
	struct dirent *de;
	DIR *d;
	int saved;

	tdir_make(&t);
	records(buf, NBASE + 1);
	write_file(t.log, buf, REC(NBASE) + 99);
	saved = quiet();
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	loud(saved);
	blog_close(&b);
	d = opendir(t.dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "billing.log.torn-5-", 19) == 0)
			break;
	ck_assert_ptr_nonnull(de);
	snprintf(path, sizeof(path), "%s/%s", t.dir, de->d_name);
	closedir(d);
	file_is(path, buf + REC(NBASE), 99);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_torn_tail_zeros)
{
	static const size_t zeros[] = { 1, 64, 159, 160, 161, 4096, 40000 };
	struct tdir t;
	uint8_t *buf;
	size_t i;
	int saved;

	tdir_make(&t);
	buf = calloc(1, REC(NBASE + 1) + 40000);
	ck_assert_ptr_nonnull(buf);
	records(buf, NBASE);
	saved = quiet();
	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		write_file(t.log, buf, REC(NBASE) + zeros[i]);
		open_expect_cut(&t, buf, REC(NBASE) + zeros[i]);
	}
	/* A torn record followed by zeros is a tail as well. */
	records(buf, NBASE + 1);
	memset(buf + REC(NBASE) + 50, 0, PW_EV_SIZE - 50 + 1000);
	write_file(t.log, buf, REC(NBASE + 1) + 1000);
	open_expect_cut(&t, buf, REC(NBASE + 1) + 1000);
	loud(saved);
	free(buf);
	tdir_remove(&t);
}
END_TEST

/* Refused, the file as it was, nothing copied aside; err has what. */
static void
open_refused(struct tdir *t, const uint8_t *buf, size_t len, size_t at,
    const char *what, uint64_t durable)
{
	struct pw_blog b;
	char err[512], want[64];

	write_file(t->log, buf, len);
	err[0] = '\0';
	ck_assert_int_eq(blog_open_at(&b, t->log, 0, durable, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "damaged"));
	ck_assert_ptr_nonnull(strstr(err, "playwavectl log verify"));
	snprintf(want, sizeof(want), "offset %zu", at);
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" lacks \"%s\"", err,
	    want);
	if (what != NULL)
		ck_assert_msg(strstr(err, what) != NULL, "\"%s\" lacks \"%s\"",
		    err, what);
	file_is(t->log, buf, len);
	ck_assert_int_eq(tdir_count(t, "billing.log.torn-"), 0);
}

START_TEST(test_damage_in_middle)
{
	uint8_t buf[REC(8)], bad[REC(8)], link[PW_LINK_LEN];
	struct pw_event ev;
	struct tdir t;

	tdir_make(&t);
	records(buf, 8);
	/* One flipped byte in record 3. */
	memcpy(bad, buf, sizeof(bad));
	bad[REC(2) + 40] ^= 0x10;
	open_refused(&t, bad, sizeof(bad), REC(2), NULL, 8);
	/* A lost record: seq 4 follows seq 2 (valid, out of place). */
	memcpy(bad, buf, REC(2));
	memcpy(bad + REC(2), buf + REC(3), 5 * PW_EV_SIZE);
	open_refused(&t, bad, REC(7), REC(2), "seq 4 where seq 3", 0);
	/* Half a record padded to a whole one, then whole ones. */
	memcpy(bad, buf, REC(3));
	memcpy(link, pw_event_link(buf + REC(2)), PW_LINK_LEN);
	ev_sample(&ev, 4);
	chain(&ev, link, bad + REC(3));
	memset(bad + REC(3) + 60, 0, PW_EV_SIZE - 60);
	memcpy(bad + REC(4), buf + REC(3), 4 * PW_EV_SIZE);
	open_refused(&t, bad, sizeof(bad), REC(3), NULL, 8);
	tdir_remove(&t);
}
END_TEST

/*
 * Two writers: each wrote its own seq 6 after seq 5.  The second is a
 * complete, valid record out of place: damage, never a torn tail, though
 * nothing valid follows it.
 */
START_TEST(test_duplicate_seq_refused)
{
	uint8_t buf[REC(NBASE + 1)], dup[REC(NBASE + 2)], link[PW_LINK_LEN];
	struct pw_event ev;
	struct tdir t;

	tdir_make(&t);
	records(buf, NBASE + 1);
	memcpy(dup, buf, sizeof(buf));
	memcpy(link, pw_event_link(buf + REC(NBASE - 1)), PW_LINK_LEN);
	ev_sample(&ev, NBASE + 1);
	ev.type = PW_EV_CREDIT;
	ev.amount = 3;
	chain(&ev, link, dup + REC(NBASE + 1));
	open_refused(&t, dup, sizeof(dup), REC(NBASE + 1),
	    "a valid record with seq 6 where seq 7 belongs", 0);
	tdir_remove(&t);
}
END_TEST

/* An edited record whose own check was made right breaks the chain. */
START_TEST(test_edited_record_refused)
{
	uint8_t buf[REC(NBASE)], md[PW_SHA256_LEN];
	struct tdir t;

	tdir_make(&t);
	records(buf, NBASE);
	buf[REC(NBASE - 1) + 32] ^= 0x04;
	pw_sha256(buf + REC(NBASE - 1), 152, md);
	memcpy(buf + REC(NBASE - 1) + 152, md, 8);
	open_refused(&t, buf, sizeof(buf), REC(NBASE - 1),
	    "does not extend the chain", 0);
	tdir_remove(&t);
}
END_TEST

/*
 * Half a record, then whole records appended right after it (a short
 * write that could not be taken back): the valid records that follow do
 * not start at a record boundary, and must not be cut.
 */
START_TEST(test_damage_then_unaligned)
{
	uint8_t buf[REC(8)], bad[REC(8)];
	struct tdir t;

	tdir_make(&t);
	records(buf, 8);
	memcpy(bad, buf, REC(3) + 60);
	memcpy(bad + REC(3) + 60, buf + REC(3), 4 * PW_EV_SIZE);
	open_refused(&t, bad, REC(7) + 60, REC(3), NULL, 8);
	tdir_remove(&t);
}
END_TEST

/*
 * A power cut in interval mode: seqs 1-20 written, 1-10 synced; the
 * file system shows the pages holding 12-13 as zeros between pages
 * that were written.  Set aside and cut at seq 11's end, the daemon
 * starts; below the synced seq, or with a record after the hole out of
 * its place, the same hole is rot or a splice and refused.
 */
START_TEST(test_power_cut_hole)
{
	uint8_t buf[REC(20)], img[REC(20)];
	char err[512];
	struct pw_blog b;
	struct tdir t;
	int saved;

	tdir_make(&t);
	records(buf, 20);
	memcpy(img, buf, sizeof(img));
	memset(img + REC(11), 0, 2 * PW_EV_SIZE);
	write_file(t.log, img, sizeof(img));
	saved = quiet();
	ck_assert_int_eq(blog_open_at(&b, t.log, 0, 10, err, sizeof(err)),
	    0);
	loud(saved);
	ck_assert_uint_eq(b.last_seq, 11);
	blog_close(&b);
	file_is(t.log, buf, REC(11));
	ck_assert_int_eq(tdir_count(&t, "billing.log.torn-11-"), 1);
	/* A hole that straddles records, from a page boundary. */
	memcpy(img, buf, sizeof(img));
	memset(img + REC(11) + 37, 0, 2 * PW_EV_SIZE);
	write_file(t.log, img, sizeof(img));
	saved = quiet();
	ck_assert_int_eq(blog_open_at(&b, t.log, 0, 11, err, sizeof(err)),
	    0);
	loud(saved);
	ck_assert_uint_eq(b.last_seq, 11);
	blog_close(&b);
	tdir_remove(&t);
	/* At or below what the store knows synced: rot. */
	tdir_make(&t);
	memcpy(img, buf, sizeof(img));
	memset(img + REC(11), 0, 2 * PW_EV_SIZE);
	open_refused(&t, img, sizeof(img), REC(11), NULL, 12);
	/* A record after the hole not where its seq puts it: a splice. */
	memmove(img + REC(15), img + REC(16), 4 * PW_EV_SIZE);
	open_refused(&t, img, REC(19), REC(11), NULL, 10);
	tdir_remove(&t);
}
END_TEST

/* Further back than a writer ever leaves unsynced: not a power cut's. */
START_TEST(test_hole_too_far_back)
{
	uint8_t *buf, link[PW_LINK_LEN];
	struct pw_event ev;
	struct tdir t;
	size_t n = PW_UNSYNCED_MAX + 64, i;

	tdir_make(&t);
	buf = malloc(REC(n));
	ck_assert_ptr_nonnull(buf);
	seg_header(buf, link);
	for (i = 0; i < n; i++) {
		ev_sample(&ev, i + 1);
		chain(&ev, link, buf + REC(i));
	}
	memset(buf + REC(8), 0, PW_EV_SIZE);
	open_refused(&t, buf, REC(n), REC(8), NULL, 2);
	free(buf);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_empty_log)
{
	struct tdir t;
	struct pw_blog b;
	char err[512];

	tdir_make(&t);
	/* Not made here: the master makes a log's first segment. */
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), -1);
	write_file(t.log, "", 0);
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.size, 0);
	ck_assert_uint_eq(b.last_seq, 0);
	ck_assert_uint_eq(b.format, 0);
	blog_close(&b);
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
	tcase_add_test(tc, test_memo);
	tcase_add_test(tc, test_flipped_byte);
	tcase_add_test(tc, test_edited_rechecked);
	tcase_add_test(tc, test_decode_invalid);
	tcase_add_test(tc, test_format1);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_torn_tail_every_offset);
	tcase_add_test(tc, test_torn_tail_kept);
	tcase_add_test(tc, test_torn_tail_zeros);
	tcase_add_test(tc, test_damage_in_middle);
	tcase_add_test(tc, test_duplicate_seq_refused);
	tcase_add_test(tc, test_edited_record_refused);
	tcase_add_test(tc, test_damage_then_unaligned);
	tcase_add_test(tc, test_power_cut_hole);
	tcase_add_test(tc, test_hole_too_far_back);
	tcase_add_test(tc, test_empty_log);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(billing_suite()));
}
