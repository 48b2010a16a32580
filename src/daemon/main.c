/*
 * playwaved: read the configuration, bind, open the store and the billing
 * log, reconcile them, become a daemon and hand over to the master loop.
 * Everything that can fail for an operator's reason fails here, before
 * the first fork, with a message naming what is wrong.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <libutil.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_file.h"

static void
usage_to(FILE *fp)
{
	fprintf(fp, "usage: playwaved [-dnTv] [-f file]\n"
	    "       playwaved -h | --help | --version\n"
	    "  -d  stay in the foreground, log to stderr\n"
	    "  -f  the configuration file (without it: the built-in "
	    "development one)\n"
	    "  -n  check the configuration, list every error, exit 0 or 1\n"
	    "  -T  check it and print it as in effect, defaults included\n"
	    "  -v  print the version first\n");
}

static void
usage(void)
{
	usage_to(stderr);
	exit(1);
}

/*
 * Hand a connection to a worker once its first bytes are there: a
 * connection that sends nothing costs no worker a wakeup (a short delay:
 * header-timeout still runs from accept).  Advice: where the kernel has
 * neither, or the filter module is not loaded, nothing changes.
 */
static void
defer_accept(int fd)
{
#if defined(TCP_DEFER_ACCEPT)
	int secs = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
	    sizeof(secs));
#elif defined(SO_ACCEPTFILTER)
	struct accept_filter_arg afa;

	memset(&afa, 0, sizeof(afa));
	(void)strlcpy(afa.af_name, "dataready", sizeof(afa.af_name));
	(void)setsockopt(fd, SOL_SOCKET, SO_ACCEPTFILTER, &afa, sizeof(afa));
#else
	(void)fd;
#endif
}

/* --help and --version, as GNU tools have them; -h is --help. */
static void
long_options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage_to(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("playwaved %s (store format %d)\n", PW_VERSION,
			    PW_STORE_VERSION);
			exit(0);
		}
	}
}

static int
bind_one(const struct pw_listen *l, char *errbuf, size_t errlen)
{
	int fd, on = 1, tries;

	if ((fd = socket(l->ss.ss_family, SOCK_STREAM, 0)) == -1)
		goto fail;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (l->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	/* Children of a killed master may hold the port for a moment. */
	for (tries = 0; bind(fd, (const struct sockaddr *)&l->ss,
	    l->sslen) == -1; tries++) {
		if (errno != EADDRINUSE || tries >= 50)
			goto fail;
		usleep(100000);
	}
	if (listen(fd, 4096) == -1 || fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	defer_accept(fd);
	return (fd);
fail:
	snprintf(errbuf, errlen, "listen %s: %s", l->text, strerror(errno));
	if (fd != -1)
		close(fd);
	return (-1);
}

static void
bind_all(struct pw_ctx *ctx)
{
	char e[256];
	int i;

	for (i = 0; i < ctx->cfg->nlisten; i++)
		if ((ctx->listen_fd[i] = bind_one(&ctx->cfg->listen[i], e,
		    sizeof(e))) == -1)
			fatalx("%s", e);
	ctx->nlisten = ctx->cfg->nlisten;
	for (i = 0; i < ctx->cfg->nmetrics_listen; i++)
		if ((ctx->metrics_fd[i] = bind_one(&ctx->cfg->metrics_listen[i],
		    e, sizeof(e))) == -1)
			fatalx("%s", e);
	ctx->nmetrics = ctx->cfg->nmetrics_listen;
}

static struct pw_owner
service_owner(const struct pw_ctx *ctx)
{
	struct pw_owner o = PW_OWNER_KEEP;

	if (ctx->drop) {
		o.uid = ctx->uid;
		o.gid = ctx->gid;
	}
	return (o);
}

/*
 * Make the directory a state file lives in (the embedded config's
 * ./playwave-state); one made here belongs to the unprivileged user.
 */
static void
mkparent(const struct pw_ctx *ctx, const char *path)
{
	char dir[PW_PATH_MAX], e[1200];
	int fd;

	(void)pw_file_split(path, dir, sizeof(dir));
	if ((fd = pw_dir_open(dir, PW_DIR_MAKE, service_owner(ctx), e,
	    sizeof(e))) == -1)
		fatalx("%s", e);
	close(fd);
}

/* Files the unprivileged children reopen must belong to them. */
static void
own(const struct pw_ctx *ctx, int fd, const char *path)
{
	if (ctx->drop && fchown(fd, ctx->uid, ctx->gid) == -1)
		fatal("chown %s", path);
}

/*
 * One writer (lock.c): before the listeners are bound and before the
 * store or the log is read, so that a second daemon is refused naming
 * the first whatever it shares with it.
 */
static void
take_lock(struct pw_ctx *ctx)
{
	char e[1200];

	mkparent(ctx, ctx->cfg->store);
	mkparent(ctx, ctx->cfg->billing_log);
	if (lock_take(ctx, e, sizeof(e)) == -1)
		fatalx("%s", e);
}

static void
open_state(struct pw_ctx *ctx)
{
	struct pw_blog b;
	char e[1200], dir[PW_PATH_MAX];
	unsigned old;

	if (pw_store_open(&ctx->st, ctx->cfg->store, ctx->cfg->store_slots,
	    1, 0, e, sizeof(e)) == -1 || lock_store_made(ctx, e,
	    sizeof(e)) == -1)
		fatalx("store: %s", e);
	own(ctx, ctx->st.fd, ctx->cfg->store);
	if (ctx->st.mask + 1 != ctx->cfg->store_slots)
		log_warnx("store %s has %llu slots; store-slots %llu applies "
		    "only to a new store", ctx->cfg->store,
		    (unsigned long long)(ctx->st.mask + 1),
		    (unsigned long long)ctx->cfg->store_slots);
	pw_store_clock_start(&ctx->st, e, sizeof(e));
	if (e[0] != '\0')
		log_info("%s", e);
	old = pw_store_set_shard(&ctx->st, (unsigned)ctx->cfg->shard);
	/* A store no master has run on yet has issued nothing. */
	if (old != (unsigned)ctx->cfg->shard && ctx->st.hdr->generation > 0)
		log_warnx("store %s was shard %u, now shard %d: ids issued "
		    "before keep %u and route there", ctx->cfg->store, old,
		    ctx->cfg->shard, old);
	/*
	 * The billing log's directory, walked as root like any state file;
	 * the reaper (after the privilege drop) opens, appends to and
	 * switches the segments of the log in it (ledger_start.c).
	 */
	(void)pw_file_split(ctx->cfg->billing_log, dir, sizeof(dir));
	if ((ctx->blog_dfd = pw_dir_open(dir, 0, PW_OWNER_KEEP, e,
	    sizeof(e))) == -1)
		fatalx("billing log: %s", e);
	/* Not ready (GET /readyz, sd_notify) until the log is read back. */
	atomic_fetch_and(&ctx->st.hdr->ready, ~PW_READY_RECONCILED);
	if (pw_blog_start(&ctx->st, ctx->cfg, service_owner(ctx),
	    ctx->blog_dfd, &b, e, sizeof(e)) == -1)
		fatalx("billing log: %s", e);
	atomic_fetch_or(&ctx->st.hdr->ready, PW_READY_RECONCILED);
	pw_blog_close(&b);
	ctx->access_fd = -1;
	if (proc_access_open(ctx) == -1)
		fatalx("cannot open the access log %s", ctx->cfg->access_log);
	/* Opened by log_init before the user was known: again, handed over. */
	if (ctx->drop && ctx->cfg->log_file[0] != '\0') {
		log_owner(ctx->uid, ctx->gid);
		if (log_reopen() == -1)
			fatalx("cannot open the log file %s",
			    ctx->cfg->log_file);
	}
}

static void
set_user(struct pw_ctx *ctx)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if (ctx->cfg->user[0] == '\0') {
		log_warnx("running as root with no `user' configured: "
		    "workers stay root");
		return;
	}
	if ((pw = getpwnam(ctx->cfg->user)) == NULL)
		fatalx("user %s: no such user", ctx->cfg->user);
	if (pw->pw_uid == 0)
		fatalx("user %s is root: refusing to run workers as root",
		    ctx->cfg->user);
	ctx->drop = 1;
	ctx->uid = pw->pw_uid;
	ctx->gid = pw->pw_gid;
}

/*
 * check (-n, -T): every error of the file, one a line, as a compiler
 * lists them; otherwise the first, and the daemon does not start.
 */
static struct pw_config *
load_config(const char *path, int check)
{
	struct pw_config *cfg;
	char e[16384], *line, *next;
	int rc, n = 0;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		err(1, "calloc");
	if (path != NULL)
		rc = pw_config_check(cfg, path, check, &n, e, sizeof(e));
	else
		rc = pw_config_parse(cfg, pw_config_embedded,
		    strlen(pw_config_embedded), "(embedded)", e, sizeof(e));
	if (rc == -1) {
		for (line = e; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			fprintf(stderr, "playwaved: %s\n", line);
		}
		if (check && n > 1)
			fprintf(stderr, "playwaved: %s: %d errors\n", path, n);
		free(cfg);
		exit(1);
	}
	if (cfg->workers > PW_MAX_WORKERS)
		cfg->workers = PW_MAX_WORKERS;
	return (cfg);
}

/*
 * Cafes whose launchers still start with the home key (contract v2
 * launchers): allowed while launcher-key-required is no, and named so
 * that an operator knows which cafes still need a key.
 */
static void
keyless_cafes(const struct pw_config *cfg, int check)
{
	int	 i;

	for (i = 0; i < cfg->ncafes; i++) {
		if (cfg->cafes[i].nkeys > 0)
			continue;
		if (check)
			fprintf(stderr, "playwaved: cafe '%s' has no "
			    "launcher-key: %s\n", cfg->cafes[i].id,
			    cfg->launcher_key_required ? "its launchers "
			    "cannot start (launcher-key-required yes)" :
			    "its launchers start with the home key");
		else
			log_warnx("cafe '%s' has no launcher-key: %s",
			    cfg->cafes[i].id, cfg->launcher_key_required ?
			    "its launchers cannot start (launcher-key-required "
			    "yes)" : "its launchers start with the home key");
	}
}

static void
dev_banner(const struct pw_config *cfg)
{
	fprintf(stderr, "playwaved: no -f given, running on the embedded "
	    "development configuration\n"
	    "  listen          http://%s\n"
	    "  state           %s, %s\n"
	    "  game            %s, X-Api-Key: %s\n"
	    "  launcher-secret %s (the home key)\n"
	    "  launch-secret   %s\n"
	    "  hmac-secret     %s\n"
	    "  cafe %s: launcher-key %s \"%s\" (X-Key-Id: %s)\n"
	    "  cafe %s starts with no G-coin: playwavectl wallet credit %s "
	    "100000\n"
	    "  (development keys: never use them in production)\n",
	    cfg->listen[0].text, cfg->store, cfg->billing_log,
	    cfg->games[0].id, cfg->games[0].api_keys[0], cfg->launcher_secret,
	    cfg->launch_secret, cfg->games[0].hmac_secret,
	    cfg->cafes[0].id, cfg->cafes[0].keys[0].id,
	    cfg->cafes[0].keys[0].secret, cfg->cafes[0].keys[0].id,
	    cfg->cafes[0].id, cfg->cafes[0].id);
}

/*
 * pidfile(3) opens its file by name and truncates it: with a service user
 * it must live where only root can write, all the way from "/".
 */
static void
pidfile_dir_check(const struct pw_ctx *ctx)
{
	char dir[PW_PATH_MAX], e[1200];
	int fd;

	if (!ctx->drop)
		return;
	(void)pw_file_split(ctx->cfg->pidfile, dir, sizeof(dir));
	if ((fd = pw_dir_open(dir, PW_DIR_STRICT, PW_OWNER_KEEP, e,
	    sizeof(e))) == -1)
		fatalx("pidfile %s: its directory %s", ctx->cfg->pidfile, e);
	close(fd);
}

static void
daemonize(struct pw_ctx *ctx)
{
	pid_t other;

	pidfile_dir_check(ctx);
	ctx->pfh = pidfile_open(ctx->cfg->pidfile, 0644, &other);
	if (ctx->pfh == NULL) {
		if (errno == EEXIST)
			fatalx("already running as pid %d", (int)other);
		fatal("pidfile %s", ctx->cfg->pidfile);
	}
	if (daemon(1, 0) == -1)
		fatal("daemon");
	if (pidfile_write(ctx->pfh) == -1)
		log_warn("pidfile %s", ctx->cfg->pidfile);
}

int
main(int argc, char *argv[], char *envp[])
{
	static struct pw_ctx ctx;
	const char *path = NULL;
	int ch, check = 0, dump = 0, version = 0, rc;

	long_options(argc, argv);
	proc_title_init(argc, argv, envp);
	while ((ch = getopt(argc, argv, "df:nTv")) != -1) {
		switch (ch) {
		case 'd':
			ctx.foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'T':
			dump = 1;
			break;
		case 'v':
			version = 1;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	/* The process titles overwrite argv's strings: keep a copy. */
	if (path != NULL && (path = strdup(path)) == NULL)
		err(1, "strdup");
	ctx.conf_path = path;
	/* -v says which binary; with -n or -T it does that too, after. */
	if (version) {
		printf("playwaved %s\n", PW_VERSION);
		if (!check && !dump)
			return (0);
	}
	ctx.cfg = load_config(path, check || dump);
	if (check || dump) {
		keyless_cafes(ctx.cfg, 1);
		if (dump)
			pw_config_dump(ctx.cfg, stdout);
		fprintf(stderr, "playwaved: configuration %s OK\n",
		    path != NULL ? path : "(embedded)");
		return (fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1);
	}
	log_format_json(ctx.cfg->log_format == PW_LOG_JSON);
	log_init(ctx.foreground, ctx.cfg->log_file[0] ? ctx.cfg->log_file :
	    NULL);
	keyless_cafes(ctx.cfg, 0);
	if (path == NULL)
		dev_banner(ctx.cfg);
	set_user(&ctx);
	take_lock(&ctx);
	bind_all(&ctx);
	open_state(&ctx);
	if (!ctx.foreground)
		daemonize(&ctx);
	if (lock_note_pid(&ctx) == -1)
		log_warn("%s.lock", ctx.cfg->billing_log);
	rc = master_main(&ctx);
	if (ctx.pfh != NULL)
		pidfile_remove(ctx.pfh);
	return (rc);
}
