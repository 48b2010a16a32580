/*
 * playwavectl: the bundled admin tool.  It maps the daemon's own store
 * (include/pw_store.h) and reads its billing log through src/billing/billing.c,
 * so there is one definition of every format.  Inspection maps the store
 * read-only and takes no locks; the few commands that change state use
 * the same atomic functions as the workers (pw_session.h).
 */
#ifndef CTL_H
#define CTL_H

#include <stdint.h>
#include <stdio.h>

#include "pw_billing.h"
#include "pw_config.h"
#include "pw_segment.h"
#include "pw_store.h"

#define CTL_EXIT_FAIL	1
#define CTL_EXIT_USAGE	2
#define CTL_EXIT_TEMPFAIL 75	/* sysexits' EX_TEMPFAIL: may still happen */

/* status, as LSB's init script status action (and pg_isready) exits. */
#define CTL_LSB_RUNNING	0
#define CTL_LSB_DEAD	1	/* the store names a master that is gone */
#define CTL_LSB_STOPPED	3
#define CTL_LSB_UNKNOWN	4

struct ctl {
	int			 json;
	const char		*conf;		/* the file read, or NULL */
	const char		*conf_from;	/* which, for messages */
	const char		*storefile;	/* -s */
	struct pw_config	*cfg;		/* NULL with -s */
	const char		*store_path;
	struct pw_store		 st;
	int			 mapped;
};

/* Commands: argv[0] is the command's own name; return the exit status. */
int	 cmd_status(struct ctl *, int, char **);
int	 cmd_sessions(struct ctl *, int, char **);
int	 cmd_show(struct ctl *, int, char **);
int	 cmd_ott(struct ctl *, int, char **);
int	 cmd_end(struct ctl *, int, char **);
int	 cmd_wallet(struct ctl *, int, char **);
int	 cmd_log(struct ctl *, int, char **);
int	 cmd_top(struct ctl *, int, char **);
int	 cmd_cluster(struct ctl *, int, char **);
int	 ctl_log_verify(struct ctl *, int, char **);
int	 ctl_log_report(struct ctl *, int, char **);
int	 ctl_log_archive(struct ctl *, int, char **);

/* ctl_log_out.c: the billing log across its segments, and its events. */
struct ctl_log {
	const char	*path;		/* the active file; NULL: the config's */
	const char	*archive;	/* --archive DIR, or NULL */
	struct pw_logset ls;
	unsigned	 seg_format;	/* the segment being read */
	uint64_t	 seg_first;
	uint8_t		 seg_prev[PW_LINK_LEN];
	uint8_t		 seg_digest[PW_LINK_LEN];
};
struct ctl_logread {
	struct ctl_log	*lg;
	pw_blog_fn	 fn;
	void		*arg;
};
void	 ctl_log_open(struct ctl *, struct ctl_log *);
void	 ctl_log_close(struct ctl_log *);
void	 ctl_log_note(struct ctl_log *, const struct pw_seg *);
int	 ctl_log_segment(const struct pw_seg *, const char *name, void *);
int	 ctl_log_each(const struct pw_event *, uint64_t off, void *);
void	 ctl_log_header(const struct ctl *);
void	 ctl_log_event(const struct ctl *, const struct pw_event *,
	    const struct ctl_log *);
int	 ctl_log_end(const struct ctl_log *, const struct pw_scan *,
	    const char *where);
int	 ctl_log_read(struct ctl_log *, uint64_t from, pw_blog_fn, void *,
	    struct pw_scan *);

/*
 * ctl_wallet_id.c: exits 1, nothing queued, unless id is a configured
 * cafe, player:<sub> or a wallet the store holds (the store open).
 */
void	 ctl_wallet_known(struct ctl *, const char *id, const char *what);

/* ctl_status.c: a metric's status -j and top key (less "_total"). */
struct pw_metric;
const char *ctl_metric_key(const struct pw_metric *, char out[96]);

/* playwavectl.c: exit status of ctl_die (status: CTL_LSB_UNKNOWN). */
extern int ctl_fail_status;
/* playwavectl.c */
void	 ctl_usage(void) __attribute__((noreturn));
void	 ctl_die(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 ctl_usage_err(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* ctl_store.c: the store and the names of what it holds. */
void	 ctl_open(struct ctl *, int readwrite);
/* Copy a slot's word and contents; 0 when the copy is consistent. */
int	 ctl_snapshot(const struct pw_slot *, struct pw_slot *out,
	    uint64_t *wordp);
void	 ctl_game_name(const struct ctl *, uint32_t hash, char out[32]);
/* The cafe's id, or NULL for "not at a cafe" (hash 0). */
const char *ctl_cafe_name(const struct ctl *, uint32_t hash, char out[32]);
/* gs_, ls_, pt_, cr_, playwave_ or a bare uuid (an OTT); 0 or -1. */
int	 ctl_parse_id(const char *, unsigned *type, uint8_t key[PW_KEY_LEN]);
void	 ctl_format_id(unsigned type, const uint8_t key[PW_KEY_LEN],
	    char out[64]);
int	 ctl_alive(uint32_t pid);
const char *ctl_state_name(unsigned type, unsigned state);

/* ctl_out.c: JSON objects (nested), times and durations. */
struct jw {
	FILE	*fp;
	int	 depth;
	int	 first[8];
};
void	 jw_begin(struct jw *, FILE *);
void	 jw_end(struct jw *);
void	 jw_open(struct jw *, const char *key, int arr);
void	 jw_close(struct jw *, int arr);
void	 jw_str(struct jw *, const char *key, const char *val);
void	 jw_int(struct jw *, const char *key, int64_t val);
void	 jw_uint(struct jw *, const char *key, uint64_t val);
void	 jw_num(struct jw *, const char *key, const char *text);
void	 jw_bool(struct jw *, const char *key, int val);
void	 jw_null(struct jw *, const char *key);

/* "2026-03-06T12:00:00Z" of unix seconds; "-" for 0. */
void	 ctl_iso(uint32_t secs, char out[32]);
/* "1h02m03s" */
void	 ctl_dur(uint64_t secs, char out[32]);

#endif /* CTL_H */
