/*
 * Readiness as the store answers it (pw_store_unready(), GET /readyz):
 * each condition of include/tbl/readiness.h fails on its own, at its
 * bound and not before, on a real store file.
 */
#include <sys/types.h>

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"

#define BIT(c)	(1u << PW_NR_##c)

static struct tstore ts;

static void
setup(void)
{
	ts_open(&ts, 1024, 0);
}

static void
teardown(void)
{
	ts_close(&ts);
}

/* What a running daemon leaves: reconciled, a reaper pass just now. */
static void
healthy(void)
{
	atomic_fetch_or(&ts.st.hdr->ready, PW_READY_RECONCILED);
	pw_store_clock_mark(&ts.st);
}

/* The clock's anchor counts as a pass: a new store is only unreconciled. */
START_TEST(test_new_store_is_not_ready)
{
	ck_assert_uint_eq(pw_store_unready(&ts.st), BIT(RECONCILE));
	healthy();
	ck_assert_uint_eq(pw_store_unready(&ts.st), 0);
}
END_TEST

START_TEST(test_reaper_stalled)
{
	uint64_t now;

	healthy();
	now = pw_store_now(&ts.st);
	atomic_store(&ts.st.hdr->clock.last_ms, now - PW_READY_REAPER_MS + 500);
	ck_assert_uint_eq(pw_store_unready(&ts.st), 0);
	atomic_store(&ts.st.hdr->clock.last_ms, now - PW_READY_REAPER_MS - 1);
	ck_assert_uint_eq(pw_store_unready(&ts.st), BIT(REAPER));
}
END_TEST

START_TEST(test_billing_log)
{
	healthy();
	atomic_store(&ts.st.hdr->ledger.write_errno, 28);
	ck_assert_uint_eq(pw_store_unready(&ts.st), BIT(LOG_ERROR));
	atomic_store(&ts.st.hdr->ledger.write_errno, 0);
	atomic_store(&ts.st.hdr->log_pending, PW_READY_BACKLOG - 1);
	ck_assert_uint_eq(pw_store_unready(&ts.st), 0);
	atomic_store(&ts.st.hdr->log_pending, PW_READY_BACKLOG);
	ck_assert_uint_eq(pw_store_unready(&ts.st), BIT(BACKLOG));
}
END_TEST

/* Live records of any type and unpublished claims count; tombstones not. */
START_TEST(test_store_full)
{
	struct pw_store_hdr *h = ts.st.hdr;
	uint64_t n = ts.st.mask + 1, bound = (n * PW_READY_FULL_PCT + 99) / 100;

	healthy();
	atomic_store(&h->gauge[PW_G_LIVE + PW_T_OTT], bound / 2);
	atomic_store(&h->gauge[PW_G_LIVE + PW_T_GS], bound - bound / 2 - 2);
	atomic_store(&h->gauge[PW_G_BUSY], 1);
	atomic_store(&h->gauge[PW_G_TOMB], n - bound);
	ck_assert_uint_eq(pw_store_unready(&ts.st), 0);
	atomic_store(&h->gauge[PW_G_BUSY], 2);
	ck_assert_uint_eq(pw_store_unready(&ts.st), BIT(STORE_FULL));
}
END_TEST

START_TEST(test_every_condition_at_once)
{
	struct pw_store_hdr *h = ts.st.hdr;
	unsigned c;

	atomic_store(&h->clock.last_ms, pw_store_now(&ts.st) -
	    PW_READY_REAPER_MS - 1);
	atomic_store(&h->ledger.write_errno, 5);
	atomic_store(&h->log_pending, PW_READY_BACKLOG);
	atomic_store(&h->gauge[PW_G_LIVE + PW_T_WALLET], ts.st.mask + 1);
	ck_assert_uint_eq(pw_store_unready(&ts.st), (1u << PW_NR_COUNT) - 1);
	for (c = 0; c < PW_NR_COUNT; c++) {
		ck_assert_str_ne(pw_unready_name(c), "unknown");
		ck_assert_uint_gt(strlen(pw_unready_meaning(c)), 10);
	}
	ck_assert_str_eq(pw_unready_name(PW_NR_REAPER), "reaper");
	ck_assert_str_eq(pw_unready_name(PW_NR_COUNT), "unknown");
}
END_TEST

static Suite *
ready_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("ready");
	tc = tcase_create("conditions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_store_is_not_ready);
	tcase_add_test(tc, test_reaper_stalled);
	tcase_add_test(tc, test_billing_log);
	tcase_add_test(tc, test_store_full);
	tcase_add_test(tc, test_every_condition_at_once);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(ready_suite()));
}
