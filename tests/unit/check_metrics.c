/*
 * The metrics table (include/tbl/metrics.h) as /metrics renders it: the
 * per-endpoint latency histogram counted by pw_latency_observe() and
 * cumulated into le buckets, seconds written exactly, and names that
 * follow Prometheus's conventions.
 */
#include <sys/types.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_metrics.h"
#include "pw_names.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"

static struct tstore ts;
static char buf[65536];

static void
setup(void)
{
	ts_open(&ts, 64, 0);
}

static void
teardown(void)
{
	ts_close(&ts);
}

static void
has(const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	ck_assert_msg(strstr(buf, want) != NULL, "no line %s in:\n%s", line,
	    buf);
}

START_TEST(test_latency_histogram)
{
	/* 90 us, 100 us (on the bound), 3 ms, 7 s (past every bound). */
	pw_latency_observe(&ts.st, PW_EP_VERIFY, 90);
	pw_latency_observe(&ts.st, PW_EP_VERIFY, 100);
	pw_latency_observe(&ts.st, PW_EP_VERIFY, 3000);
	pw_latency_observe(&ts.st, PW_EP_VERIFY, 7000000);
	pw_latency_observe(&ts.st, PW_EP_HEARTBEAT, 250);
	pw_latency_observe(&ts.st, PW_EP_COUNT, 1);	/* ignored */
	pw_store_set_cell(&ts.st, 1);	/* another worker's cell adds up */
	pw_latency_observe(&ts.st, PW_EP_VERIFY, 400);
	(void)pw_metrics_render(&ts.st, NULL, buf, sizeof(buf));
	has("# TYPE playwaved_request_duration_seconds histogram");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"0.0001\"} 2");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"0.00025\"} 2");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"0.0005\"} 3");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"0.005\"} 4");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"1\"} 4");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"verify\","
	    "le=\"+Inf\"} 5");
	has("playwaved_request_duration_seconds_sum{endpoint=\"verify\"} "
	    "7.003590");
	has("playwaved_request_duration_seconds_count{endpoint=\"verify\"} 5");
	has("playwaved_request_duration_seconds_bucket{endpoint=\"heartbeat\","
	    "le=\"0.00025\"} 1");
	has("playwaved_request_duration_seconds_count{endpoint=\"end\"} 0");
}
END_TEST

START_TEST(test_fixed_point)
{
	char out[32];

	ck_assert_str_eq(pw_metric_fmt(12, 1, out), "12");
	ck_assert_str_eq(pw_metric_fmt(1500, 1000, out), "1.500");
	ck_assert_str_eq(pw_metric_fmt(7, 1000000, out), "0.000007");
	ck_assert_str_eq(pw_metric_fmt(1796688817601ULL, 1000, out),
	    "1796688817.601");
}
END_TEST

/* Base units and _total: what promtool check metrics holds them to. */
START_TEST(test_names_by_convention)
{
	const struct pw_metric *m;
	size_t i, n;

	ck_assert_uint_gt(pw_nmetrics, 40);
	for (i = 0; i < pw_nmetrics; i++) {
		m = &pw_metrics[i];
		n = strlen(m->name);
		ck_assert_msg((m->type == PW_MT_counter) == (n > 6 &&
		    strcmp(m->name + n - 6, "_total") == 0), "%s", m->name);
		ck_assert_msg(strstr(m->name, "micro") == NULL &&
		    strstr(m->name, "milli") == NULL &&
		    strstr(m->name, "minutes") == NULL &&
		    strstr(m->name, "uptime") == NULL, "%s", m->name);
		ck_assert_msg(m->div == 1 || strstr(m->name, "seconds") != NULL,
		    "%s: a divided value is in seconds", m->name);
	}
	(void)pw_metrics_render(&ts.st, NULL, buf, sizeof(buf));
	has("playwaved_build_info{version=\"" PW_VERSION "\"} 1");
	ck_assert_ptr_nonnull(strstr(buf, "\nplaywaved_start_time_seconds "));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\nplaywaved_reaper_last_pass_timestamp_seconds "));
	has("playwaved_config_last_reload_successful 1");
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("metrics");
	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_latency_histogram);
	tcase_add_test(tc, test_fixed_point);
	tcase_add_test(tc, test_names_by_convention);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(metrics_suite()));
}
