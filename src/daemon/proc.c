/*
 * Process mechanics shared by every child: titles, privilege drop, the
 * access log descriptor, and noticing that the master is gone.
 */
#include <sys/types.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libutil.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_file.h"

#ifdef __linux__
/*
 * Linux has no setproctitle(3): a title is written over the argv (and
 * environment) strings the kernel shows as /proc/PID/cmdline, as nginx
 * does.  libbsd's version marks a title shorter than argv[0] with a '.'
 * at argv[0]'s old end, which ps then shows as "master      ."; here the
 * rest of the area is zeroed instead, so a title is its text alone.
 */
extern char **environ;

static char	*title_base;	/* argv[0] */
static size_t	 title_size;	/* bytes from it to the end of the strings */

void
proc_title_init(int argc, char **argv, char **envp)
{
	char *end, **env;
	int i, n;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	for (n = 0; envp[n] != NULL; n++)
		;
	/* The environment moves out of the area first: it is overwritten. */
	if ((env = calloc((size_t)n + 1, sizeof(*env))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (envp[i] == end)
			end = envp[i] + strlen(envp[i]) + 1;
		if ((env[i] = strdup(envp[i])) == NULL)
			return;
	}
	environ = env;
	title_base = argv[0];
	title_size = (size_t)(end - argv[0]);
}

static void
title_set(const char *t)
{
	size_t n;

	if (title_base == NULL || title_size < 2)
		return;
	n = strlen(t);
	if (n > title_size - 1)
		n = title_size - 1;
	memcpy(title_base, t, n);
	memset(title_base + n, '\0', title_size - n);
}
#else
void
proc_title_init(int argc, char **argv, char **envp)
{
	(void)argc; (void)argv; (void)envp;
}

/* setproctitle(3) puts "playwaved: " in front itself. */
static void
title_set(const char *t)
{
	setproctitle("%s", t + sizeof("playwaved: ") - 1);
}
#endif

void
proc_title(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "playwaved: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	title_set(buf);
}

int
proc_privdrop(const struct pw_ctx *ctx)
{
	if (!ctx->drop)
		return (0);
	if (setgroups(1, &ctx->gid) == -1 || setgid(ctx->gid) == -1 ||
	    setuid(ctx->uid) == -1) {
		log_warn("cannot drop privileges to uid %u",
		    (unsigned)ctx->uid);
		return (-1);
	}
	/* Never serve as root once a user was asked for. */
	if (getuid() == 0 || geteuid() == 0 || setuid(0) != -1) {
		log_warnx("still root after dropping privileges");
		return (-1);
	}
	return (0);
}

/* Everything a freshly forked child does before its own work. */
void
proc_child_setup(struct pw_ctx *ctx, const char *name)
{
	if (ctx->pfh != NULL) {
		/* The lock must die with the master, not with us. */
		pidfile_close(ctx->pfh);
		ctx->pfh = NULL;
	}
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	log_setproc(name);
	proc_title("%s", name);
	if (proc_privdrop(ctx) == -1)
		_exit(2);
}

/*
 * The master's signals stay blocked across fork(2) and setup: a SIGUSR1
 * or SIGHUP arriving before the child has its own handlers would
 * otherwise kill it with the default action.  Called once they are set.
 */
void
proc_child_ready(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * (Re)open `access-log' into ctx->access_fd.  The master does it at start,
 * on SIGUSR1 and on reload, so that a worker forked later inherits the
 * current file rather than a rotated one; workers do it on SIGUSR1.
 */
int
proc_access_open(struct pw_ctx *ctx)
{
	struct pw_owner owner = PW_OWNER_KEEP;
	char err[1200];
	int fd = -1;

	/* Created by the root master: the workers reopen it too. */
	if (ctx->drop && geteuid() == 0) {
		owner.uid = ctx->uid;
		owner.gid = ctx->gid;
	}
	if (ctx->cfg->access_log[0] != '\0') {
		fd = pw_file_open(ctx->cfg->access_log, O_WRONLY | O_APPEND |
		    O_CREAT, 0640, owner, err, sizeof(err));
		if (fd == -1) {
			log_warnx("access log %s", err);
			return (-1);
		}
	}
	if (ctx->access_fd != -1)
		close(ctx->access_fd);
	ctx->access_fd = fd;
	return (0);
}

int
proc_orphaned(const struct pw_ctx *ctx)
{
	return (getppid() != ctx->master);
}
