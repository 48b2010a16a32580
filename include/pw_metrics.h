/*
 * The live counters in Prometheus text exposition format (GET /metrics,
 * playwavectl status -j uses the same names).  Names and meanings are
 * listed in playwaved(8), METRICS.
 */
#ifndef PW_METRICS_H
#define PW_METRICS_H

#include <stddef.h>

#include "pw_store.h"

/* Render into buf; returns the length (truncated output never exceeds n). */
size_t	 pw_metrics_render(const struct pw_store *, char *buf, size_t n);

#endif /* PW_METRICS_H */
