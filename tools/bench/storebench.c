/*
 * storebench: the shared store's operations in ns/op, in one process and
 * in two processes sharing the mapping (as two workers do), with a
 * million live game sessions in a 2^21-slot store; the time of the
 * reaper's full pass over those slots; and whether lookups in another
 * process slow down while passes run.
 *
 *	storebench [dir [probe]]	(store, log and config files are made
 *				in dir, default /tmp, and removed at the end;
 *				with probe, only the probe lengths of
 *				storebench_probe.c)
 *
 * The walk is the reaper's own, pw_reap_walk() of src/billing/reaper_pass.c,
 * over a configuration with one game and one cafe and a billing log of its
 * own.
 * The sessions are set up as the reaper leaves them between minutes:
 * started and billed, their events logged, so a pass finds nothing owed
 * and writes nothing (checked: the log must stay empty).  That is the
 * steady state of a server with a million players; a pass that does owe
 * events adds a SHA-256 and 128 bytes of log per event.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_daemon.h"
#include "pw_config.h"
#include "pw_reap.h"
#include "pw_session.h"
#include "pw_store.h"
#include "storebench.h"

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static void
die(const char *what)
{
	fprintf(stderr, "storebench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * Map every page of the slot array into this process with a write (an
 * OR of 0 into one slot word a page), so that the timings below measure
 * the table and not first-touch page faults: after fork a child has no
 * page table entries for a shared file mapping, and a page read first
 * is mapped read-only and faults again at the first write.
 */
static double
prefault(struct ctx *c)
{
	uint64_t i, t0, step = 4096 / PW_SLOT_SIZE;

	t0 = mono_ns();
	for (i = 0; i <= c->st.mask; i += step)
		atomic_fetch_or_explicit(&c->st.slots[i].word, 0,
		    memory_order_relaxed);
	return ((double)(mono_ns() - t0) / 1e6);
}

static void
open_store(struct ctx *c, const char *name)
{
	char path[1000], err[1200];

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	(void)unlink(path);
	if (pw_store_open(&c->st, path, NSLOTS, 1, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "storebench: %s\n", err);
		exit(1);
	}
	pw_store_set_cell(&c->st, 0);
}

static void
close_store(struct ctx *c, const char *name)
{
	char path[1000];

	pw_store_close(&c->st);
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	(void)unlink(path);
}

/* --- the operations, over keys [lo, hi) ------------------------------ */

static double
run1(struct ctx *c, op_fn fn, size_t lo, size_t hi, size_t *fails)
{
	uint64_t t0;

	t0 = mono_ns();
	*fails = fn(c, lo, hi);
	return ((double)(mono_ns() - t0) / (double)(hi - lo));
}

static void
child_run(struct ctx *c, op_fn fn, unsigned k, size_t lo, size_t hi)
{
	uint64_t t0, c0;

	/* Claims are made in this pid's name, counters in its own cell. */
	pw_store_set_cell(&c->st, k + 1);
	c->sh->fault_ms[k] = prefault(c);
	atomic_fetch_add(&c->sh->ready, 1);
	while (atomic_load(&c->sh->go) == 0)
		;
	t0 = mono_ns();
	c0 = cpu_ns();
	c->sh->fails[k] = fn(c, lo, hi);
	c->sh->ns[k] = mono_ns() - t0;
	c->sh->cpu[k] = cpu_ns() - c0;
	_exit(0);
}

/*
 * Two processes, each on its half of [lo, hi), started together.
 * Returns the mean wall ns/op each process saw; *cpu gets its CPU ns/op
 * (which leaves out time it spent preempted), *agg ops/s of both.
 */
static double
run2(struct ctx *c, op_fn fn, size_t lo, size_t hi, size_t *fails,
    double *agg, double *cpu)
{
	pid_t pid[2];
	size_t mid = lo + (hi - lo) / 2, n[2] = { mid - lo, hi - mid };
	unsigned k;
	int status;

	atomic_store(&c->sh->ready, 0);
	atomic_store(&c->sh->go, 0);
	for (k = 0; k < 2; k++) {
		if ((pid[k] = fork()) == -1)
			die("fork");
		if (pid[k] == 0)
			child_run(c, fn, k, k == 0 ? lo : mid, k == 0 ? mid : hi);
	}
	while (atomic_load(&c->sh->ready) < 2)
		;
	atomic_store(&c->sh->go, 1);
	for (k = 0; k < 2; k++)
		if (waitpid(pid[k], &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			die("child");
	*fails = c->sh->fails[0] + c->sh->fails[1];
	*agg = (double)(hi - lo) * 1e9 / (double)(c->sh->ns[0] >
	    c->sh->ns[1] ? c->sh->ns[0] : c->sh->ns[1]);
	*cpu = ((double)c->sh->cpu[0] / (double)n[0] +
	    (double)c->sh->cpu[1] / (double)n[1]) / 2;
	return (((double)c->sh->ns[0] / (double)n[0] +
	    (double)c->sh->ns[1] / (double)n[1]) / 2);
}

static void
report(const char *name, const struct res *r)
{
	printf("  %-26s %8.1f ns/op   %8.1f ns/op (cpu %6.1f)  %6.2f "
	    "Mops/s\n", name, r->ns1, r->ns2, r->cpu2, r->agg / 1e6);
	if (r->f1 + r->f2 != 0)
		printf("  %-26s FAILED: %zu single, %zu two-process\n", "",
		    r->f1, r->f2);
}

/* --- the reaper's pass ------------------------------------------------ */

static const char pass_conf[] =
    "session-timeout 3600\n"
    "ott-ttl 3600\n"
    "billing-unit 60\n"
    "launcher-secret storebench-launcher-secret\n"
    "launch-secret storebench-launch-secret\n"
    "game benchgame {\n"
    "    api-key \"storebench-api-key-0123456789\"\n"
    "    hmac-secret storebench-hmac-secret\n"
    "    price 1\n"
    "}\n"
    "cafe " CAFE " {\n"
    "    network 10.0.0.0/8\n"
    "}\n";

static off_t log_begun;	/* the log's size once begun: its header */

static void
reap_setup(struct ctx *c)
{
	char conf[1000], blog[1000], err[1200];
	struct pw_blog b;
	struct stat sb;
	FILE *f;
	int dfd;

	snprintf(conf, sizeof(conf), "%s/storebench.conf", c->dir);
	snprintf(blog, sizeof(blog), "%s/storebench.log", c->dir);
	(void)unlink(blog);
	if ((f = fopen(conf, "w")) == NULL)
		die(conf);
	if (fprintf(f, "billing-log \"%s\"\n%s", blog, pass_conf) < 0 ||
	    fclose(f) == EOF)
		die(conf);
	if ((dfd = open(c->dir, O_RDONLY | O_DIRECTORY)) == -1)
		die(c->dir);
	if (pw_config_load(&c->cfg, conf, err, sizeof(err)) == -1 ||
	    pw_blog_start(&c->st, &c->cfg, PW_OWNER_KEEP, dfd, &b, err,
	    sizeof(err)) == -1 ||
	    (c->reap = pw_reap_new(&c->st, &c->cfg, dfd, blog, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "storebench: %s\n", err);
		exit(1);
	}
	pw_blog_close(&b);
	if (stat(blog, &sb) == -1)
		die(blog);
	log_begun = sb.st_size;
	(void)unlink(conf);
}

/*
 * Every live session as the reaper leaves it after billing its current
 * minute: of our game, at the cafe or not, seen now, START (and for a
 * cafe session its one charge) logged.
 */
static uint64_t
sessions_as_billed(struct ctx *c, int cafe)
{
	struct pw_slot *s;
	uint64_t i, w, n = 0;

	for (i = 0; i <= c->st.mask; i++) {
		s = &c->st.slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != PW_T_GS)
			continue;
		s->u.gs.game = c->cfg.games[0].hash;
		s->u.gs.cafe = cafe ? c->cfg.cafes[0].hash : 0;
		s->u.gs.start_ms = c->now;
		atomic_store(&s->u.gs.last_seen_ms, c->now);
		atomic_store(&s->u.gs.logged, PW_LOGGED_START |
		    (cafe ? PW_W_HI(w) : 0));
		n++;
	}
	return (n);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
passes(struct ctx *c, int n)
{
	double ms[NPASS];
	uint64_t t0;
	int i;

	for (i = 0; i < n && i < NPASS; i++) {
		t0 = mono_ns();
		pw_reap_walk(c->reap);
		ms[i] = (double)(mono_ns() - t0) / 1e6;
	}
	qsort(ms, (size_t)i, sizeof(ms[0]), cmp_double);
	return (ms[i / 2]);
}

/* The passes owed nothing: they must have written nothing. */
static void
log_untouched(struct ctx *c)
{
	struct stat sb;

	if (stat(c->cfg.billing_log, &sb) == -1)
		die(c->cfg.billing_log);
	if (sb.st_size != log_begun) {
		fprintf(stderr, "storebench: the passes wrote %lld bytes of "
		    "billing log: the sessions were not set up as billed\n",
		    (long long)(sb.st_size - log_begun));
		exit(1);
	}
}

/* --- lookup latency in another process while passes run --------------- */

static void
prober(struct ctx *c)
{
	struct shared *sh = c->sh;
	uint64_t t0, d;
	unsigned ph;
	size_t i = 0;

	pw_store_set_cell(&c->st, 3);
	(void)prefault(c);
	atomic_fetch_add(&sh->ready, 1);
	while ((ph = atomic_load(&sh->phase)) < 2) {
		t0 = mono_ns();
		(void)pw_store_find(&c->st, c->keys[i], PW_T_GS, NULL);
		d = mono_ns() - t0;
		sh->hist[ph][d < HIST_NS ? d : HIST_NS]++;
		if (d > sh->max[ph])
			sh->max[ph] = d;
		sh->count[ph]++;
		i = (i + 7919) % NLIVE;
		/* One lookup every few us, like a busy worker's share. */
		t0 = mono_ns();
		while (mono_ns() - t0 < 2000)
			;
	}
	_exit(0);
}

static uint64_t
pct(const struct shared *sh, int ph, double p)
{
	uint64_t want, seen = 0;
	size_t i;

	want = (uint64_t)((double)sh->count[ph] * p / 100.0);
	for (i = 0; i <= HIST_NS; i++)
		if ((seen += sh->hist[ph][i]) > want)
			return (i);
	return (HIST_NS);
}

static void
latency_during_pass(struct ctx *c)
{
	struct timespec ts = { LAT_BASE_MS / 1000, 0 };
	uint64_t t0;
	pid_t pid;
	int status, n, ph;

	memset(c->sh, 0, sizeof(*c->sh));
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0)
		prober(c);
	while (atomic_load(&c->sh->ready) < 1)
		;
	nanosleep(&ts, NULL);
	atomic_store(&c->sh->phase, 1);
	t0 = mono_ns();
	for (n = 0; mono_ns() - t0 < 1000000000u || n < 3; n++)
		pw_reap_walk(c->reap);
	atomic_store(&c->sh->phase, 2);
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	printf("\nlookup latency in a second process (one lookup every ~2 us, "
	    "ns incl. ~20 ns of clock reads)\n");
	for (ph = 0; ph < 2; ph++)
		printf("  %-26s n %8llu  p50 %5llu  p99 %6llu  p99.9 %6llu  "
		    "max %8llu\n", ph == 0 ? "store idle" :
		    "during back-to-back passes",
		    (unsigned long long)c->sh->count[ph],
		    (unsigned long long)pct(c->sh, ph, 50),
		    (unsigned long long)pct(c->sh, ph, 99),
		    (unsigned long long)pct(c->sh, ph, 99.9),
		    (unsigned long long)c->sh->max[ph]);
	printf("  (%d passes ran while probing)\n", n);
}

/* --- main ------------------------------------------------------------- */

static void
add_wallet(struct ctx *c)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	pw_wallet_key(key, CAFE);
	if (pw_store_claim_unique(&c->st, key, PW_T_WALLET, &s) !=
	    PW_INS_NEW) {
		fprintf(stderr, "storebench: wallet insert failed\n");
		exit(1);
	}
	strlcpy(s->u.w.name, CAFE, sizeof(s->u.w.name));
	pw_store_publish(s, 0, 0);
}

static void
bench_ops(struct ctx *c)
{
	struct res ins, look, hb, cons;
	double fault1, fault2;

	/*
	 * Two processes insert a million sessions into a second store; the
	 * OTTs for CAS-consume go there too, so that the consumes probe a
	 * store as full as the first one.
	 */
	open_store(c, "storebench.2");
	fault1 = prefault(c);
	ins.ns2 = run2(c, op_insert, 0, NLIVE, &ins.f2, &ins.agg,
	    &ins.cpu2);
	fault2 = (c->sh->fault_ms[0] + c->sh->fault_ms[1]) / 2;
	if (op_ott_insert(c, 0, NOTT) != 0)
		fprintf(stderr, "storebench: some OTT inserts failed\n");
	cons.ns1 = run1(c, op_consume, 0, NOTT / 2, &cons.f1);
	cons.ns2 = run2(c, op_consume, NOTT / 2, NOTT, &cons.f2, &cons.agg,
	    &cons.cpu2);
	close_store(c, "storebench.2");

	open_store(c, "storebench.1");
	(void)prefault(c);
	ins.ns1 = run1(c, op_insert, 0, NLIVE, &ins.f1);
	look.ns1 = run1(c, op_lookup, 0, NLIVE, &look.f1);
	look.ns2 = run2(c, op_lookup, 0, NLIVE, &look.f2, &look.agg,
	    &look.cpu2);
	/* A new value each run, so that every update is a real write. */
	c->stamp = c->now + 1;
	hb.ns1 = run1(c, op_heartbeat, 0, NLIVE, &hb.f1);
	c->stamp = c->now + 2;
	hb.ns2 = run2(c, op_heartbeat, 0, NLIVE, &hb.f2, &hb.agg,
	    &hb.cpu2);

	printf("store operations, %u slots, %u live game sessions "
	    "(load %.2f)\n", NSLOTS, NLIVE, (double)NLIVE / NSLOTS);
	printf("  %-26s %14s   %s\n", "", "1 process",
	    "2 processes: each (wall, cpu), both");
	report("insert (claim+publish)", &ins);
	report("lookup", &look);
	report("heartbeat (find+max32)", &hb);
	report("CAS-consume (find+CAS)", &cons);
	printf("  first touch of every page of the slot array: %.1f ms in the "
	    "creating process,\n  %.1f ms in each forked process (pages "
	    "already in memory), excluded above\n", fault1, fault2);
}

static void
bench_pass(struct ctx *c)
{
	struct stat sb;
	char path[1000];
	uint64_t n;
	double ms;

	add_wallet(c);
	snprintf(path, sizeof(path), "%s/storebench.1", c->dir);
	if (stat(path, &sb) == -1)
		die(path);
	printf("\nstore file: %lld bytes (%.1f MiB) for %u slots\n",
	    (long long)sb.st_size, (double)sb.st_size / 1048576, NSLOTS);
	reap_setup(c);
	pw_store_set_cell(&c->st, PW_CELL_REAPER);
	pw_store_advise(&c->st, 1);	/* as reaper_main() does */
	printf("\nthe reaper's pass (pw_reap_walk) over all slots\n");
	n = sessions_as_billed(c, 0);
	ms = passes(c, NPASS);
	printf("  %-26s %8.1f ms (median of %d)  live sessions %llu\n",
	    "non-cafe sessions", ms, NPASS, (unsigned long long)n);
	printf("  %-26s %8.1f%% of one CPU at 4 passes/s\n", "", ms * 4 / 10);
	n = sessions_as_billed(c, 1);
	ms = passes(c, NPASS);
	printf("  %-26s %8.1f ms (median of %d)  live sessions %llu\n",
	    "cafe sessions (+wallet)", ms, NPASS, (unsigned long long)n);
	printf("  %-26s %8.1f%% of one CPU at 4 passes/s\n", "", ms * 4 / 10);
	(void)sessions_as_billed(c, 0);
	latency_during_pass(c);
	log_untouched(c);
	(void)unlink(c->cfg.billing_log);
}

int
main(int argc, char *argv[])
{
	struct ctx c;
	double load[3];
	size_t i;

	memset(&c, 0, sizeof(c));
	strlcpy(c.dir, argc > 1 ? argv[1] : "/tmp", sizeof(c.dir));
	if (argc > 2 && strcmp(argv[2], "probe") == 0) {
		bench_probe(c.dir, NSLOTS, NLIVE);
		return (0);
	}
	c.now = pw_now_ms();
	if ((c.keys = calloc(NLIVE, PW_KEY_LEN)) == NULL ||
	    (c.otts = calloc(NOTT, PW_KEY_LEN)) == NULL)
		die("calloc");
	/* Random keys, like the server's UUIDs: uniform home slots. */
	for (i = 0; i < NLIVE; i++)
		arc4random_buf(c.keys[i], PW_KEY_LEN);
	for (i = 0; i < NOTT; i++)
		arc4random_buf(c.otts[i], PW_KEY_LEN);
	c.sh = mmap(NULL, sizeof(*c.sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (c.sh == MAP_FAILED)
		die("mmap");
	/* The machine may be busy with other work: say so next to the numbers. */
	if (getloadavg(load, 3) == 3)
		printf("\nload average at start: %.2f %.2f %.2f\n", load[0],
		    load[1], load[2]);
	printf("\n");
	bench_ops(&c);
	bench_pass(&c);
	close_store(&c, "storebench.1");
	bench_probe(c.dir, NSLOTS, NLIVE);
	return (0);
}
