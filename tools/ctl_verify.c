/*
 * playwavectl log verify: a full check of a billing log.
 *
 * pw_blog_scan checks every record's checksum and that seq runs 1, 2, 3;
 * the ledger (src/billing/ledger.c, the same reader the daemon's start-up
 * reconciliation uses) checks that each session reads START, CHARGE
 * minutes 1..n, at most one END whose totals equal its charges, and that
 * replaying CREDIT, CHARGE and DEBIT amounts per wallet gives each
 * event's balance (never below zero after a DEBIT).  With the daemon's
 * own log and store, the replayed balances are finally compared with the
 * store's, and what the last start-up reconciliation changed is shown.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_ledger.h"
#include "pw_session.h"
#include "ctl.h"

struct verify {
	struct pw_ledger l;
	uint64_t	 bad_off;
	char		 why[256];
	int		 bad;
};

/* Why the record at off stopped pw_blog_scan. */
static void
describe_stop(struct verify *v, int fd, int rc, uint64_t off, uint64_t size,
    uint64_t last_seq)
{
	static const uint8_t zero[PW_EV_SIZE];
	uint8_t r[PW_EV_SIZE];
	struct pw_event ev;
	const char *what, *tail;
	char seqmsg[96];

	tail = rc == -1 ? "; valid records follow it (damage inside the "
	    "log, never cut automatically)" : " (a torn tail: playwaved cuts "
	    "it at its next start)";
	if (size - off < PW_EV_SIZE)
		what = "short record";
	else if (pread(fd, r, sizeof(r), (off_t)off) != (ssize_t)sizeof(r))
		what = strerror(errno);
	else if (memcmp(r, zero, sizeof(r)) == 0)
		what = "zero bytes";
	else if (memcmp(r, PW_EV_MAGIC, 4) != 0)
		what = "bad magic";
	else if (pw_event_decode(r, &ev) == -1)
		what = "checksum or field check failed";
	else {
		snprintf(seqmsg, sizeof(seqmsg), "seq %llu, expected %llu",
		    (unsigned long long)ev.seq,
		    (unsigned long long)(last_seq + 1));
		what = seqmsg;
	}
	v->bad = 1;
	v->bad_off = off;
	snprintf(v->why, sizeof(v->why), "%s, %llu bytes to the end%s", what,
	    (unsigned long long)(size - off), tail);
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
			bal = s != NULL ? atomic_load(&s->u.w.balance) : 0;
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
store_check(struct ctl *c, struct verify *v, const char *path, int explicit,
    uint64_t last_seq)
{
	char err[1400];
	int n;

	if (c->cfg == NULL || (explicit && strcmp(path, c->cfg->billing_log)
	    != 0))
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
report(struct ctl *c, struct verify *v, uint64_t good, int mismatches)
{
	struct jw j;

	if (!c->json) {
		if (v->bad)
			printf("bad record at offset %llu: %s\n",
			    (unsigned long long)v->bad_off, v->why);
		else
			printf("ok_up_to=%llu events=%llu sessions=%zu "
			    "open=%llu%s\n", (unsigned long long)good,
			    (unsigned long long)v->l.events, v->l.ns - credits(v),
			    (unsigned long long)v->l.open, mismatches ?
			    " wallet_mismatches" : "");
		return;
	}
	jw_begin(&j, stdout);
	jw_bool(&j, "ok", !v->bad && mismatches == 0);
	if (v->bad) {
		jw_uint(&j, "offset", v->bad_off);
		jw_str(&j, "error", v->why);
	}
	jw_uint(&j, "ok_up_to", v->bad ? v->bad_off : good);
	jw_uint(&j, "events", v->l.events);
	jw_uint(&j, "sessions", v->l.ns - credits(v));
	jw_uint(&j, "open", v->l.open);
	jw_int(&j, "wallet_mismatches", mismatches);
	if (c->mapped && c->st.hdr->recon.ms != 0)
		recon_json(&j, &c->st.hdr->recon);
	jw_end(&j);
}

int
ctl_log_verify(struct ctl *c, const char *path, int explicit)
{
	struct verify v;
	uint64_t good, seq, size;
	int fd, rc, mismatches = 0;

	memset(&v, 0, sizeof(v));
	pw_ledger_init(&v.l, 0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		ctl_die("billing log %s: %s", path, strerror(errno));
	rc = pw_ledger_read(&v.l, fd, 1, &good, &size);
	seq = v.l.last_seq;
	if (v.l.bad) {
		v.bad = 1;
		v.bad_off = v.l.bad_off;
		strlcpy(v.why, v.l.why, sizeof(v.why));
	}
	if (rc == -1 && !v.bad && good == size)
		ctl_die("billing log %s: %s", path, strerror(errno));
	if (!v.bad && good != size)
		describe_stop(&v, fd, rc, good, size, seq);
	close(fd);
	if (!v.bad)
		mismatches = store_check(c, &v, path, explicit, seq);
	report(c, &v, good, mismatches);
	pw_ledger_free(&v.l);
	return (v.bad || mismatches ? CTL_EXIT_FAIL : 0);
}
