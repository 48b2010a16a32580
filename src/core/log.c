/*
 * The daemon's own log: stderr with -d, else syslog(3), or a file named by
 * `log-file' that SIGUSR1 reopens.  Messages carry the process's role.
 *
 * Under systemd, stderr is a journal stream ($JOURNAL_STREAM names it):
 * lines then start with the syslog priority, "<4>", which journald keeps
 * (journalctl -p warning), and carry no time of their own (the journal
 * stamps each).  With `log-format json' a line is one JSON object.
 */
#include <sys/types.h>
#include <sys/stat.h>

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
	int		 journal;	/* stderr is the journal's stream */
	int		 json;		/* log-format json */
	char		 file[1024];
	char		 proc[32];
	struct pw_owner	 owner;		/* whom root hands the file to */
} L = { 1, -1, 0, 0, "", "master", { (uid_t)-1, (gid_t)-1 } };

/*
 * $JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd gave us as
 * stderr; a stderr redirected since (a shell, a test) is not it.
 */
static int
journal_stream(void)
{
	unsigned long long dev, ino;
	struct stat sb;
	const char *e;

	if ((e = getenv("JOURNAL_STREAM")) == NULL ||
	    sscanf(e, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &sb) == -1)
		return (0);
	return ((unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino);
}

void
log_format_json(int json)
{
	L.json = json;
}

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
	/* A log-file's lines are the file's, not the journal's. */
	L.journal = file == NULL && journal_stream();
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

static const char *const level[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"
};

/* A JSON string's contents: quotes, backslashes and controls escaped. */
static size_t
json_text(char *out, size_t n, const char *s)
{
	size_t o = 0;
	int w;

	for (; *s != '\0' && o + 7 < n; s++) {
		if (*s == '"' || *s == '\\') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if ((unsigned char)*s < 0x20) {
			w = snprintf(out + o, n - o, "\\u%04x",
			    (unsigned char)*s);
			o += (size_t)w;
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
	return (o);
}

/* One line: text or JSON, with or without the journal's priority. */
static int
format(char *line, size_t n, int pri, const char *msg)
{
	char ts[32], esc[2200], prio[8] = "";

	if (L.journal)
		snprintf(prio, sizeof(prio), "<%d>", pri);
	if (L.json) {
		json_text(esc, sizeof(esc), msg);
		pw_iso8601_ms(pw_now_ms(), ts);
		return (snprintf(line, n, "%s{\"ts\":\"%s\",\"level\":\"%s\","
		    "\"proc\":\"%s\",\"pid\":%d,\"msg\":\"%s\"}\n", prio,
		    L.journal ? "" : ts, level[pri & 7], L.proc, (int)getpid(),
		    esc));
	}
	if (L.journal)
		return (snprintf(line, n, "%s%s[%d]: %s\n", prio, L.proc,
		    (int)getpid(), msg));
	pw_iso8601_ms(pw_now_ms(), ts);
	return (snprintf(line, n, "%s playwaved[%d] %s: %s\n", ts,
	    (int)getpid(), L.proc, msg));
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024], full[1300], line[2600];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(full, sizeof(full), "%s%s", msg, suffix);
	if (L.file[0] == '\0' && !L.foreground) {
		syslog(pri, "%s: %s", L.proc, full);
		return;
	}
	n = format(line, sizeof(line), pri, full);
	if (n > (int)sizeof(line) - 1) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
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
