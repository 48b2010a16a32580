/*
 * The exported values, from one table (include/tbl/metrics.h): read here
 * for GET /metrics (Prometheus text format 0.0.4), playwavectl status,
 * status -j and top.  Names and meanings are listed in playwaved(8),
 * METRICS.
 */
#ifndef PW_METRICS_H
#define PW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "pw_store.h"

struct pw_config;

enum pw_mtype { PW_MT_counter, PW_MT_gauge, PW_MT_histogram };

enum pw_msrc { PW_MS_CELL, PW_MS_GAUGE, PW_MS_HDR, PW_MS_VEC };

/* Values of the store header (source HDR). */
enum pw_mhdr {
	PW_H_START_TIME, PW_H_RECONCILED, PW_H_RELOAD_OK, PW_H_RELOAD_OK_TIME,
	PW_H_RELOADS, PW_H_LOG_PENDING, PW_H_LOG_UNSYNCED, PW_H_LAST_SEQ,
	PW_H_REAPER_SEEN, PW_H_SLOTS, PW_H_MAX_PROBE, PW_H_CKPT_SEQ,
	PW_H_RECON_EVENTS, PW_H_RECON_US
};

/* Labelled families (source VEC). */
enum pw_mvec {
	PW_V_BUILD, PW_V_CLASS, PW_V_ENDPOINT, PW_V_LATENCY, PW_V_ENDED,
	PW_V_CAFE_HOME, PW_V_SLOTS_USED, PW_V_RECON
};

struct pw_metric {
	const char	*name;		/* without "playwaved_" */
	enum pw_mtype	 type;
	enum pw_msrc	 src;
	int		 arg;		/* enum pw_counter, pw_gauge, ... */
	uint32_t	 div;		/* the value is v / div (seconds) */
	const char	*help;
};

extern const struct pw_metric pw_metrics[];
extern const size_t pw_nmetrics;

/*
 * One value: v / div, with one label (lname="lval") or none (lname
 * NULL).  A histogram gives, per label, its buckets (suffix "_bucket",
 * le set), then "_sum" and "_count".
 */
struct pw_mval {
	const char	*lname;
	const char	*lval;
	const char	*suffix;	/* "" or _bucket, _sum, _count */
	const char	*le;		/* a bucket's bound, else NULL */
	uint64_t	 v;
	uint32_t	 div;
};

typedef void	(*pw_memit)(void *, const struct pw_metric *,
		    const struct pw_mval *);

/* Every value of metric m, to emit; cfg (may be NULL) names the cafes. */
void	 pw_metric_read(struct pw_store *, const struct pw_config *,
	    const struct pw_metric *m, pw_memit emit, void *arg);

/* "12", or "0.000250" for a value with a divisor: out holds 32 bytes. */
const char *pw_metric_fmt(uint64_t v, uint32_t div, char out[32]);

/*
 * Render every metric into buf; returns the length, or 0 when the text
 * does not fit in n bytes (buf then holds a NUL-terminated part of it).
 */
size_t	 pw_metrics_render(struct pw_store *, const struct pw_config *,
	    char *buf, size_t n);

#endif /* PW_METRICS_H */
