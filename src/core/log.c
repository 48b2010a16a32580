/*
 * The daemon's own log: stderr with -d, else syslog(3), or a file named by
 * `log-file' that SIGUSR1 reopens.  Messages carry the process's role.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_file.h"

/* The log is per process by nature, like the process's stderr. */
static struct {
	int		 foreground;
	int		 fd;
	char		 file[1024];
	char		 proc[32];
	struct pw_owner	 owner;		/* whom root hands the file to */
} L = { 1, -1, "", "master", { (uid_t)-1, (gid_t)-1 } };

/* From now on the file is reopened for (and handed to) this user. */
void
log_owner(uid_t uid, gid_t gid)
{
	L.owner.uid = uid;
	L.owner.gid = gid;
}

void
log_init(int foreground, const char *file)
{
	L.foreground = foreground;
	snprintf(L.file, sizeof(L.file), "%s", file != NULL ? file : "");
	if (L.file[0] != '\0')
		(void)log_reopen();
	else if (!foreground)
		openlog("playwaved", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_reopen(void)
{
	char err[1200];
	int fd;

	if (L.file[0] == '\0')
		return (0);
	fd = pw_file_open(L.file, O_WRONLY | O_APPEND | O_CREAT, 0640,
	    geteuid() == 0 ? L.owner : PW_OWNER_KEEP, err, sizeof(err));
	if (fd == -1) {
		log_warnx("log file %s", err);
		return (-1);
	}
	if (L.fd != -1)
		close(L.fd);
	L.fd = fd;
	return (0);
}

void
log_setproc(const char *name)
{
	snprintf(L.proc, sizeof(L.proc), "%s", name);
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024], line[1200], ts[32];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (L.file[0] == '\0' && !L.foreground) {
		syslog(pri, "%s: %s%s", L.proc, msg, suffix);
		return;
	}
	pw_iso8601_ms(pw_now_ms(), ts);
	n = snprintf(line, sizeof(line), "%s playwaved[%d] %s: %s%s\n", ts,
	    (int)getpid(), L.proc, msg, suffix);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/*
	 * One write(2) a line, so lines of several processes never mix.  A
	 * failed log write has nowhere left to be reported.
	 */
	if (write(L.fd != -1 ? L.fd : STDERR_FILENO, line, (size_t)n) == -1)
		return;
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char suffix[256];

	snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
	vlog(pri, fmt, ap, suffix);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, "");
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, "");
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (getenv("PLAYWAVED_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, "");
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, "");
	va_end(ap);
	exit(1);
}

void
pw_assert_fail(const char *func, const char *file, int line, const char *cond)
{
	log_warnx("assertion \"%s\" failed in %s (%s:%d)", cond, func, file,
	    line);
	abort();
}
