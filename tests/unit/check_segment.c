/*
 * Unit tests: the billing log in segments.  A segment's header and its
 * snapshot read back (and refused when touched); the switch to the next
 * segment, at every point a crash can stop it; the log read as one
 * sequence across segments, its chain checked at each seam; the ledger
 * starting from a snapshot and checking later ones; a log of format 1
 * closed as the first segment at the master's start.
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
#include "pw_daemon.h"
#include "pw_ledger.h"
#include "pw_segment.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_billing.h"

struct got {
	char		 wallet[8][24];
	int64_t		 balance[8];
	int		 nw;
	struct pw_snapsess s[8];
	char		 sw[8][24], sg[8][24];
	int		 ns;
};

static int
got_wallet(const char *name, int64_t balance, void *arg)
{
	struct got *g = arg;

	ck_assert_int_lt(g->nw, 8);
	strlcpy(g->wallet[g->nw], name, sizeof(g->wallet[0]));
	g->balance[g->nw++] = balance;
	return (0);
}

static int
got_session(const struct pw_snapsess *ss, void *arg)
{
	struct got *g = arg;

	ck_assert_int_lt(g->ns, 8);
	g->s[g->ns] = *ss;
	strlcpy(g->sw[g->ns], ss->wallet, sizeof(g->sw[0]));
	strlcpy(g->sg[g->ns++], ss->game, sizeof(g->sg[0]));
	return (0);
}

static void
snap_sample(struct pw_snap *sn)
{
	struct pw_snapsess ss;

	pw_snap_init(sn);
	ck_assert_int_eq(pw_snap_wallet(sn, "cafe-a", 970), 0);
	ck_assert_int_eq(pw_snap_wallet(sn, "player:x", 50), 0);
	memset(&ss, 0, sizeof(ss));
	memset(ss.id, 0xbb, 16);
	ss.start_seq = 4;
	ss.charges = 2;
	ss.charged = 20;
	ss.wallet = "cafe-a";
	ss.game = "alpha";
	ck_assert_int_eq(pw_snap_session(sn, &ss), 0);
	memset(ss.id, 0xcc, 16);
	ss.start_seq = 13;
	ss.charges = 0;
	ss.charged = 0;
	ss.wallet = "";
	ss.game = "beta";
	ck_assert_int_eq(pw_snap_session(sn, &ss), 0);
}

START_TEST(test_snapshot_roundtrip)
{
	uint8_t prev[PW_LINK_LEN], h[PW_LINK_LEN], *buf;
	struct pw_snap_cb cb = { got_wallet, got_session, NULL };
	struct pw_snap sn;
	struct pw_seg g;
	struct got got;
	struct tdir t;
	uint64_t len, i;
	char err[256];
	int fd;

	tdir_make(&t);
	snap_sample(&sn);
	memset(prev, 0x5a, sizeof(prev));
	fd = open(t.log, O_RDWR | O_CREAT | O_APPEND, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pw_seg_write(fd, 14, prev, &sn, h, &len), 0);
	pw_snap_free(&sn);
	memset(&got, 0, sizeof(got));
	cb.arg = &got;
	ck_assert_int_eq(pw_seg_open(&g, fd, &cb, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.format, 2);
	ck_assert_uint_eq(g.first_seq, 14);
	ck_assert_uint_eq(g.data_off, len);
	ck_assert_int_eq(memcmp(g.prev, prev, sizeof(prev)), 0);
	ck_assert_int_eq(memcmp(g.start, h, sizeof(h)), 0);
	ck_assert_int_eq(got.nw, 2);
	ck_assert_str_eq(got.wallet[0], "cafe-a");
	ck_assert_int_eq(got.balance[0], 970);
	ck_assert_str_eq(got.wallet[1], "player:x");
	ck_assert_int_eq(got.ns, 2);
	ck_assert_uint_eq(got.s[0].id[0], 0xbb);
	ck_assert_uint_eq(got.s[0].start_seq, 4);
	ck_assert_uint_eq(got.s[0].charges, 2);
	ck_assert_int_eq(got.s[0].charged, 20);
	ck_assert_str_eq(got.sw[0], "cafe-a");
	ck_assert_str_eq(got.sg[0], "alpha");
	ck_assert_str_eq(got.sw[1], "");
	ck_assert_str_eq(got.sg[1], "beta");
	/* Every byte of the header is under its check or its link. */
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	for (i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		write_file(t.log, buf, len);
		fd = open(t.log, O_RDONLY);
		ck_assert_msg(pw_seg_open(&g, fd, NULL, err, sizeof(err)) ==
		    -1 || g.format != 2, "byte %llu of the header changed "
		    "unseen", (unsigned long long)i);
		close(fd);
		buf[i] ^= 0x20;
	}
	free(buf);
	tdir_remove(&t);
}
END_TEST

/* Events appended after the header, as the daemon would. */
static void
put_n(struct pw_blog *b, uint64_t from, int n)
{
	struct pw_event ev;
	int i;

	for (i = 0; i < n; i++) {
		ev_sample(&ev, from + (uint64_t)i);
		ck_assert_int_eq(pw_blog_put(b, &ev), 0);
	}
}

struct seen {
	uint64_t	 seq[64];
	int		 n;
};

static int
seen_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 64);
	s->seq[s->n++] = ev->seq;
	return (0);
}

/* Read the log after from across its segments; *sc how it ended. */
static void
read_all(const char *path, const char *archive, uint64_t from,
    struct seen *s, struct pw_scan *sc)
{
	struct pw_read rd = { seen_one, NULL, NULL, s };
	struct pw_logset ls;
	char err[512], where[1200];

	memset(s, 0, sizeof(*s));
	if (pw_logset_open(&ls, path, archive, err, sizeof(err)) == -1)
		ck_abort_msg("%s", err);
	ck_assert_int_eq(pw_logset_read(&ls, from, &rd, sc, where,
	    sizeof(where)), 0);
	pw_logset_close(&ls);
}

static void
log_of(struct tdir *t, int n, struct pw_blog *b)
{
	uint8_t buf[HDR + 64 * PW_EV_SIZE];
	char err[512];

	records(buf, n);
	write_file(t->log, buf, HDR + (size_t)n * PW_EV_SIZE);
	ck_assert_int_eq(blog_open(b, t->log, err, sizeof(err)), 0);
}

START_TEST(test_switch_and_read_across)
{
	struct pw_snap sn;
	struct pw_blog b;
	struct pw_scan sc;
	struct seen s;
	struct tdir t;
	char err[512], path[700];
	uint8_t head5[PW_LINK_LEN];
	int i;

	tdir_make(&t);
	log_of(&t, 5, &b);
	memcpy(head5, b.head, sizeof(head5));
	snap_sample(&sn);
	ck_assert_int_eq(pw_blog_switch(&b, &sn, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	pw_snap_free(&sn);
	ck_assert_uint_eq(b.first_seq, 6);
	snprintf(path, sizeof(path), "%s/billing.log.00000000000000000001",
	    t.dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	put_n(&b, 6, 3);
	ck_assert_int_eq(pw_blog_switch(&b, NULL, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	put_n(&b, 9, 2);
	blog_close(&b);
	ck_assert_int_eq(tdir_count(&t, "billing.log.0000"), 2);
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(sc.stop, PW_STOP_END);
	ck_assert_int_eq(s.n, 10);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(s.seq[i], (uint64_t)i + 1);
	/* From the middle of a closed segment, and from the active one. */
	read_all(t.log, NULL, 3, &s, &sc);
	ck_assert_int_eq(s.n, 7);
	ck_assert_uint_eq(s.seq[0], 4);
	read_all(t.log, NULL, 9, &s, &sc);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.seq[0], 10);
	/* Reopened, the active file chains on from its last record. */
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.first_seq, 9);
	ck_assert_uint_eq(b.last_seq, 10);
	blog_close(&b);
	tdir_remove(&t);
}
END_TEST

/*
 * The writer closes the active file as a segment after a reader listed
 * the directory: the reader lists it again and reads on, no gap called
 * damage.
 */
START_TEST(test_switch_under_a_reader)
{
	struct pw_read rd;
	struct pw_logset ls;
	struct pw_blog b;
	struct pw_scan sc;
	struct seen s;
	struct tdir t;
	char err[512], where[1200];
	int i, round;

	tdir_make(&t);
	log_of(&t, 5, &b);
	ck_assert_int_eq(pw_blog_switch(&b, NULL, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	put_n(&b, 6, 3);
	memset(&s, 0, sizeof(s));
	rd = (struct pw_read){ seen_one, NULL, NULL, &s };
	if (pw_logset_open(&ls, t.log, NULL, err, sizeof(err)) == -1)
		ck_abort_msg("%s", err);
	/* Two switches under it, the first segment read or not. */
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(pw_blog_switch(&b, NULL, PW_OWNER_KEEP, err,
		    sizeof(err)), 0);
		put_n(&b, 9 + 2 * (uint64_t)round, 2);
	}
	ck_assert_int_eq(pw_logset_read(&ls, 0, &rd, &sc, where,
	    sizeof(where)), 0);
	pw_logset_close(&ls);
	blog_close(&b);
	ck_assert_msg(sc.stop == PW_STOP_END, "%s", sc.why);
	ck_assert_int_eq(s.n, 12);
	for (i = 0; i < 12; i++)
		ck_assert_uint_eq(s.seq[i], (uint64_t)i + 1);
	tdir_remove(&t);
}
END_TEST

/* A closed segment gone: the read begins at the oldest one there is. */
START_TEST(test_read_after_archive)
{
	struct pw_blog b;
	struct pw_scan sc;
	struct seen s;
	struct tdir t;
	char err[512], from[700], to[700], arch[300];

	tdir_make(&t);
	log_of(&t, 4, &b);
	ck_assert_int_eq(pw_blog_switch(&b, NULL, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	put_n(&b, 5, 2);
	blog_close(&b);
	snprintf(arch, sizeof(arch), "%s/arch", t.dir);
	ck_assert_int_eq(mkdir(arch, 0700), 0);
	snprintf(from, sizeof(from), "%s/billing.log.00000000000000000001",
	    t.dir);
	snprintf(to, sizeof(to), "%s/billing.log.00000000000000000001", arch);
	ck_assert_int_eq(rename(from, to), 0);
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(sc.from_seq, 4);
	/* With the archive: all of it, in order. */
	read_all(t.log, arch, 0, &s, &sc);
	ck_assert_int_eq(s.n, 6);
	ck_assert_int_eq(sc.stop, PW_STOP_END);
	ck_assert_int_eq(rename(to, from), 0);
	ck_assert_int_eq(rmdir(arch), 0);
	tdir_remove(&t);
}
END_TEST

/* A crash stops the switch after each step; the next open finishes it. */
START_TEST(test_switch_crash_points)
{
	uint8_t buf[HDR + 8 * PW_EV_SIZE];
	char next[700], closed[700], err[512];
	struct pw_blog b;
	struct pw_scan sc;
	struct seen s;
	struct tdir t;
	int fd;

	tdir_make(&t);
	records(buf, 8);
	snprintf(next, sizeof(next), "%s/billing.log.next", t.dir);
	snprintf(closed, sizeof(closed), "%s/billing.log.00000000000000000001",
	    t.dir);
	/* 1: the next written, nothing else: it goes. */
	write_file(t.log, buf, sizeof(buf));
	write_file(next, buf, HDR);
	fd = open(t.dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(pw_blog_switch_finish(fd, "billing.log", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(access(next, F_OK), -1);
	file_is(t.log, buf, sizeof(buf));
	/* 1, torn: the same. */
	write_file(next, buf, HDR - 3);
	ck_assert_int_eq(pw_blog_switch_finish(fd, "billing.log", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(access(next, F_OK), -1);
	/* 2: the active linked under its closed name: the next goes in. */
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_int_eq(link(t.log, closed), 0);
	{
		uint8_t h[PW_LINK_LEN];
		uint64_t len;
		int nfd;

		nfd = open(next, O_RDWR | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ne(nfd, -1);
		ck_assert_int_eq(pw_seg_write(nfd, 9, b.head, NULL, h, &len),
		    0);
		close(nfd);
	}
	blog_close(&b);
	ck_assert_int_eq(pw_blog_switch_finish(fd, "billing.log", err,
	    sizeof(err)), 0);
	close(fd);
	ck_assert_int_eq(access(next, F_OK), -1);
	file_is(closed, buf, sizeof(buf));
	ck_assert_int_eq(file_size(t.log), HDR);
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.first_seq, 9);
	put_n(&b, 9, 1);
	blog_close(&b);
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(sc.stop, PW_STOP_END);
	ck_assert_int_eq(s.n, 9);
	tdir_remove(&t);
}
END_TEST

/* A seam that does not hold: damage, named. */
START_TEST(test_seam_broken)
{
	uint8_t buf[HDR + 4 * PW_EV_SIZE], md[PW_SHA256_LEN];
	char err[512], closed[700];
	struct pw_blog b;
	struct pw_scan sc;
	struct seen s;
	struct tdir t;

	tdir_make(&t);
	log_of(&t, 4, &b);
	ck_assert_int_eq(pw_blog_switch(&b, NULL, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	put_n(&b, 5, 2);
	blog_close(&b);
	/* The closed segment's last record edited, its check made right. */
	snprintf(closed, sizeof(closed), "%s/billing.log.00000000000000000001",
	    t.dir);
	records(buf, 4);
	buf[HDR + 3 * PW_EV_SIZE + 40] ^= 1;
	pw_sha256(buf + HDR + 3 * PW_EV_SIZE, 152, md);
	memcpy(buf + HDR + 3 * PW_EV_SIZE + 152, md, 8);
	write_file(closed, buf, sizeof(buf));
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(sc.stop, PW_STOP_DAMAGE);
	ck_assert_int_eq(s.n, 3);
	/* Relinked too: now the next segment's header does not follow. */
	{
		struct pw_event ev;
		uint8_t link[PW_LINK_LEN];

		memcpy(link, pw_event_link(buf + HDR + 2 * PW_EV_SIZE),
		    PW_LINK_LEN);
		ck_assert_int_eq(pw_event_decode(buf + HDR + 3 * PW_EV_SIZE,
		    &ev), 0);
		chain(&ev, link, buf + HDR + 3 * PW_EV_SIZE);
	}
	write_file(closed, buf, sizeof(buf));
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(sc.stop, PW_STOP_DAMAGE);
	ck_assert_int_eq(s.n, 4);
	ck_assert_ptr_nonnull(strstr(sc.why, "does not continue the chain"));
	tdir_remove(&t);
}
END_TEST

/* The ledger adopts the first snapshot and checks the next against it. */
START_TEST(test_ledger_snapshots)
{
	struct pw_event evs[3];
	struct pw_snap sn;
	struct pw_snapsess ss;
	struct pw_ledger l;
	struct pw_logset ls;
	struct pw_scan sc;
	struct pw_blog b;
	struct tdir t;
	char err[512], where[1200];
	int i;

	tdir_make(&t);
	memset(evs, 0, sizeof(evs));
	for (i = 0; i < 3; i++) {
		evs[i].seq = (uint64_t)i + 1;
		evs[i].ts_ms = 1700000000000ull;
		memset(evs[i].id, 0xa0 + i, 16);
		strlcpy(evs[i].wallet, "cafe-a", sizeof(evs[i].wallet));
	}
	evs[0].type = PW_EV_CREDIT;
	evs[0].amount = evs[0].balance = 100;
	evs[1].type = PW_EV_START;
	evs[1].balance = 100;
	strlcpy(evs[1].game, "alpha", sizeof(evs[1].game));
	evs[2] = evs[1];
	evs[2].seq = 3;
	evs[2].type = PW_EV_CHARGE;
	evs[2].minute = 1;
	evs[2].amount = 10;
	evs[2].balance = 90;
	write_events(t.log, evs, 3);
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	pw_snap_init(&sn);
	ck_assert_int_eq(pw_snap_wallet(&sn, "cafe-a", 90), 0);
	memset(&ss, 0, sizeof(ss));
	memset(ss.id, 0xa1, 16);
	ss.start_seq = 2;
	ss.charges = 1;
	ss.charged = 10;
	ss.wallet = "cafe-a";
	ss.game = "alpha";
	ck_assert_int_eq(pw_snap_session(&sn, &ss), 0);
	ck_assert_int_eq(pw_blog_switch(&b, &sn, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	pw_snap_free(&sn);
	blog_close(&b);
	/* From the start: the snapshot agrees. */
	ck_assert_int_eq(pw_logset_open(&ls, t.log, NULL, err, sizeof(err)),
	    0);
	pw_ledger_init(&l, 0);
	ck_assert_int_eq(pw_ledger_read(&l, &ls, 1, &sc, where,
	    sizeof(where)), 0);
	ck_assert_msg(!l.bad, "%s", l.why);
	pw_ledger_free(&l);
	/* From the second segment's head: adopted, whole (not partial). */
	pw_ledger_init(&l, 3);
	ck_assert_int_eq(pw_ledger_read(&l, &ls, 1, &sc, where,
	    sizeof(where)), 0);
	ck_assert(!l.partial);
	ck_assert_uint_eq(l.open, 1);
	ck_assert_int_eq(pw_ledger_wallet(&l, "cafe-a")->balance, 90);
	pw_ledger_free(&l);
	pw_logset_close(&ls);
	tdir_remove(&t);
	/* A snapshot that does not add up: a broken rule. */
	tdir_make(&t);
	write_events(t.log, evs, 3);
	ck_assert_int_eq(blog_open(&b, t.log, err, sizeof(err)), 0);
	pw_snap_init(&sn);
	ck_assert_int_eq(pw_snap_wallet(&sn, "cafe-a", 91), 0);
	ck_assert_int_eq(pw_blog_switch(&b, &sn, PW_OWNER_KEEP, err,
	    sizeof(err)), 0);
	pw_snap_free(&sn);
	blog_close(&b);
	ck_assert_int_eq(pw_logset_open(&ls, t.log, NULL, err, sizeof(err)),
	    0);
	pw_ledger_init(&l, 0);
	(void)pw_ledger_read(&l, &ls, 1, &sc, where, sizeof(where));
	ck_assert(l.bad);
	ck_assert_msg(strstr(l.why, "gives wallet cafe-a 91, the log 90") !=
	    NULL, "%s", l.why);
	pw_ledger_free(&l);
	pw_logset_close(&ls);
	tdir_remove(&t);
}
END_TEST

/*
 * A log of format 1 at the master's start: reconciled, then closed as
 * the first segment, and format 2 chained to SHA-256 of the whole file.
 */
START_TEST(test_bridge_format1)
{
	static const char conf[] = CONF_SECRETS CONF_GAME("alpha", 10)
	    CONF_CAFE("cafe-a", "10.1.0.0/16");
	uint8_t buf[3 * PW_EV1_SIZE], c0[PW_LINK_LEN];
	char err[512], closed[700];
	struct pw_config *cfg;
	struct pw_store st;
	struct pw_event ev;
	struct pw_blog b;
	struct pw_scan sc;
	struct pw_seg g;
	struct seen s;
	struct tdir t;
	int i, dfd, fd, saved;

	tdir_make(&t);
	for (i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.seq = (uint64_t)i + 1;
		ev.ts_ms = 1700000000000ull;
		ev.type = PW_EV_CREDIT;
		memset(ev.id, 0xc0 + i, 16);
		strlcpy(ev.wallet, "cafe-a", sizeof(ev.wallet));
		ev.amount = 10;
		ev.balance = 10 * (i + 1);
		pw_event_encode1(&ev, buf + i * PW_EV1_SIZE);
	}
	write_file(t.log, buf, sizeof(buf));
	fd = open(t.log, O_RDONLY);
	ck_assert_int_eq(pw_seg_digest(fd, c0), 0);
	close(fd);
	cfg = calloc(1, sizeof(*cfg));
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(pw_config_parse(cfg, conf, strlen(conf), "t", err,
	    sizeof(err)), 0);
	strlcpy(cfg->billing_log, t.log, sizeof(cfg->billing_log));
	tmp_store_open(&st, t.store, 4096);
	dfd = open(t.dir, O_RDONLY | O_DIRECTORY);
	saved = quiet();
	ck_assert_int_eq(pw_blog_start(&st, cfg, PW_OWNER_KEEP, dfd, &b, err,
	    sizeof(err)), 0);
	loud(saved);
	ck_assert_uint_eq(b.format, 2);
	ck_assert_uint_eq(b.first_seq, 4);
	ck_assert_int_eq(pw_wallet_logged(pw_wallet_find(&st, "cafe-a")), 30);
	put_n(&b, 4, 1);
	pw_blog_close(&b);
	close(dfd);
	snprintf(closed, sizeof(closed), "%s/billing.log.00000000000000000001",
	    t.dir);
	file_is(closed, buf, sizeof(buf));
	fd = open(t.log, O_RDONLY);
	ck_assert_int_eq(pw_seg_open(&g, fd, NULL, err, sizeof(err)), 0);
	close(fd);
	ck_assert_int_eq(memcmp(g.prev, c0, sizeof(c0)), 0);
	read_all(t.log, NULL, 0, &s, &sc);
	ck_assert_int_eq(sc.stop, PW_STOP_END);
	ck_assert_int_eq(s.n, 4);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

static Suite *
segment_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("segment");
	tc = tcase_create("segment");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_snapshot_roundtrip);
	tcase_add_test(tc, test_switch_and_read_across);
	tcase_add_test(tc, test_switch_under_a_reader);
	tcase_add_test(tc, test_read_after_archive);
	tcase_add_test(tc, test_switch_crash_points);
	tcase_add_test(tc, test_seam_broken);
	tcase_add_test(tc, test_ledger_snapshots);
	tcase_add_test(tc, test_bridge_format1);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(segment_suite()));
}
