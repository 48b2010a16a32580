/*
 * playwavectl log cat|tail|verify|report [--archive DIR] [FILE] and log
 * archive DIR: the billing log read across its segments through
 * src/billing (record.c, scan.c, logset.c), so that the formats are
 * defined in exactly one place.  FILE names the active file (the
 * configuration's billing-log by default); its closed segments are found
 * beside it, archived ones in DIR.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "ctl.h"

#define TAIL_N		10
#define FOLLOW_MS	250

struct ring {
	struct pw_event	 ev[TAIL_N];
	uint8_t		 raw[TAIL_N][PW_EV_SIZE];
	uint64_t	 n;
};

struct tail {
	struct ctl	*c;
	struct ctl_log	*lg;
	uint64_t	 last;		/* the last seq printed or passed over */
	uint64_t	 durable;	/* print no later seq (shipping) */
};

static int
cat_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct tail *t = arg;

	ctl_log_event(t->c, ev, t->lg);
	return (0);
}

static int
ring_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct ring *r = arg;
	size_t i = r->n++ % TAIL_N;

	r->ev[i] = *ev;
	memcpy(r->raw[i], ev->raw, ev->format == 2 ? PW_EV_SIZE : PW_EV1_SIZE);
	r->ev[i].raw = r->raw[i];
	return (0);
}

/* [--archive DIR] [FILE] from argv[i] on, into lg. */
static void
log_args(struct ctl *c, int argc, char **argv, int i, struct ctl_log *lg)
{
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--archive") == 0 && i + 1 < argc)
			lg->archive = argv[++i];
		else if (argv[i][0] == '-' || lg->path != NULL)
			ctl_usage_err("log %s: bad argument %s", argv[1],
			    argv[i]);
		else
			lg->path = argv[i];
	}
	ctl_log_open(c, lg);
}

static int
log_cat(struct ctl *c, int argc, char **argv)
{
	struct ctl_log lg;
	struct tail t;
	struct pw_scan sc;
	int rc;

	memset(&lg, 0, sizeof(lg));
	log_args(c, argc, argv, 2, &lg);
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.lg = &lg;
	ctl_log_header(c);
	rc = ctl_log_read(&lg, 0, cat_one, &t, &sc);
	ctl_log_close(&lg);
	return (rc);
}

/*
 * The seq a shipper may take: one synced (durable_seq, when the store
 * can be read), so that no event it loads can be lost by a power cut
 * and logged again differently under the same seq.
 */
static uint64_t
durable_bound(struct ctl *c)
{
	char err[1400];

	if (c->cfg == NULL && c->storefile == NULL)
		return (UINT64_MAX);
	if (!c->mapped && pw_store_open(&c->st, c->store_path, 0, 0, 1, err,
	    sizeof(err)) == -1)
		return (UINT64_MAX);
	c->mapped = 1;
	return (atomic_load(&c->st.hdr->durable_seq));
}

static int
from_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct tail *t = arg;

	if (ev->seq <= t->last)
		return (0);
	/* A shipper must never skip: what it needs was archived. */
	if (t->last != 0 && ev->seq != t->last + 1)
		ctl_die("log tail: seq %llu-%llu are not beside the log (moved "
		    "by log archive?): name their directory with --archive",
		    (unsigned long long)t->last + 1,
		    (unsigned long long)ev->seq - 1);
	if (ev->seq > t->durable)
		return (1);
	ctl_log_event(t->c, ev, t->lg);
	t->last = ev->seq;
	return (0);
}

/* New whole records of the active file from *off on. */
static void
follow_read(struct tail *t, const struct pw_seg *g, uint64_t *off)
{
	uint8_t r[PW_EV_SIZE];
	struct pw_event ev;

	t->durable = durable_bound(t->c);
	while (pread(g->fd, r, g->rec, (off_t)*off) == (ssize_t)g->rec) {
		if ((g->format == 2 ? pw_event_decode(r, &ev) :
		    pw_event_decode1(r, &ev)) == -1 || ev.seq > t->last + 1 ||
		    ev.seq > t->durable)
			break;
		ev.raw = r;
		if (ev.seq == t->last + 1) {
			ctl_log_event(t->c, &ev, t->lg);
			t->last = ev.seq;
		}
		*off += g->rec;
	}
	fflush(stdout);
}

static int
replaced(const struct tail *t, int fd)
{
	struct stat a, b;

	return (fstat(fd, &a) == -1 || fstatat(t->lg->ls.dfd, t->lg->ls.base,
	    &b, AT_SYMLINK_NOFOLLOW) == -1 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev);
}

/* The file was cut under the follower (by hand): it starts over. */
static void
truncated(struct tail *t)
{
	fprintf(stderr, "playwavectl: %s/%s: truncated; following from its "
	    "start\n", t->lg->ls.dir, t->lg->ls.base);
	t->last = 0;
}

/* One active file, until the reaper switches to the next and it is read. */
static void
follow_file(struct tail *t, struct pw_seg *g)
{
	struct timespec ts = { 0, FOLLOW_MS * 1000000L };
	uint8_t link[PW_LINK_LEN];
	struct stat sb;
	uint64_t off;

	ctl_log_note(t->lg, g);
	if (t->last + 1 <= g->first_seq)
		off = g->data_off;
	else if (pw_seg_find(g, t->last, &off, link) == -1) {
		/* It no longer holds what was printed: cut since. */
		truncated(t);
		return;
	}
	for (;;) {
		follow_read(t, g, &off);
		if (replaced(t, g->fd)) {
			follow_read(t, g, &off);	/* what it ends with */
			return;
		}
		if (fstat(g->fd, &sb) == 0 && (uint64_t)sb.st_size < off) {
			truncated(t);
			return;
		}
		nanosleep(&ts, NULL);
	}
}

/* Closed segments the follower has not read yet: read them now. */
static void
catch_up(struct tail *t)
{
	struct pw_scan sc;

	ctl_log_close(t->lg);
	ctl_log_open(t->c, t->lg);
	t->durable = durable_bound(t->c);
	(void)ctl_log_read(t->lg, t->last, from_one, t, &sc);
	fflush(stdout);
}

static void
follow(struct tail *t)
{
	struct timespec ts = { 0, FOLLOW_MS * 1000000L };
	struct pw_seg g;
	char err[256];
	int fd;

	for (;;) {
		fd = openat(t->lg->ls.dfd, t->lg->ls.base, O_RDONLY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 || pw_seg_open(&g, fd, NULL, err,
		    sizeof(err)) == -1 || g.format == 0) {
			if (fd != -1)
				close(fd);
			nanosleep(&ts, NULL);
			continue;
		}
		if (g.first_seq > t->last + 1) {
			close(fd);
			catch_up(t);
			/* Still short of it (archived meanwhile?): wait. */
			nanosleep(&ts, NULL);
			continue;
		}
		follow_file(t, &g);
		close(fd);
	}
}

static int
log_tail(struct ctl *c, struct ctl_log *lg, int fol, int has_from,
    uint64_t from)
{
	struct ring *r;
	struct pw_scan sc;
	struct tail t;
	uint64_t i;
	int rc;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.lg = lg;
	t.durable = UINT64_MAX;
	ctl_log_header(c);
	if (has_from) {
		/* Every event after from, then (fol) those to come. */
		t.last = from;
		t.durable = fol ? durable_bound(c) : UINT64_MAX;
		rc = ctl_log_read(lg, from, from_one, &t, &sc);
		/*
		 * A seq the log never reached (a shipper's table ahead of
		 * this log: another shard's, or a log replaced) is an error,
		 * not a wait for events that will never be these.
		 */
		if (rc == 0 && from > sc.last_seq)
			ctl_die("log tail --from %llu: the billing log ends at "
			    "seq %llu", (unsigned long long)from,
			    (unsigned long long)sc.last_seq);
	} else {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			ctl_die("out of memory");
		rc = ctl_log_read(lg, 0, ring_one, r, &sc);
		for (i = r->n > TAIL_N ? r->n - TAIL_N : 0; i < r->n; i++)
			ctl_log_event(c, &r->ev[i % TAIL_N], lg);
		t.last = sc.last_seq;
		free(r);
	}
	fflush(stdout);
	if (fol)
		follow(&t);
	return (rc);
}

static int
tail_cmd(struct ctl *c, int argc, char **argv)
{
	struct ctl_log lg;
	const char *errstr;
	uint64_t from = 0;
	int i, fol = 0, has_from = 0, rc;

	memset(&lg, 0, sizeof(lg));
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0)
			fol = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			from = (uint64_t)strtonum(argv[++i], 0, LLONG_MAX,
			    &errstr);
			if (errstr != NULL)
				ctl_usage_err("log tail --from: seq %s is %s",
				    argv[i], errstr);
			has_from = 1;
		} else
			break;
	}
	log_args(c, argc, argv, i, &lg);
	rc = log_tail(c, &lg, fol, has_from, from);
	ctl_log_close(&lg);
	return (rc);
}

int
cmd_log(struct ctl *c, int argc, char **argv)
{
	if (argc < 2)
		ctl_usage_err("log cat|tail|verify|report|archive");
	if (strcmp(argv[1], "cat") == 0)
		return (log_cat(c, argc, argv));
	if (strcmp(argv[1], "tail") == 0)
		return (tail_cmd(c, argc, argv));
	if (strcmp(argv[1], "report") == 0)
		return (ctl_log_report(c, argc, argv));
	if (strcmp(argv[1], "verify") == 0)
		return (ctl_log_verify(c, argc, argv));
	if (strcmp(argv[1], "archive") == 0)
		return (ctl_log_archive(c, argc, argv));
	ctl_usage_err("log: unknown subcommand %s", argv[1]);
}
