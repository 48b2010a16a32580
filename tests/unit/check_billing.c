/*
 * Unit tests: billing-log records, torn-tail repair, refusal of damage,
 * and recovery of a store from the log (recover.c).
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

#define NBASE	5	/* whole records before a damaged tail */

static const char billing_conf[] =
"launcher-secret unit-l\n"
"launch-secret unit-j\n"
"game alpha {\n"
"    api-key \"alpha-key\"\n"
"    hmac-secret \"unit-hmac\"\n"
"    price 10\n"
"}\n"
"game beta {\n"
"    api-key \"beta-key\"\n"
"    hmac-secret \"unit-hmac\"\n"
"    price 10\n"
"}\n"
"cafe cafe-a {\n"
"    network 10.1.0.0/16\n"
"}\n";

/* A private directory with a log (and maybe a store) in it. */
struct tdir {
	char	 dir[256];
	char	 log[300];
	char	 store[300];
};

static void
tdir_make(struct tdir *t)
{
	tmp_dir(t->dir, sizeof(t->dir), "pwbill");
	snprintf(t->log, sizeof(t->log), "%s/billing.log", t->dir);
	snprintf(t->store, sizeof(t->store), "%s/store", t->dir);
}

static void
tdir_remove(struct tdir *t)
{
	(void)unlink(t->log);
	(void)unlink(t->store);
	ck_assert_int_eq(rmdir(t->dir), 0);
}

/* A plausible event of every field, different for every seq. */
static void
ev_sample(struct pw_event *ev, uint64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->ts_ms = 1700000000000ull + seq * 1000;
	ev->type = PW_EV_START + (unsigned)(seq % 4);
	ev->reason = ev->type == PW_EV_END ? PW_R_EXPIRED : PW_R_NONE;
	ev->minute = (uint32_t)seq * 3;
	ev->amount = (int64_t)seq * 10;
	ev->balance = 100000 - (int64_t)seq * 10;
	memset(ev->id, (int)(seq & 0xff), sizeof(ev->id));
	snprintf(ev->game, sizeof(ev->game), "game-%llu",
	    (unsigned long long)seq);
	snprintf(ev->wallet, sizeof(ev->wallet), "wallet-%llu",
	    (unsigned long long)seq);
	ev->duration = (uint32_t)seq * 60;
}

static void
ev_equal(const struct pw_event *a, const struct pw_event *b)
{
	ck_assert_uint_eq(a->seq, b->seq);
	ck_assert_uint_eq(a->ts_ms, b->ts_ms);
	ck_assert_uint_eq(a->type, b->type);
	ck_assert_uint_eq(a->reason, b->reason);
	ck_assert_uint_eq(a->minute, b->minute);
	ck_assert_int_eq(a->amount, b->amount);
	ck_assert_int_eq(a->balance, b->balance);
	ck_assert_int_eq(memcmp(a->id, b->id, sizeof(a->id)), 0);
	ck_assert_str_eq(a->game, b->game);
	ck_assert_str_eq(a->wallet, b->wallet);
	ck_assert_uint_eq(a->duration, b->duration);
}

/* Records seq 1..n, encoded, into buf. */
static void
records(uint8_t *buf, int n)
{
	struct pw_event ev;
	int i;

	for (i = 0; i < n; i++) {
		ev_sample(&ev, (uint64_t)i + 1);
		pw_event_encode(&ev, buf + (size_t)i * PW_EV_SIZE);
	}
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	return (sb.st_size);
}

/* The file must hold exactly len bytes equal to buf. */
static void
file_is(const char *path, const uint8_t *buf, size_t len)
{
	uint8_t *got;
	int fd;

	ck_assert_int_eq(file_size(path), (off_t)len);
	got = malloc(len + 1);
	ck_assert_ptr_nonnull(got);
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(read(fd, got, len + 1), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(memcmp(got, buf, len), 0);
	free(got);
}

/* The torn-tail warnings would flood the test output: silence them. */
static int
quiet(void)
{
	int saved, null;

	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY);
	ck_assert_int_ne(null, -1);
	ck_assert_int_ne(dup2(null, STDERR_FILENO), -1);
	close(null);
	return (saved);
}

static void
loud(int saved)
{
	ck_assert_int_ne(dup2(saved, STDERR_FILENO), -1);
	close(saved);
}

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
	ev.type = PW_EV_CREDIT + 1;
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

/* ---- recovery ---- */

struct spec {
	unsigned	 type;
	uint8_t		 id;
	const char	*game;
	const char	*wallet;
	uint32_t	 minute;
	int64_t		 amount;
	int64_t		 balance;
	unsigned	 reason;
};

/*
 * Credit cafe-a; sessions A and D (alpha, cafe-a) end, D charging after
 * B's last charge; B (alpha, cafe-a) and C (beta, no cafe) never end;
 * credit player:x.
 */
static const struct spec history[] = {
	{ PW_EV_CREDIT, 0xc1, "", "cafe-a", 0, 1000, 1000, 0 },
	{ PW_EV_START, 0xaa, "alpha", "cafe-a", 0, 0, 1000, 0 },
	{ PW_EV_CHARGE, 0xaa, "alpha", "cafe-a", 1, 10, 990, 0 },
	{ PW_EV_START, 0xbb, "alpha", "cafe-a", 0, 0, 990, 0 },
	{ PW_EV_CHARGE, 0xbb, "alpha", "cafe-a", 1, 10, 980, 0 },
	{ PW_EV_CHARGE, 0xaa, "alpha", "cafe-a", 2, 10, 970, 0 },
	{ PW_EV_END, 0xaa, "alpha", "cafe-a", 2, 20, 970, PW_R_ENDED },
	{ PW_EV_CHARGE, 0xbb, "alpha", "cafe-a", 2, 10, 960, 0 },
	{ PW_EV_START, 0xdd, "alpha", "cafe-a", 0, 0, 960, 0 },
	{ PW_EV_CHARGE, 0xdd, "alpha", "cafe-a", 1, 10, 950, 0 },
	{ PW_EV_END, 0xdd, "alpha", "cafe-a", 1, 10, 950, PW_R_ENDED },
	{ PW_EV_CREDIT, 0xc2, "", "player:x", 0, 50, 50, 0 },
	{ PW_EV_START, 0xcc, "beta", "", 0, 0, 0, 0 },
};
#define NHIST	((int)(sizeof(history) / sizeof(history[0])))

static void
write_history(const char *path)
{
	uint8_t buf[NHIST * PW_EV_SIZE];
	struct pw_event ev;
	int i;

	for (i = 0; i < NHIST; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.seq = (uint64_t)i + 1;
		ev.ts_ms = 1700000000000ull + (uint64_t)i * 30000;
		ev.type = history[i].type;
		ev.reason = history[i].reason;
		ev.minute = history[i].minute;
		ev.amount = history[i].amount;
		ev.balance = history[i].balance;
		memset(ev.id, history[i].id, sizeof(ev.id));
		snprintf(ev.game, sizeof(ev.game), "%s", history[i].game);
		snprintf(ev.wallet, sizeof(ev.wallet), "%s",
		    history[i].wallet);
		pw_event_encode(&ev, buf + (size_t)i * PW_EV_SIZE);
	}
	write_file(path, buf, sizeof(buf));
}

struct collect {
	struct pw_event	 ev[32];
	int		 n;
};

static int
collect_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct collect *c = arg;

	ck_assert_uint_eq(off, (uint64_t)c->n * PW_EV_SIZE);
	if (c->n < 32)
		c->ev[c->n] = *ev;
	c->n++;
	return (0);
}

static void
read_log(const char *path, struct collect *c)
{
	uint64_t good, seq, size;
	int fd;

	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pw_blog_scan(fd, collect_one, c, &good, &seq, &size),
	    0);
	close(fd);
	ck_assert_uint_eq(good, size);
	ck_assert_uint_eq(seq, (uint64_t)c->n);
}

static struct pw_config *
conf_new(void)
{
	struct pw_config *cfg;
	char err[512];

	cfg = calloc(1, sizeof(*cfg));
	ck_assert_ptr_nonnull(cfg);
	if (pw_config_parse(cfg, billing_conf, strlen(billing_conf),
	    "billing.conf", err, sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
	return (cfg);
}

static void
recover_once(const char *log, struct pw_store *st,
    const struct pw_config *cfg)
{
	struct pw_blog b;
	char err[512];
	int saved;

	if (pw_blog_open(&b, log, err, sizeof(err)) == -1)
		ck_abort_msg("pw_blog_open: %s", err);
	saved = quiet();
	ck_assert_int_eq(pw_recover(st, cfg, &b, 1), 0);
	loud(saved);
	ck_assert_uint_eq(atomic_load(&st->hdr->logged_seq), b.last_seq);
	ck_assert_uint_eq(atomic_load(&st->hdr->durable_seq), b.last_seq);
	pw_blog_close(&b);
}

static int64_t
balance_of(struct pw_store *st, const char *id)
{
	struct pw_slot *w;

	w = pw_wallet_find(st, id);
	ck_assert_msg(w != NULL, "no wallet %s", id);
	ck_assert_str_eq(w->u.w.name, id);
	return (atomic_load(&w->u.w.balance));
}

/* The END LOST appended for session id, or fail. */
static const struct pw_event *
lost_end(const struct collect *c, uint8_t id)
{
	int i;

	for (i = NHIST; i < c->n; i++)
		if (c->ev[i].id[0] == id && c->ev[i].type == PW_EV_END)
			return (&c->ev[i]);
	ck_abort_msg("no END for session %02x", id);
	return (NULL);
}

START_TEST(test_recover_new_store)
{
	struct tdir t;
	struct pw_store st;
	struct pw_config *cfg;
	struct collect c;
	const struct pw_event *e;
	int i;

	tdir_make(&t);
	cfg = conf_new();
	write_history(t.log);
	tmp_store_open(&st, t.store, 4096);
	recover_once(t.log, &st, cfg);

	ck_assert_int_eq(balance_of(&st, "cafe-a"), 950);
	ck_assert_int_eq(balance_of(&st, "player:x"), 50);
	ck_assert_int_eq(atomic_load(&pw_wallet_find(&st, "cafe-a")->u.w.hold),
	    0);

	read_log(t.log, &c);
	ck_assert_int_eq(c.n, NHIST + 2);
	for (i = NHIST; i < c.n; i++) {
		ck_assert_uint_eq(c.ev[i].seq, (uint64_t)i + 1);
		ck_assert_uint_eq(c.ev[i].type, PW_EV_END);
		ck_assert_uint_eq(c.ev[i].reason, PW_R_LOST);
		ck_assert(c.ev[i].id[0] == 0xbb || c.ev[i].id[0] == 0xcc);
	}
	e = lost_end(&c, 0xbb);
	ck_assert_str_eq(e->game, "alpha");
	ck_assert_str_eq(e->wallet, "cafe-a");
	ck_assert_uint_eq(e->minute, 2);
	ck_assert_int_eq(e->amount, 20);
	ck_assert_uint_eq(pw_counter_sum(&st, PW_C_GS_ENDED + PW_R_LOST), 2);
	e = lost_end(&c, 0xcc);
	ck_assert_str_eq(e->game, "beta");
	ck_assert_str_eq(e->wallet, "");
	ck_assert_uint_eq(e->minute, 0);
	ck_assert_int_eq(e->amount, 0);

	/* Again: nothing more is open, nothing more is appended. */
	pw_store_close(&st);
	ck_assert_int_eq(unlink(t.store), 0);
	tmp_store_open(&st, t.store, 4096);
	recover_once(t.log, &st, cfg);
	read_log(t.log, &c);
	ck_assert_int_eq(c.n, NHIST + 2);
	ck_assert_uint_eq(pw_counter_sum(&st, PW_C_GS_ENDED + PW_R_LOST), 0);
	ck_assert_int_eq(balance_of(&st, "cafe-a"), 950);
	ck_assert_int_eq(balance_of(&st, "player:x"), 50);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

/*
 * END's "balance after" is the wallet's balance then, as the reaper logs
 * it, not the session's last one: D charged the wallet after B did.
 */
START_TEST(test_recover_lost_balance)
{
	struct tdir t;
	struct pw_store st;
	struct pw_config *cfg;
	struct collect c;
	int64_t bal;

	tdir_make(&t);
	cfg = conf_new();
	write_history(t.log);
	tmp_store_open(&st, t.store, 4096);
	recover_once(t.log, &st, cfg);
	read_log(t.log, &c);
	ck_assert_int_eq(c.n, NHIST + 2);
	bal = lost_end(&c, 0xbb)->balance;
	ck_assert_int_eq(balance_of(&st, "cafe-a"), 950);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
	ck_assert_msg(bal == 950, "END LOST of a cafe session logs balance "
	    "%lld, the wallet holds 950", (long long)bal);
}
END_TEST

/* A session still in the store gets its marks and hold, not LOST. */
START_TEST(test_recover_live_session)
{
	struct tdir t;
	struct pw_store st;
	struct pw_config *cfg;
	struct pw_slot *s;
	struct collect c;
	uint8_t key[PW_KEY_LEN];

	tdir_make(&t);
	cfg = conf_new();
	write_history(t.log);
	tmp_store_open(&st, t.store, 4096);
	/* B is alive with three minutes billed, two of them logged. */
	memset(key, 0xbb, sizeof(key));
	s = pw_store_claim(&st, key, PW_T_GS);
	ck_assert_ptr_nonnull(s);
	s->u.gs.game = pw_config_idhash("alpha");
	s->u.gs.cafe = pw_config_idhash("cafe-a");
	s->u.gs.price = 10;
	s->u.gs.start = pw_now() - 150;
	atomic_store(&s->u.gs.last_seen, pw_now());
	pw_store_publish(s, PW_GS_LIVE, 3);

	recover_once(t.log, &st, cfg);
	ck_assert_uint_eq(atomic_load(&s->u.gs.logged), PW_LOGGED_START | 2);
	ck_assert_int_eq(balance_of(&st, "cafe-a"), 950);
	/* The third minute is owed and not yet logged: held. */
	ck_assert_int_eq(atomic_load(&pw_wallet_find(&st, "cafe-a")->u.w.hold),
	    10);
	read_log(t.log, &c);
	ck_assert_int_eq(c.n, NHIST + 1);
	ck_assert_uint_eq(lost_end(&c, 0xcc)->reason, PW_R_LOST);
	pw_store_close(&st);
	free(cfg);
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

	tc = tcase_create("recover");
	tcase_add_test(tc, test_recover_new_store);
	tcase_add_test(tc, test_recover_lost_balance);
	tcase_add_test(tc, test_recover_live_session);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(billing_suite()));
}
