/*
 * Process-wide basics: the log, the clock, and the per-process context
 * that every playwaved process (master, worker, reaper) is built around.
 */
#ifndef PW_H
#define PW_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>

#define PW_VERSION	"1.0.0"

/*
 * Durations that the store keeps across restarts (TTLs, last-seen, billing
 * minutes) are wall-clock times, because CLOCK_MONOTONIC means nothing to
 * another boot or another process's idea of "start".  A wall-clock step
 * forward therefore ages every session at once, and a step back delays
 * expiry by the same amount; see playwaved(8), CLOCK.  Durations that live
 * inside one process (timeouts, back-off, pass timing) use the monotonic
 * clock.
 */
uint64_t pw_now_ms(void);		/* CLOCK_REALTIME, ms */
uint32_t pw_now(void);			/* CLOCK_REALTIME, s */
uint64_t pw_mono_us(void);		/* CLOCK_MONOTONIC, us */

/* ISO-8601 UTC with milliseconds: "2026-03-06T12:00:00.000Z" (25 bytes). */
void	 pw_iso8601_ms(uint64_t ms, char out[32]);

/*
 * notify.c: a state for the service manager ("READY=1", "RELOADING=1",
 * ...) on $NOTIFY_SOCKET, as sd_notify(3) sends it; 0 and nothing sent
 * without the variable, -1 when the datagram could not be sent.
 */
int	 pw_notify(const char *, ...) __attribute__((format(printf, 1, 2)));

/* log.c: stderr in the foreground, syslog or a file otherwise. */
void	 log_init(int foreground, const char *file);
int	 log_reopen(void);
void	 log_owner(uid_t, gid_t);
void	 log_setproc(const char *name);
/* log-format json: each line one JSON object (ts, level, proc, pid, msg). */
void	 log_format_json(int);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Invariants a reader must be able to trust (Varnish's assert): a broken
 * one is logged with where it broke and the process aborts, rather than
 * limp on and write what it no longer knows to be true.  Never compiled
 * out.
 */
#define PW_ASSERT(e)							\
	((e) ? (void)0 : pw_assert_fail(__func__, __FILE__, __LINE__, #e))
void	 pw_assert_fail(const char *func, const char *file, int line,
	    const char *cond) __attribute__((noreturn));

#endif /* PW_H */
