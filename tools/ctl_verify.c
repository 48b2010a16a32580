/*
 * playwavectl log verify: a full check of a billing log.
 *
 * pw_blog_scan checks every record's checksum and that seq runs 1, 2, 3;
 * on top of that each session must read START, CHARGE minutes 1..n, at
 * most one END whose totals equal its charges, and replaying CREDIT and
 * CHARGE amounts per wallet must give each event's balance.  With the
 * daemon's own log and store, the replayed balances are finally compared
 * with the store's (meaningful only while the daemon is idle).
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
#include "pw_session.h"
#include "ctl.h"

struct vsess {
	uint8_t		 id[16];
	uint8_t		 used, ended, cafe;
	uint32_t	 charges;
	int64_t		 charged;
	char		 wallet[24];
};

struct vwallet {
	char		 name[24];
	int		 used;
	int64_t		 balance;
};

struct verify {
	struct vsess	*s;
	size_t		 ns, scap;
	struct vwallet	*w;
	size_t		 nw, wcap;
	uint64_t	 events, open;
	uint64_t	 bad_off;
	char		 why[256];
	int		 bad;
};

static void *
table(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		ctl_die("out of memory");
	return (p);
}

static struct vsess *
sess_get(struct verify *v, const uint8_t id[16], int add)
{
	struct vsess *old;
	size_t i, oldcap;
	uint64_t h;

	if (add && (v->ns + 1) * 2 > v->scap) {
		old = v->s;
		oldcap = v->scap;
		v->scap = v->scap ? v->scap * 2 : 4096;
		v->s = table(v->scap, sizeof(*v->s));
		v->ns = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				*sess_get(v, old[i].id, 1) = old[i];
		free(old);
	}
	if (v->scap == 0)
		return (NULL);
	memcpy(&h, id, sizeof(h));
	for (i = h & (v->scap - 1);; i = (i + 1) & (v->scap - 1)) {
		if (!v->s[i].used)
			break;
		if (memcmp(v->s[i].id, id, 16) == 0)
			return (&v->s[i]);
	}
	if (!add)
		return (NULL);
	memcpy(v->s[i].id, id, 16);
	v->s[i].used = 1;
	v->ns++;
	return (&v->s[i]);
}

static struct vwallet *
wallet_get(struct verify *v, const char *name)
{
	struct vwallet *old;
	size_t i, oldcap;

	if ((v->nw + 1) * 2 > v->wcap) {
		old = v->w;
		oldcap = v->wcap;
		v->wcap = v->wcap ? v->wcap * 2 : 256;
		v->w = table(v->wcap, sizeof(*v->w));
		v->nw = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				*wallet_get(v, old[i].name) = old[i];
		free(old);
	}
	for (i = pw_config_idhash(name) & (v->wcap - 1);;
	    i = (i + 1) & (v->wcap - 1)) {
		if (!v->w[i].used)
			break;
		if (strcmp(v->w[i].name, name) == 0)
			return (&v->w[i]);
	}
	strlcpy(v->w[i].name, name, sizeof(v->w[i].name));
	v->w[i].used = 1;
	v->nw++;
	return (&v->w[i]);
}

static int
bad(struct verify *v, uint64_t off, const struct pw_event *ev,
    const char *what)
{
	char sid[64];

	ctl_format_id(ev->type == PW_EV_CREDIT ? PW_T_CREDIT : PW_T_GS, ev->id,
	    sid);
	v->bad = 1;
	v->bad_off = off;
	snprintf(v->why, sizeof(v->why), "seq %llu %s %s: %s",
	    (unsigned long long)ev->seq, pw_ev_type_name(ev->type), sid, what);
	return (1);
}

/* Replay a wallet event; its balance must be the running balance. */
static int
replay(struct verify *v, uint64_t off, const struct pw_event *ev,
    int64_t delta)
{
	struct vwallet *w;
	char msg[128];

	if (ev->amount <= 0)
		return (bad(v, off, ev, "amount is not positive"));
	if (ev->wallet[0] == '\0')
		return (bad(v, off, ev, "no wallet"));
	w = wallet_get(v, ev->wallet);
	w->balance += delta;
	if (ev->balance != w->balance) {
		snprintf(msg, sizeof(msg), "balance %lld, but replaying %s "
		    "gives %lld", (long long)ev->balance, ev->wallet,
		    (long long)w->balance);
		return (bad(v, off, ev, msg));
	}
	return (0);
}

static int
check_charge(struct verify *v, uint64_t off, const struct pw_event *ev,
    struct vsess *s)
{
	char msg[128];

	if (s == NULL)
		return (bad(v, off, ev, "CHARGE before its START"));
	if (s->ended)
		return (bad(v, off, ev, "CHARGE after its END"));
	if (ev->minute != s->charges + 1) {
		snprintf(msg, sizeof(msg), "CHARGE of minute %u, expected %u",
		    ev->minute, s->charges + 1);
		return (bad(v, off, ev, msg));
	}
	if (strcmp(ev->wallet, s->wallet) != 0)
		return (bad(v, off, ev, "CHARGE to another wallet"));
	s->charges++;
	s->charged += ev->amount;
	return (replay(v, off, ev, -ev->amount));
}

static int
check_end(struct verify *v, uint64_t off, const struct pw_event *ev,
    struct vsess *s)
{
	char msg[128];

	if (s == NULL)
		return (bad(v, off, ev, "END without START"));
	if (s->ended)
		return (bad(v, off, ev, "second END"));
	if (s->cafe && ev->minute != s->charges) {
		snprintf(msg, sizeof(msg), "END says %u minutes, %u charged",
		    ev->minute, s->charges);
		return (bad(v, off, ev, msg));
	}
	if (ev->amount != s->charged) {
		snprintf(msg, sizeof(msg), "END amount %lld, charges sum to "
		    "%lld", (long long)ev->amount, (long long)s->charged);
		return (bad(v, off, ev, msg));
	}
	s->ended = 1;
	v->open--;
	return (0);
}

static int
verify_one(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct verify *v = arg;
	struct vsess *s;

	v->events++;
	switch (ev->type) {
	case PW_EV_START:
		if (sess_get(v, ev->id, 0) != NULL)
			return (bad(v, off, ev, "second START"));
		s = sess_get(v, ev->id, 1);
		s->cafe = ev->wallet[0] != '\0';
		strlcpy(s->wallet, ev->wallet, sizeof(s->wallet));
		v->open++;
		return (0);
	case PW_EV_CHARGE:
		return (check_charge(v, off, ev, sess_get(v, ev->id, 0)));
	case PW_EV_END:
		return (check_end(v, off, ev, sess_get(v, ev->id, 0)));
	case PW_EV_CREDIT:
		return (replay(v, off, ev, ev->amount));
	}
	return (bad(v, off, ev, "unknown event type"));
}

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
		for (i = 0, n = 0; i < v->wcap; i++) {
			if (!v->w[i].used)
				continue;
			s = pw_wallet_find(&c->st, v->w[i].name);
			bal = s != NULL ? atomic_load(&s->u.w.balance) : 0;
			if (bal == v->w[i].balance)
				continue;
			if (atomic_load(&c->st.hdr->logged_seq) != seq)
				break;
			printf("wallet %s: the log gives %lld, the store has "
			    "%lld\n", v->w[i].name, (long long)v->w[i].balance,
			    (long long)bal);
			n++;
		}
		if (i == v->wcap && atomic_load(&c->st.hdr->logged_seq) == seq)
			return (n);
	}
	return (-1);
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
	if ((n = compare_store(c, v, last_seq)) == -1)
		fprintf(stderr, "playwavectl: balances not compared with the "
		    "store: the daemon is writing the log\n");
	return (n > 0 ? n : 0);
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
			    (unsigned long long)v->events, v->ns,
			    (unsigned long long)v->open, mismatches ?
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
	jw_uint(&j, "events", v->events);
	jw_uint(&j, "sessions", v->ns);
	jw_uint(&j, "open", v->open);
	jw_int(&j, "wallet_mismatches", mismatches);
	jw_end(&j);
}

int
ctl_log_verify(struct ctl *c, const char *path, int explicit)
{
	struct verify v;
	uint64_t good, seq, size;
	int fd, rc, mismatches = 0;

	memset(&v, 0, sizeof(v));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		ctl_die("billing log %s: %s", path, strerror(errno));
	rc = pw_blog_scan(fd, verify_one, &v, &good, &seq, &size);
	if (rc == -1 && !v.bad && good == size)
		ctl_die("billing log %s: %s", path, strerror(errno));
	if (!v.bad && good != size)
		describe_stop(&v, fd, rc, good, size, seq);
	close(fd);
	if (!v.bad)
		mismatches = store_check(c, &v, path, explicit, seq);
	report(c, &v, good, mismatches);
	free(v.s);
	free(v.w);
	return (v.bad || mismatches ? CTL_EXIT_FAIL : 0);
}
