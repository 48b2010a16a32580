/*
 * playwavectl wallet credit|debit ID AMOUNT [--memo TEXT] | wallet show.
 * A credit or a debit is queued in the store and applied by the reaper
 * together with its CREDIT or DEBIT event (the balance only ever changes
 * with a logged event), so the tool waits for the reaper to report the
 * new balance in the credit's slot.  The reaper marks it applied only
 * once the log holding the event is synced, whatever billing-fsync says
 * (reaper_batch.c): so a balance printed and exit 0 mean the change is
 * durable, and a power cut cannot undo it.  Not confirmed in time, the
 * tool exits 75 (EX_TEMPFAIL) and says the change may still apply.
 *
 * A debit is refused, with nothing logged, when the wallet's balance
 * less its hold (money reserved for charges not yet logged) is short:
 * here first, and again by the reaper, which alone decides.  The memo
 * goes into the event (at most PW_EV_MEMO bytes of UTF-8); who asked
 * (sudo's SUDO_USER, else the user running the tool) into the reaper's
 * log line.
 */
#include <sys/types.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_session.h"
#include "ctl.h"

#define POLL_MS		20
#define WAIT_MS		5000

/* Printable UTF-8: the memo goes into the log, and into JSON from there. */
static int
memo_ok(const unsigned char *p)
{
	unsigned need, i;

	for (; *p != '\0'; p += need + 1) {
		need = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 :
		    (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : 4;
		if (need == 4 || *p < 0x20 || *p == 0x7f || (*p == 0xc0 ||
		    *p == 0xc1 || *p > 0xf4))
			return (0);
		for (i = 1; i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				return (0);
	}
	return (1);
}

/* Who asked, for the daemon's log: printable, bounded. */
static void
operator_name(char out[PW_OPERATOR_MAX])
{
	const char *who;
	struct passwd *pw;
	size_t i;

	if ((who = getenv("SUDO_USER")) == NULL || *who == '\0')
		who = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "";
	for (i = 0; who[i] != '\0' && i < PW_OPERATOR_MAX - 1; i++)
		out[i] = who[i] > 0x20 && who[i] < 0x7f ? who[i] : '?';
	out[i] = '\0';
	if (i == 0)
		snprintf(out, PW_OPERATOR_MAX, "uid %u", (unsigned)getuid());
}

static void
check_wallet_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= PW_WALLET_NAME)
		ctl_usage_err("wallet: an id has 1-%d bytes",
		    PW_WALLET_NAME - 1);
}

/* Poll the credit slot until the reaper applies it; -1 on time-out. */
static int
wait_applied(struct ctl *c, const uint8_t key[PW_KEY_LEN], int64_t *bal)
{
	struct timespec ts = { 0, POLL_MS * 1000000L };
	struct pw_slot *s;
	uint64_t word;
	int i;

	for (i = 0; i <= WAIT_MS / POLL_MS; i++) {
		s = pw_store_find(&c->st, key, PW_T_CREDIT, &word);
		if (s != NULL && PW_W_STATE(word) == PW_CREDIT_REFUSED)
			return (-3);
		if (s != NULL && PW_W_STATE(word) == PW_CREDIT_APPLIED) {
			*bal = atomic_load(&s->u.cr.balance);
			return (0);
		}
		if (s == NULL) {
			/* Applied and already freed: the wallet knows. */
			fprintf(stderr, "playwavectl: credit slot gone; "
			    "showing the wallet's current balance\n");
			return (-2);
		}
		nanosleep(&ts, NULL);
	}
	return (-1);
}

/* The checks a credit or a debit passes before it is queued. */
static void
precheck(struct ctl *c, const char *id, long long amount, int debit)
{
	struct pw_slot *w;
	int64_t bal, hold;

	if (!debit) {
		if (!pw_credit_fits(&c->st, id, amount))
			ctl_die("wallet credit: %s + %lld would pass 2^53 - 1, "
			    "the largest balance; nothing credited", id,
			    amount);
		return;
	}
	if ((w = pw_wallet_find(&c->st, id)) == NULL)
		ctl_die("wallet debit: no wallet %s; nothing debited", id);
	/* The hold: money reserved for charges not yet logged. */
	bal = pw_wallet_logged(w);
	hold = pw_wallet_held(w);
	if (bal - hold < amount)
		ctl_die("wallet debit: %s has %lld available (balance %lld, "
		    "hold %lld), less than %lld; nothing debited", id,
		    (long long)(bal - hold), (long long)bal, (long long)hold,
		    amount);
}

static const char *
memo_arg(int argc, char **argv, const char *what)
{
	if (argc == 4)
		return ("");
	if (argc != 6 || strcmp(argv[4], "--memo") != 0)
		ctl_usage_err("wallet %s ID AMOUNT [--memo TEXT]", what);
	if (strlen(argv[5]) > PW_EV_MEMO || !memo_ok((const unsigned char *)
	    argv[5]))
		ctl_usage_err("wallet %s --memo: at most %d bytes of printable "
		    "UTF-8", what, PW_EV_MEMO);
	return (argv[5]);
}

/*
 * wallet credit|debit ID AMOUNT: one credit record either way, the
 * amount negative for a debit; the reaper logs CREDIT or DEBIT.
 */
static int
transfer(struct ctl *c, int argc, char **argv, int debit)
{
	const char *what = debit ? "debit" : "credit", *errstr, *memo;
	char id[64], op[PW_OPERATOR_MAX];
	uint8_t key[PW_KEY_LEN];
	long long amount;
	int64_t bal = 0;
	struct pw_slot *w;
	struct jw j;
	int rc;

	if (argc < 4)
		ctl_usage_err("wallet %s ID AMOUNT [--memo TEXT]", what);
	memo = memo_arg(argc, argv, what);
	check_wallet_id(argv[2]);
	amount = strtonum(argv[3], 1, debit ? PW_MONEY_MAX : 1LL << 53,
	    &errstr);
	if (errstr != NULL)
		ctl_usage_err("wallet %s: amount %s is %s (a positive "
		    "integer in minor units)", what, argv[3], errstr);
	ctl_open(c, 1);
	ctl_wallet_known(c, argv[2], what);
	precheck(c, argv[2], amount, debit);
	operator_name(op);
	if (pw_credit_queue(&c->st, argv[2], debit ? -amount : amount, memo,
	    op, key) == NULL) {
		pw_count(&c->st, PW_C_STORE_FULL, 1);
		ctl_die("store %s is full", c->store_path);
	}
	ctl_format_id(PW_T_CREDIT, key, id);
	if ((rc = wait_applied(c, key, &bal)) == -1) {
		fflush(stdout);
		fprintf(stderr, "playwavectl: %s %s of %lld %s %s is queued but "
		    "not confirmed within %d s (no reaper running, or the "
		    "billing log cannot be written): it may still apply; see "
		    "playwavectl show %s\n", what, id, amount, debit ? "from" :
		    "to", argv[2], WAIT_MS / 1000, id);
		exit(CTL_EXIT_TEMPFAIL);
	}
	if (rc == -3 && debit)
		ctl_die("debit %s of %lld from %s refused: the balance less "
		    "what is held is short; nothing debited", id, amount,
		    argv[2]);
	if (rc == -3)
		ctl_die("credit %s of %lld to %s refused: the balance would "
		    "pass 2^53 - 1; nothing credited", id, amount, argv[2]);
	if (rc == -2 && (w = pw_wallet_find(&c->st, argv[2])) != NULL)
		bal = pw_wallet_logged(w);
	if (!c->json) {
		printf("%s balance %lld\n", argv[2], (long long)bal);
		return (0);
	}
	jw_begin(&j, stdout);
	jw_str(&j, "wallet", argv[2]);
	jw_str(&j, what, id);
	jw_int(&j, "amount", amount);
	jw_int(&j, "balance", bal);
	jw_end(&j);
	return (0);
}

static int
show(struct ctl *c, int argc, char **argv)
{
	struct pw_slot *w;
	int64_t bal = 0, hold = 0;
	struct jw j;

	if (argc != 3)
		ctl_usage_err("wallet show ID");
	check_wallet_id(argv[2]);
	ctl_open(c, 0);
	if ((w = pw_wallet_find(&c->st, argv[2])) != NULL) {
		bal = pw_wallet_logged(w);
		hold = pw_wallet_held(w);
	}
	if (!c->json) {
		printf("%s balance %lld hold %lld available %lld\n", argv[2],
		    (long long)bal, (long long)hold, (long long)(bal - hold));
		return (0);
	}
	jw_begin(&j, stdout);
	jw_str(&j, "wallet", argv[2]);
	jw_int(&j, "balance", bal);
	jw_int(&j, "hold", hold);
	jw_int(&j, "available", bal - hold);
	jw_bool(&j, "exists", w != NULL);
	jw_end(&j);
	return (0);
}

int
cmd_wallet(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "credit") == 0)
		return (transfer(c, argc, argv, 0));
	if (argc >= 2 && strcmp(argv[1], "debit") == 0)
		return (transfer(c, argc, argv, 1));
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return (show(c, argc, argv));
	ctl_usage_err("wallet credit|debit ID AMOUNT [--memo TEXT] | wallet "
	    "show ID");
}
