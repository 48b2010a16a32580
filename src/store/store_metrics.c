/*
 * GET /metrics: every row of include/tbl/metrics.h in Prometheus text
 * format 0.0.4, as pw_metric_read() gives its values.  Names carry the
 * unit (seconds, bytes) and counters end in _total, as Prometheus's
 * naming conventions ask; promtool check metrics holds them to it.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_buf.h"
#include "pw_config.h"
#include "pw_metrics.h"

static const char *const type_name[] = {
	[PW_MT_counter] = "counter",
	[PW_MT_gauge] = "gauge",
	[PW_MT_histogram] = "histogram",
};

static void
line(void *arg, const struct pw_metric *m, const struct pw_mval *x)
{
	struct pw_buf *o = arg;
	char num[32];

	pw_buf_add(o, "playwaved_%s%s", m->name, x->suffix);
	if (x->lname != NULL && x->le != NULL)
		pw_buf_add(o, "{%s=\"%s\",le=\"%s\"}", x->lname, x->lval, x->le);
	else if (x->lname != NULL)
		pw_buf_add(o, "{%s=\"%s\"}", x->lname, x->lval);
	pw_buf_add(o, " %s\n", pw_metric_fmt(x->v, x->div, num));
}

size_t
pw_metrics_render(struct pw_store *st, const struct pw_config *cfg,
    char *buf, size_t n)
{
	struct pw_buf o;
	size_t i;

	pw_buf_init(&o, buf, n);
	for (i = 0; i < pw_nmetrics; i++) {
		/* A per-cafe family with no cafe configured has no line. */
		if (pw_metrics[i].src == PW_MS_VEC &&
		    pw_metrics[i].arg == PW_V_CAFE_HOME &&
		    (cfg == NULL || cfg->ncafes == 0))
			continue;
		pw_buf_add(&o, "# HELP playwaved_%s %s\n# TYPE playwaved_%s "
		    "%s\n", pw_metrics[i].name, pw_metrics[i].help,
		    pw_metrics[i].name, type_name[pw_metrics[i].type]);
		pw_metric_read(st, cfg, &pw_metrics[i], line, &o);
	}
	return (o.overflow ? 0 : o.len);
}
