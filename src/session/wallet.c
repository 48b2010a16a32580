/*
 * Wallets, and the only code that writes a wallet's money.  A wallet's
 * balance is what the billing log says it is: it is set from a logged
 * event, once the log holding it is synced (pw_apply_event, by the
 * reaper after a commit and by the start-up reconciliation).  What
 * workers do is reserve: verify raises the hold by the first minute's
 * price with one CAS that fails when balance - hold would not cover it,
 * so concurrent verifies at one cafe can never spend the same G-coin.
 * The reaper turns holds into CHARGE events and lowers both.
 *
 * A worker killed between raising a hold and publishing its session
 * leaves the hold too high by one price: no money moves and nothing is
 * logged, the cafe merely looks that much poorer until the next start,
 * when the master recomputes every hold from the sessions (reconcile.c).
 *
 * A debit (playwavectl wallet debit) is a credit record with a negative
 * amount.  The reaper reserves it with the same CAS, just before it puts
 * the DEBIT event in its batch, so a debit and a verify can never both
 * have the same G-coin; it gives the hold back when it applies the debit
 * or drops the batch unwritten.  A queued debit holds nothing, so a
 * crash leaves nothing held but for the moment between the reservation
 * and the apply (too high, as above, never too low).
 */
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_session.h"

void
pw_wallet_key(uint8_t key[PW_KEY_LEN], const char *id)
{
	pw_key_derive(key, "wallet", id, strlen(id));
}

struct pw_slot *
pw_wallet_find(struct pw_store *st, const char *id)
{
	uint8_t key[PW_KEY_LEN];

	pw_wallet_key(key, id);
	return (pw_store_find(st, key, PW_T_WALLET, NULL));
}

int
pw_wallet_reserve(struct pw_slot *s, int64_t amount)
{
	int64_t h, b, nh;

	h = atomic_load(&s->u.w.hold);
	do {
		b = atomic_load(&s->u.w.balance);
		if (pw_money_add(h, amount, &nh) == -1 || b < nh)
			return (-1);
	} while (!atomic_compare_exchange_weak(&s->u.w.hold, &h, nh));
	/* What is held is never more than the balance it was held from. */
	PW_ASSERT(nh <= b);
	return (0);
}

void
pw_wallet_release(struct pw_slot *s, int64_t amount)
{
	atomic_fetch_sub(&s->u.w.hold, amount);
}

int64_t
pw_wallet_set_logged(struct pw_slot *s, int64_t balance)
{
	return (atomic_exchange(&s->u.w.balance, balance));
}

int64_t
pw_wallet_logged(const struct pw_slot *s)
{
	return (atomic_load(&((struct pw_slot *)s)->u.w.balance));
}

int64_t
pw_wallet_held(const struct pw_slot *s)
{
	return (atomic_load(&((struct pw_slot *)s)->u.w.hold));
}

void
pw_wallet_hold_reset(struct pw_slot *s)
{
	atomic_store(&s->u.w.hold, 0);
}

void
pw_wallet_hold_add(struct pw_slot *s, int64_t amount)
{
	atomic_fetch_add(&s->u.w.hold, amount);
}

int
pw_wallet_hold(struct pw_store *st, uint32_t cafe_hash,
    const struct pw_config *cfg, int64_t amount)
{
	const struct pw_cafe *c;
	struct pw_slot *s;

	if (amount == 0)
		return (0);
	if ((c = pw_config_cafe_by_hash(cfg, cafe_hash)) == NULL ||
	    (s = pw_wallet_find(st, c->id)) == NULL)
		return (-1);
	return (pw_wallet_reserve(s, amount));
}

void
pw_wallet_unhold(struct pw_store *st, uint32_t cafe_hash,
    const struct pw_config *cfg, int64_t amount)
{
	const struct pw_cafe *c;
	struct pw_slot *s;

	if (amount == 0 || (c = pw_config_cafe_by_hash(cfg, cafe_hash)) ==
	    NULL || (s = pw_wallet_find(st, c->id)) == NULL)
		return;
	pw_wallet_release(s, amount);
}

int
pw_credit_fits(struct pw_store *st, const char *id, int64_t amount)
{
	struct pw_slot *w;
	int64_t b;

	b = (w = pw_wallet_find(st, id)) != NULL ?
	    atomic_load(&w->u.w.balance) : 0;
	return (amount > 0 && pw_money_add(b, amount, &b) == 0);
}

struct pw_slot *
pw_credit_queue(struct pw_store *st, const char *id, int64_t amount,
    const char *memo, const char *operator, uint8_t key[PW_KEY_LEN])
{
	struct pw_slot *s;

	if (strlen(id) >= PW_WALLET_NAME || (memo != NULL &&
	    strlen(memo) >= PW_MEMO_MAX))
		return (NULL);
	pw_store_new_id(st, key);
	if ((s = pw_store_claim(st, key, PW_T_CREDIT)) == NULL)
		return (NULL);
	s->u.cr.amount = amount;
	memcpy(s->u.cr.name, id, strlen(id) + 1);
	if (memo != NULL)
		strlcpy(s->u.cr.memo, memo, sizeof(s->u.cr.memo));
	if (operator != NULL)
		strlcpy(s->u.cr.operator, operator, sizeof(s->u.cr.operator));
	pw_store_publish(s, PW_CREDIT_READY, 0);
	return (s);
}

/*
 * Balance first, then the mark, then a debit's hold: the available
 * (balance - hold) never looks larger than it is.  A reaper killed
 * between the mark and the hold leaves the debit's amount held too
 * long (too little available, never too much) until the master's next
 * start recomputes every hold.
 */
int
pw_credit_apply(struct pw_slot *s, struct pw_slot *w, int64_t balance,
    int release)
{
	uint64_t word;

	atomic_store(&s->u.cr.balance, balance);
	word = pw_slot_word(s);
	if (PW_W_STATE(word) != PW_CREDIT_READY || !pw_slot_cas(s, &word,
	    PW_W_WITH(word, PW_CREDIT_APPLIED, 0, 0)))
		return (0);
	if (release && w != NULL && pw_credit_is_debit(s) &&
	    s->u.cr.amount >= -PW_MONEY_MAX)
		pw_wallet_release(w, -s->u.cr.amount);
	return (1);
}

/* The logged balance of a wallet; 0 for one that does not exist yet. */
int64_t
pw_wallet_balance(struct pw_store *st, const char *id)
{
	struct pw_slot *s;

	if ((s = pw_wallet_find(st, id)) == NULL)
		return (0);
	return (atomic_load(&s->u.w.balance));
}

/* The wallet of that id, made (with balance 0) when it has none yet. */
struct pw_slot *
pw_wallet_open(struct pw_store *st, const char *id)
{
	uint8_t key[PW_KEY_LEN];
	struct pw_slot *s;

	if (strlen(id) >= PW_WALLET_NAME)
		return (NULL);
	pw_wallet_key(key, id);
	if (pw_store_claim_unique(st, key, PW_T_WALLET, &s) == PW_INS_NEW) {
		strlcpy(s->u.w.name, id, sizeof(s->u.w.name));
		pw_store_publish(s, 0, 0);
	}
	return (s);
}

/*
 * An applied credit is kept for a few reaper ticks, so that playwavectl
 * can read its result; 1 once it has been kept long enough to be freed.
 */
int
pw_credit_retire(struct pw_slot *s, uint64_t w)
{
	return (PW_W_CREDIT_AGE(w) >= 3 || !pw_slot_cas(s, &w,
	    PW_W_WITH(w, PW_W_STATE(w), PW_W_CREDIT_AGE(w) + 1, 0)));
}
