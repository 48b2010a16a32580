/*
 * The live counters in Prometheus text exposition format (GET /metrics,
 * playwavectl status -j uses the same names).  Names and meanings are
 * listed in playwaved(8), METRICS.
 */
#ifndef PW_METRICS_H
#define PW_METRICS_H

#include <stddef.h>

#include "pw_store.h"

/*
 * Render into buf; returns the length (truncated output never exceeds n).
 * cfg, when given, names the cafes of the per-cafe values.
 */
struct pw_config;
size_t	 pw_metrics_render(struct pw_store *, const struct pw_config *,
	    char *buf, size_t n);

#endif /* PW_METRICS_H */
