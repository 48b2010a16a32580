/*
 * The tables of include/tbl/ and what is made of them: names, id
 * prefixes, state parsing and the /metrics text.  The names are part of
 * the contract (END reasons in the log and in 410 messages, metric
 * labels), so they are spelled out here on purpose.
 */
#include <sys/types.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_metrics.h"
#include "pw_names.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"

START_TEST(test_reason_names)
{
	static const char *const want[] = { "", "ENDED", "EXPIRED",
	    "NO_BALANCE", "REPLACED", "LAUNCHER_LOST", "ADMIN", "LOST" };
	unsigned i;

	ck_assert_uint_eq(PW_R_MAX, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < PW_R_MAX; i++)
		ck_assert_str_eq(pw_reason_name(i), want[i]);
	ck_assert_str_eq(pw_reason_name(PW_R_MAX), "?");
	ck_assert_uint_eq(PW_R_ADMIN, 6);	/* on disk and in the log */
}
END_TEST

START_TEST(test_event_names)
{
	ck_assert_str_eq(pw_ev_type_name(PW_EV_START), "START");
	ck_assert_str_eq(pw_ev_type_name(PW_EV_CHARGE), "CHARGE");
	ck_assert_str_eq(pw_ev_type_name(PW_EV_END), "END");
	ck_assert_str_eq(pw_ev_type_name(PW_EV_CREDIT), "CREDIT");
	ck_assert_str_eq(pw_ev_type_name(PW_EV_DEBIT), "DEBIT");
	ck_assert_uint_eq(PW_EV_START, 1);
	ck_assert_uint_eq(PW_EV_CREDIT, 4);
	ck_assert_uint_eq(PW_EV_DEBIT, 5);	/* on disk: append only */
	ck_assert_uint_eq(PW_EV_MAX, 6);
	ck_assert_str_eq(pw_ev_type_name(0), "?");
	ck_assert_str_eq(pw_ev_type_name(PW_EV_MAX), "?");
}
END_TEST

START_TEST(test_states_round_trip)
{
	unsigned t, st;
	const char *n;
	int found = 0;

	for (t = 1; t < PW_T_MAX; t++)
		for (st = 0; st < 16; st++) {
			n = pw_state_name(t, st);
			if (strcmp(n, "?") == 0)
				continue;
			found++;
			ck_assert_int_eq(pw_state_parse(t, n), (int)st);
		}
	ck_assert_int_eq(found, 10);	/* record_states.h */
	ck_assert_int_eq(pw_state_parse(PW_T_GS, "exhausted"),
	    PW_GS_EXHAUSTED);
	ck_assert_int_eq(pw_state_parse(PW_T_GS, "issued"), -1);
	ck_assert_str_eq(pw_state_name(PW_T_CREDIT, PW_CREDIT_READY), "queued");
}
END_TEST

START_TEST(test_id_prefixes)
{
	uint8_t key[16];
	char out[64];

	memset(key, 0xab, sizeof(key));
	ck_assert_uint_eq(pw_id_format(PW_T_GS, key, out, sizeof(out)), 39);
	ck_assert_str_eq(out, "gs_abababab-abab-abab-abab-abababababab");
	(void)pw_id_format(PW_T_OTT, key, out, sizeof(out));
	ck_assert(strncmp(out, "playwave_", 9) == 0);
	ck_assert_str_eq(pw_type_prefix(PW_T_LS), "ls_");
	ck_assert_str_eq(pw_type_prefix(PW_T_PT), "pt_");
	ck_assert_ptr_null(pw_type_prefix(PW_T_WALLET));
	(void)pw_id_format(PW_T_PC, key, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 36);
}
END_TEST

/* Every table row shows up in /metrics, once, under its name. */
START_TEST(test_metrics_from_tables)
{
	static char buf[32768];
	char dir[256], path[300], line[256];
	struct pw_store st;
	size_t n;
	unsigned i;

	tmp_dir(dir, sizeof(dir), "pwnames");
	snprintf(path, sizeof(path), "%s/store", dir);
	tmp_store_open(&st, path, 64);
	pw_count(&st, PW_C_OTT_ISSUED, 3);
	pw_count(&st, PW_C_GS_ENDED + PW_R_LAUNCHER_LOST, 2);
	pw_count(&st, PW_C_EP_LOTT, 5);
	n = pw_metrics_render(&st, NULL, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, sizeof(buf) - 1);
	ck_assert_ptr_nonnull(strstr(buf, "\nplaywaved_otts_issued_total 3\n"));
	ck_assert_ptr_nonnull(strstr(buf, "playwaved_game_sessions_ended_total"
	    "{reason=\"LAUNCHER_LOST\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(buf, "playwaved_endpoint_requests_total"
	    "{endpoint=\"launcher_ott\"} 5\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# TYPE playwaved_reaper_last_pass_"
	    "duration_seconds gauge\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nplaywaved_store_busy 0\n"));
	for (i = 0; i < pw_endpoint_count(); i++) {
		snprintf(line, sizeof(line), "{endpoint=\"%s\"}",
		    pw_endpoint_name(i));
		ck_assert_msg(strstr(buf, line) != NULL, "%s", line);
	}
	for (i = 1; i < PW_T_MAX; i++) {
		snprintf(line, sizeof(line), "{type=\"%s\"}", pw_type_name(i));
		ck_assert_msg(strstr(buf, line) != NULL, "%s", line);
	}
	/* Too small a buffer: 0, never overrun, still terminated. */
	buf[100] = 'x';
	n = pw_metrics_render(&st, NULL, buf, 100);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_lt(strlen(buf), 100);
	ck_assert_int_eq(buf[100], 'x');
	pw_store_close(&st);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
names_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("names");
	tc = tcase_create("tables");
	tcase_add_test(tc, test_reason_names);
	tcase_add_test(tc, test_event_names);
	tcase_add_test(tc, test_states_round_trip);
	tcase_add_test(tc, test_id_prefixes);
	tcase_add_test(tc, test_metrics_from_tables);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(names_suite()));
}
