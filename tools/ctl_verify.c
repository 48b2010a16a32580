/*
 * playwavectl log verify [--head SEQ:HASH] [--archive DIR] [FILE]: a
 * full check of a billing log, across its segments.
 *
 * The scan (src/billing/scan.c, logset.c) checks every record alone (its
 * own check), that seq runs 1, 2, 3 across segments, and that every link
 * extends the chain: it names the first record where one does not (an
 * edited record, even one whose own check was recomputed), and prints
 * the head (last seq and its c_n) for an auditor to note; --head checks
 * the log still holds a noted head, which a log rewritten with its whole
 * chain recomputed no longer does.  The ledger (src/billing/ledger.c,
 * the same reader the daemon's start-up reconciliation uses) checks that
 * each segment's snapshot is what the events before it add up to, and
 * that each session reads START, CHARGE
 * minutes 1..n, at most one END whose totals equal its charges, and that
 * replaying CREDIT, CHARGE and DEBIT amounts per wallet gives each
 * event's balance (never below zero after a DEBIT).  With the daemon's
 * own log and store, the replayed balances are finally compared with the
 * store's, and what the last start-up reconciliation changed is shown.
 */
#include <sys/types.h>

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
#include "pw_crypto.h"
#include "pw_ledger.h"
#include "pw_session.h"
#include "ctl.h"

struct verify {
	struct pw_ledger l;
	struct ctl_log	 lg;
	struct pw_scan	 sc;
	char		 where[1200];
	uint64_t	 bad_off;
	char		 bad_file[1200];
	char		 why[512];
	int		 bad;
	uint64_t	 head_seq;	/* the last seq read, and its link */
	uint8_t		 head[PW_LINK_LEN];
	int		 has_noted;	/* --head SEQ:HASH */
	uint64_t	 noted_seq;
	uint8_t		 noted[PW_LINK_LEN];
	uint8_t		 noted_got[PW_LINK_LEN];
	int		 noted_seen;
};

/* Why the read of the log stopped short of its end. */
static void
describe_stop(struct verify *v)
{
	v->bad = 1;
	v->bad_off = v->sc.good;
	strlcpy(v->bad_file, v->where, sizeof(v->bad_file));
	snprintf(v->why, sizeof(v->why), "%s%s", v->sc.why,
	    v->sc.stop == PW_STOP_DAMAGE ? "; damage inside the log, never "
	    "cut automatically" : "; a torn tail: playwaved copies it aside "
	    "and cuts it at its next start");
}

/*
 * Compare with the store once it has applied exactly the events read
 * (logged_seq == our last seq, unchanged while comparing).  Returns the
 * number of mismatches, or -1 when no comparison was possible.
 */
static int
compare_store(struct ctl *c, struct verify *v, uint64_t last_seq)
{
	struct timespec ts = { 0, 20 * 1000000L };
	struct pw_lwallet *w;
	struct pw_slot *s;
	uint64_t seq;
	int64_t bal;
	size_t i;
	int n, tries;

	for (tries = 0; tries < 50; tries++) {
		seq = atomic_load(&c->st.hdr->logged_seq);
		if (seq > last_seq)
			return (-1);
		if (seq < last_seq) {
			nanosleep(&ts, NULL);
			continue;
		}
		for (i = 0, n = 0; i < v->l.wcap; i++) {
			w = &v->l.w[i];
			if (!w->used)
				continue;
			s = pw_wallet_find(&c->st, w->name);
			bal = s != NULL ? pw_wallet_logged(s) : 0;
			if (bal == w->balance)
				continue;
			if (atomic_load(&c->st.hdr->logged_seq) != seq)
				break;
			printf("wallet %s: the log gives %lld, the store has "
			    "%lld\n", w->name, (long long)w->balance,
			    (long long)bal);
			n++;
		}
		if (i == v->l.wcap &&
		    atomic_load(&c->st.hdr->logged_seq) == seq)
			return (n);
	}
	return (-1);
}

/* What the daemon's last start-up reconciliation changed (stderr). */
static void
recon_report(struct ctl *c, const struct pw_recon *n)
{
	if (n->ms == 0 || c->json)
		return;
	fprintf(stderr, "reconciled at start: seq %llu-%llu read, %llu "
	    "ended kept ended, %llu minutes raised, %llu marks, %llu wallets, "
	    "%llu OTTs kept consumed, %llu credits, %llu lost, %llu holes\n",
	    (unsigned long long)n->from_seq, (unsigned long long)n->to_seq,
	    (unsigned long long)n->ended, (unsigned long long)n->minutes,
	    (unsigned long long)n->marks, (unsigned long long)n->wallets,
	    (unsigned long long)n->otts, (unsigned long long)n->credits,
	    (unsigned long long)n->lost, (unsigned long long)n->mended);
}

static int
store_check(struct ctl *c, struct verify *v, uint64_t last_seq)
{
	char err[1400];
	int n;

	if (c->cfg == NULL || strcmp(v->lg.path, c->cfg->billing_log) != 0)
		return (0);
	if (pw_store_open(&c->st, c->store_path, 0, 0, 1, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "playwavectl: balances not compared with the "
		    "store: %s\n", err);
		return (0);
	}
	c->mapped = 1;
	recon_report(c, &c->st.hdr->recon);
	if ((n = compare_store(c, v, last_seq)) == -1)
		fprintf(stderr, "playwavectl: balances not compared with the "
		    "store: the daemon is writing the log\n");
	return (n > 0 ? n : 0);
}

static size_t
credits(const struct verify *v)
{
	size_t i, n;

	for (i = n = 0; i < v->l.scap; i++)
		n += v->l.s[i].used && v->l.s[i].credit;
	return (n);
}

static void
recon_json(struct jw *j, const struct pw_recon *n)
{
	jw_uint(j, "reconciled_at_ms", n->ms);
	jw_uint(j, "reconciled_from_seq", n->from_seq);
	jw_uint(j, "reconciled_to_seq", n->to_seq);
	jw_uint(j, "reconciled_ended", n->ended);
	jw_uint(j, "reconciled_minutes", n->minutes);
	jw_uint(j, "reconciled_marks", n->marks);
	jw_uint(j, "reconciled_wallets", n->wallets);
	jw_uint(j, "reconciled_otts", n->otts);
	jw_uint(j, "reconciled_credits", n->credits);
	jw_uint(j, "reconciled_lost", n->lost);
}

static void
head_text(const struct verify *v, char *out, size_t n)
{
	char hex[2 * PW_LINK_LEN + 1];

	pw_hex_encode(v->head, PW_LINK_LEN, hex);
	snprintf(out, n, "%" PRIu64 ":%s", v->head_seq, hex);
}

static void
report_text(const struct verify *v, int mismatches)
{
	char head[128];

	if (v->bad) {
		printf("bad record at offset %" PRIu64 " of %s: %s\n",
		    v->bad_off, v->bad_file, v->why);
		return;
	}
	head_text(v, head, sizeof(head));
	printf("ok_up_to=%" PRIu64 " events=%" PRIu64 " sessions=%zu open=%"
	    PRIu64 " head=%s%s\n", v->head_seq, v->l.events,
	    v->l.ns - credits(v), v->l.open, head, mismatches ?
	    " wallet_mismatches" : "");
}

static void
report(struct ctl *c, struct verify *v, int mismatches)
{
	char hex[2 * PW_LINK_LEN + 1];
	struct jw j;

	if (!c->json) {
		report_text(v, mismatches);
		return;
	}
	jw_begin(&j, stdout);
	jw_bool(&j, "ok", !v->bad && mismatches == 0);
	if (v->bad) {
		jw_str(&j, "file", v->bad_file);
		jw_uint(&j, "offset", v->bad_off);
		jw_uint(&j, "seq", v->sc.last_seq + 1);
		jw_str(&j, "error", v->why);
	}
	jw_uint(&j, "ok_up_to", v->head_seq);
	jw_uint(&j, "events", v->l.events);
	jw_uint(&j, "sessions", v->l.ns - credits(v));
	jw_uint(&j, "open", v->l.open);
	jw_int(&j, "wallet_mismatches", mismatches);
	jw_uint(&j, "head_seq", v->head_seq);
	pw_hex_encode(v->head, PW_LINK_LEN, hex);
	jw_str(&j, "head_link", hex);
	jw_uint(&j, "segments", v->lg.ls.nseg + 1);
	if (c->mapped && c->st.hdr->recon.ms != 0)
		recon_json(&j, &c->st.hdr->recon);
	jw_end(&j);
}

/* The link of the noted seq, as the read passes it. */
static int
note_link(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct verify *v = arg;

	if (v->has_noted && ev->seq == v->noted_seq && ev->format == 2) {
		memcpy(v->noted_got, ev->link, PW_LINK_LEN);
		v->noted_seen = 1;
	}
	return (0);
}

/* --head SEQ:HASH */
static void
parse_head(struct verify *v, const char *arg)
{
	const char *colon, *errstr;
	char num[24];

	if ((colon = strchr(arg, ':')) == NULL || colon == arg ||
	    (size_t)(colon - arg) >= sizeof(num) ||
	    pw_hex_decode(colon + 1, strlen(colon + 1), v->noted,
	    PW_LINK_LEN) == -1)
		ctl_usage_err("log verify --head: SEQ:HASH (64 hex digits), "
		    "not %s", arg);
	memcpy(num, arg, (size_t)(colon - arg));
	num[colon - arg] = '\0';
	v->noted_seq = (uint64_t)strtonum(num, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		ctl_usage_err("log verify --head: seq %s is %s", num, errstr);
	v->has_noted = 1;
}

static int
check_noted(const struct verify *v)
{
	char hex[2 * PW_LINK_LEN + 1];

	if (!v->has_noted || v->bad)
		return (0);
	if (!v->noted_seen) {
		printf("noted head seq %" PRIu64 " is not in the log (it holds "
		    "seq %" PRIu64 "-%" PRIu64 " in format 2)\n", v->noted_seq,
		    v->l.from_seq + 1, v->head_seq);
		return (1);
	}
	if (memcmp(v->noted_got, v->noted, PW_LINK_LEN) != 0) {
		pw_hex_encode(v->noted_got, PW_LINK_LEN, hex);
		printf("noted head seq %" PRIu64 " does not match: the log's "
		    "link there is %s; the log was rewritten at or before seq %"
		    PRIu64 "\n", v->noted_seq, hex, v->noted_seq);
		return (1);
	}
	if (!v->bad)
		printf("noted head seq %" PRIu64 " matches\n", v->noted_seq);
	return (0);
}

static void
verify_args(struct ctl *c, int argc, char **argv, struct verify *v)
{
	int i;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--head") == 0 && i + 1 < argc)
			parse_head(v, argv[++i]);
		else if (strcmp(argv[i], "--archive") == 0 && i + 1 < argc)
			v->lg.archive = argv[++i];
		else if (argv[i][0] == '-' || v->lg.path != NULL)
			ctl_usage_err("log verify: bad argument %s", argv[i]);
		else
			v->lg.path = argv[i];
	}
	ctl_log_open(c, &v->lg);
}

/*
 * The head: the last seq and its link; for a log still of format 1,
 * the link its format 2 will continue from (SHA-256 of the file).
 */
static void
note_head(struct verify *v)
{
	struct pw_seg g;
	char err[256];
	int fd;

	v->head_seq = v->sc.last_seq;
	memcpy(v->head, v->sc.head, PW_LINK_LEN);
	if ((fd = pw_logset_fd(&v->lg.ls, v->lg.ls.nseg)) == -1)
		return;
	if (pw_seg_open(&g, fd, NULL, err, sizeof(err)) == 0 &&
	    g.format == 1 && pw_seg_digest(fd, v->head) == -1)
		memset(v->head, 0, PW_LINK_LEN);
	close(fd);
}

int
ctl_log_verify(struct ctl *c, int argc, char **argv)
{
	struct verify *v;
	int rc, mismatches = 0;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		ctl_die("out of memory");
	verify_args(c, argc, argv, v);
	pw_ledger_init(&v->l, 0);
	v->l.hook = note_link;
	v->l.hook_arg = v;
	if (pw_ledger_read(&v->l, &v->lg.ls, 1, &v->sc, v->where,
	    sizeof(v->where)) == -1)
		ctl_die("billing log %s: %s", v->where, strerror(errno));
	note_head(v);
	if (v->l.bad) {
		v->bad = 1;
		v->bad_off = v->l.bad_off;
		strlcpy(v->bad_file, v->l.bad_file, sizeof(v->bad_file));
		strlcpy(v->why, v->l.why, sizeof(v->why));
	} else if (v->sc.stop != PW_STOP_END)
		describe_stop(v);
	if (!v->bad)
		mismatches = store_check(c, v, v->head_seq);
	report(c, v, mismatches);
	rc = v->bad || mismatches || check_noted(v) ? CTL_EXIT_FAIL : 0;
	pw_ledger_free(&v->l);
	ctl_log_close(&v->lg);
	free(v);
	return (rc);
}
