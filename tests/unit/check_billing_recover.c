/*
 * Unit tests: recovery of a store from the log (reconcile.c), and the
 * reaper's events made durable before the store records them.
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
#include "pw_reap.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_billing.h"

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
	struct pw_event evs[NHIST], *ev;
	int i;

	for (i = 0; i < NHIST; i++) {
		ev = &evs[i];
		memset(ev, 0, sizeof(*ev));
		ev->seq = (uint64_t)i + 1;
		ev->ts_ms = 1700000000000ull + (uint64_t)i * 30000;
		ev->type = history[i].type;
		ev->reason = history[i].reason;
		ev->minute = history[i].minute;
		ev->amount = history[i].amount;
		ev->balance = history[i].balance;
		memset(ev->id, history[i].id, sizeof(ev->id));
		snprintf(ev->game, sizeof(ev->game), "%s", history[i].game);
		snprintf(ev->wallet, sizeof(ev->wallet), "%s",
		    history[i].wallet);
	}
	write_events(path, evs, NHIST);
}

struct collect {
	struct pw_event	 ev[32];
	int		 n;
};

static int
collect_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct collect *c = arg;

	ck_assert_uint_eq(off, HDR + (uint64_t)c->n * PW_EV_SIZE);
	if (c->n < 32)
		c->ev[c->n] = *ev;
	c->n++;
	return (0);
}

static void
read_log(const char *path, struct collect *c)
{
	struct pw_scan sc;
	struct pw_seg g;
	char err[256];
	int fd;

	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pw_seg_open(&g, fd, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(pw_seg_scan(&g, 0, collect_one, c, &sc), 0);
	close(fd);
	ck_assert_int_eq(sc.stop, PW_STOP_END);
	ck_assert_uint_eq(sc.good, sc.size);
	ck_assert_uint_eq(sc.last_seq, (uint64_t)c->n);
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

	if (blog_open(&b, log, err, sizeof(err)) == -1)
		ck_abort_msg("pw_blog_open: %s", err);
	saved = quiet();
	ck_assert_int_eq(pw_recover(st, cfg, &b, 1), 0);
	loud(saved);
	ck_assert_uint_eq(atomic_load(&st->hdr->logged_seq), b.last_seq);
	ck_assert_uint_eq(atomic_load(&st->hdr->durable_seq), b.last_seq);
	blog_close(&b);
}

static int64_t
balance_of(struct pw_store *st, const char *id)
{
	struct pw_slot *w;

	w = pw_wallet_find(st, id);
	ck_assert_msg(w != NULL, "no wallet %s", id);
	ck_assert_str_eq(w->u.w.name, id);
	return (pw_wallet_logged(w));
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
	ck_assert_int_eq(pw_wallet_held(pw_wallet_find(&st, "cafe-a")),
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
	s->u.gs.start_ms = pw_store_now(&st) - 150000;
	s->u.gs.start_wall_ms = pw_now_ms() - 150000;
	atomic_store(&s->u.gs.last_seen_ms, pw_store_now(&st));
	pw_store_publish(s, PW_GS_LIVE, 3);

	recover_once(t.log, &st, cfg);
	ck_assert_uint_eq(atomic_load(&s->u.gs.logged), PW_LOGGED_START | 2);
	ck_assert_int_eq(balance_of(&st, "cafe-a"), 950);
	/* The third minute is owed and not yet logged: held. */
	ck_assert_int_eq(pw_wallet_held(pw_wallet_find(&st, "cafe-a")),
	    10);
	read_log(t.log, &c);
	ck_assert_int_eq(c.n, NHIST + 1);
	ck_assert_uint_eq(lost_end(&c, 0xcc)->reason, PW_R_LOST);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

/* ---- the reaper: log, sync, then mark ---- */

/* The master's start (the log begun), then a reaper, as the daemon. */
static struct pw_reap *
reaper_on(struct pw_store *st, struct pw_config *cfg, const char *log,
    int *fd)
{
	struct pw_reap *r;
	struct pw_blog b;
	char err[512], dir[600];

	(void)pw_file_split(log, dir, sizeof(dir));
	*fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(*fd, -1);
	strlcpy(cfg->billing_log, log, sizeof(cfg->billing_log));
	if (pw_blog_start(st, cfg, PW_OWNER_KEEP, *fd, &b, err,
	    sizeof(err)) == -1)
		ck_abort_msg("pw_blog_start: %s", err);
	pw_blog_close(&b);
	r = pw_reap_new(st, cfg, *fd, log, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(pw_reap_recover(r), 0);
	return (r);
}

/* A cafe-a session of alpha from a fresh OTT, as a verify makes it. */
static struct pw_slot *
verified(struct pw_store *st, const struct pw_config *cfg, enum pw_verify want,
    uint8_t key[PW_KEY_LEN])
{
	const struct pw_game *g;
	uint8_t ott[PW_KEY_LEN], uid[PW_UID_LEN];
	int cafe;

	ck_assert_ptr_nonnull(g = pw_config_game(cfg, "alpha"));
	ck_assert_int_eq(pw_ott_issue(st, g->hash, pw_config_idhash("cafe-a"),
	    NULL, 0, pw_now_ms(), ott), 0);
	ck_assert_int_eq(pw_uid_pack(uid, "12345", 5), 0);
	ck_assert_int_eq(pw_gs_verify(st, cfg, ott, g, &(struct pw_verify_req){ NULL, uid }, key, &cafe), want);
	return (want == PW_V_OK ? pw_store_find(st, key, PW_T_GS, NULL) :
	    NULL);
}

/* After every pass, whatever billing-fsync says: nothing marked unsynced. */
static void
pass_durable(struct pw_reap *r, struct pw_store *st, const char *log)
{
	pw_reap_walk(r);
	ck_assert_uint_eq(atomic_load(&st->hdr->logged_seq), log_count(log));
	ck_assert_uint_eq(atomic_load(&st->hdr->durable_seq),
	    atomic_load(&st->hdr->logged_seq));
}

/*
 * A reaper killed after its events reached the log and before it marked
 * them: its successor marks them from the log and gives back what the
 * charges held, or the cafe's money counts twice (debited and held).
 */
START_TEST(test_reaper_restart_gives_holds_back)
{
	struct tdir t;
	struct pw_config *cfg;
	struct pw_store st;
	struct pw_reap *r;
	struct pw_slot *s, *w;
	uint8_t key[PW_KEY_LEN], key2[PW_KEY_LEN], ck[PW_KEY_LEN];
	int saved, fd;

	tdir_make(&t);
	cfg = conf_new();
	ck_assert_int_eq(cfg->billing_fsync, PW_FSYNC_INTERVAL);
	tmp_store_open(&st, t.store, 4096);
	saved = quiet();
	r = reaper_on(&st, cfg, t.log, &fd);
	ck_assert_ptr_nonnull(pw_credit_queue(&st, "cafe-a", 20, NULL, NULL,
	    ck));
	pass_durable(r, &st, t.log);			/* CREDIT 20 */
	s = verified(&st, cfg, PW_V_OK, key);		/* holds 10 */
	ck_assert_ptr_nonnull(w = pw_wallet_find(&st, "cafe-a"));
	ck_assert_int_eq(pw_wallet_held(w), 10);
	pass_durable(r, &st, t.log);			/* START, CHARGE 1 */
	ck_assert_uint_eq(log_count(t.log), 3);
	ck_assert_int_eq(pw_wallet_held(w), 0);
	/* The store as a SIGKILL after the fsync, before the marks, left it. */
	atomic_store(&s->u.gs.logged, 0);
	atomic_store(&s->u.gs.unheld, 0);
	atomic_store(&w->u.w.balance, 20);
	atomic_store(&w->u.w.hold, 10);

	/* The master starts another reaper; the workers go on serving. */
	pw_reap_free(r);
	close(fd);
	r = reaper_on(&st, cfg, t.log, &fd);
	loud(saved);
	ck_assert_uint_eq(atomic_load(&s->u.gs.logged), PW_LOGGED_START | 1);
	ck_assert_int_eq(pw_wallet_logged(w), 10);
	ck_assert_int_eq(pw_wallet_held(w), 0);
	/* 10 G-coin and nothing owed: the next verify is chargeable. */
	ck_assert_ptr_nonnull(verified(&st, cfg, PW_V_OK, key2));
	pw_reap_free(r);
	close(fd);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

/*
 * A reaper killed in its commit after a charge's mark and before the
 * charge's hold was given back (unheld still short of it): its
 * successor gives the hold back, once.
 */
START_TEST(test_reaper_killed_mid_apply)
{
	struct tdir t;
	struct pw_config *cfg;
	struct pw_store st;
	struct pw_reap *r;
	struct pw_slot *s, *w;
	uint8_t key[PW_KEY_LEN], ck[PW_KEY_LEN];
	int saved, fd;

	tdir_make(&t);
	cfg = conf_new();
	tmp_store_open(&st, t.store, 4096);
	saved = quiet();
	r = reaper_on(&st, cfg, t.log, &fd);
	ck_assert_ptr_nonnull(pw_credit_queue(&st, "cafe-a", 20, NULL, NULL,
	    ck));
	pass_durable(r, &st, t.log);
	s = verified(&st, cfg, PW_V_OK, key);
	w = pw_wallet_find(&st, "cafe-a");
	pass_durable(r, &st, t.log);			/* START, CHARGE 1 */
	ck_assert_int_eq(pw_wallet_held(w), 0);
	/* Marked, balance set, the hold not yet given back. */
	atomic_store(&s->u.gs.unheld, 0);
	atomic_store(&w->u.w.hold, 10);
	pw_reap_free(r);
	close(fd);
	r = reaper_on(&st, cfg, t.log, &fd);
	ck_assert_int_eq(pw_wallet_held(w), 0);
	ck_assert_uint_eq(atomic_load(&s->u.gs.unheld), 1);
	/* Once: a third reaper gives nothing more back. */
	pw_reap_free(r);
	close(fd);
	r = reaper_on(&st, cfg, t.log, &fd);
	loud(saved);
	ck_assert_int_eq(pw_wallet_held(w), 0);
	ck_assert_int_eq(pw_wallet_logged(w), 10);
	pw_reap_free(r);
	close(fd);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

/*
 * A session exhausted, then credited, billing again; its ender killed
 * between the CAS that ends it and the end's instant: the reaper takes
 * the end as now, never the grace's old instant (which would end its
 * retention, and its play duration, early).
 */
START_TEST(test_resumed_session_keeps_no_stale_end)
{
	struct tdir t;
	struct pw_config *cfg;
	struct pw_store st;
	struct pw_reap *r;
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN], ck[PW_KEY_LEN];
	uint64_t w, now;
	int saved, fd;

	tdir_make(&t);
	cfg = conf_new();
	tmp_store_open(&st, t.store, 4096);
	saved = quiet();
	r = reaper_on(&st, cfg, t.log, &fd);
	ck_assert_ptr_nonnull(pw_credit_queue(&st, "cafe-a", 20, NULL, NULL,
	    ck));
	pass_durable(r, &st, t.log);
	s = verified(&st, cfg, PW_V_OK, key);
	pass_durable(r, &st, t.log);
	/* Exhausted an hour ago, resumed since. */
	w = pw_slot_word(s);
	ck_assert(pw_slot_cas(s, &w, PW_W_WITH(w, PW_GS_EXHAUSTED, 0,
	    PW_W_HI(w))));
	pw_gs_set_exhausted(s, pw_store_now(&st) - 3600 * 1000);
	w = pw_slot_word(s);
	ck_assert(pw_slot_cas(s, &w, PW_W_WITH(w, PW_GS_LIVE, 0, PW_W_HI(w))));
	/* Ended by a worker that died before it wrote the instant. */
	w = pw_slot_word(s);
	ck_assert(pw_slot_cas(s, &w, PW_W_WITH(w, PW_GS_ENDED, PW_R_ENDED,
	    PW_W_HI(w))));
	ck_assert_uint_eq(pw_gs_end_ms(s), 0);
	now = pw_store_now(&st);
	pw_reap_walk(r);
	loud(saved);
	ck_assert_uint_ge(pw_gs_end_ms(s), now);
	ck_assert_uint_le(pw_gs_end_ms(s), pw_store_now(&st));
	pw_reap_free(r);
	close(fd);
	pw_store_close(&st);
	free(cfg);
	tdir_remove(&t);
}
END_TEST

static Suite *
billing_recover_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("billing_recover");

	tc = tcase_create("recover");
	tcase_add_test(tc, test_recover_new_store);
	tcase_add_test(tc, test_recover_lost_balance);
	tcase_add_test(tc, test_recover_live_session);
	tcase_add_test(tc, test_reaper_restart_gives_holds_back);
	tcase_add_test(tc, test_reaper_killed_mid_apply);
	tcase_add_test(tc, test_resumed_session_keeps_no_stale_end);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(billing_recover_suite()));
}
