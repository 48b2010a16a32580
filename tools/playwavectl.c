/*
 * playwavectl [-j] [-f file | -s store] command ...
 *
 * Finds the store and the billing log the way playwaved does (the
 * configuration file, or the embedded one), or takes a store file
 * directly with -s, and runs one command.  The file is -f's, else
 * $PLAYWAVED_CONF's, else the installed default (PW_CONFFILE) when it
 * exists, else the built-in development configuration; messages name
 * which.  Exit status: 0 success, 1 failure, 2 usage; status exits as
 * LSB's status action (ctl_status.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "ctl.h"

static const struct {
	const char	*name;
	int		(*fn)(struct ctl *, int, char **);
} commands[] = {
	{ "status", cmd_status },
	{ "sessions", cmd_sessions },
	{ "show", cmd_show },
	{ "ott", cmd_ott },
	{ "end", cmd_end },
	{ "wallet", cmd_wallet },
	{ "log", cmd_log },
	{ "top", cmd_top },
	{ "cluster", cmd_cluster }
};

#ifndef PW_CONFFILE
#define PW_CONFFILE	"/usr/local/etc/playwaved.conf"
#endif

int ctl_fail_status = CTL_EXIT_FAIL;

static void
usage_to(FILE *fp)
{
	fprintf(fp,
	    "usage: playwavectl [-j] [-f file | -s store] command ...\n"
	    "       status\n"
	    "       sessions [--game G] [--cafe C] [--state live|exhausted|"
	    "ended] [--limit N]\n"
	    "       show ID\n"
	    "       ott issue GAME [--cafe CAFE] [--pc PC]\n"
	    "       end ID\n"
	    "       wallet credit|debit ID AMOUNT [--memo TEXT]\n"
	    "       wallet show ID\n"
	    "       log cat [--archive DIR] [FILE]\n"
	    "       log verify [--head SEQ:HASH] [--archive DIR] [FILE]\n"
	    "       log tail [-f] [--from SEQ] [--archive DIR] [FILE]\n"
	    "       log report [--from DAY|SEQ] [--to DAY|SEQ] [--tz ZONE] "
	    "[--csv] [--archive DIR] [FILE]\n"
	    "       log archive DIR\n"
	    "       top [-i SECS] [-n COUNT]\n"
	    "       cluster maps DIR CONF[=HOST:PORT[+STANDBY:PORT]]...\n"
	    "       cluster bucket SUB|player:SUB...\n"
	    "       playwavectl -h | --help | --version\n"
	    "The configuration is -f's, else $PLAYWAVED_CONF's, else %s.\n",
	    PW_CONFFILE);
}

void
ctl_usage(void)
{
	usage_to(stderr);
	exit(CTL_EXIT_USAGE);
}

void
ctl_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("playwavectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(ctl_fail_status);
}

void
ctl_usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("playwavectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_usage();
}

/* -f, else $PLAYWAVED_CONF, else the installed file if there is one. */
static const char *
find_config(struct ctl *c, char *from, size_t len)
{
	const char *e;

	if (c->conf != NULL) {
		snprintf(from, len, "configuration %s (-f)", c->conf);
		return (c->conf);
	}
	if ((e = getenv("PLAYWAVED_CONF")) != NULL && e[0] != '\0') {
		snprintf(from, len, "configuration %s ($PLAYWAVED_CONF)", e);
		return (e);
	}
	if (access(PW_CONFFILE, F_OK) == 0) {
		snprintf(from, len, "configuration %s (the default; -f or "
		    "$PLAYWAVED_CONF name another)", PW_CONFFILE);
		return (PW_CONFFILE);
	}
	snprintf(from, len, "the built-in development configuration (no -f, "
	    "no $PLAYWAVED_CONF, no %s)", PW_CONFFILE);
	return (NULL);
}

/* Without -s: the configuration names the store, as for the daemon. */
static void
load_config(struct ctl *c)
{
	static char from[PW_PATH_MAX + 128];
	char err[1400];

	if (c->storefile != NULL) {
		c->store_path = c->storefile;
		c->conf_from = "store given with -s";
		return;
	}
	c->conf = find_config(c, from, sizeof(from));
	c->conf_from = from;
	if ((c->cfg = calloc(1, sizeof(*c->cfg))) == NULL)
		ctl_die("out of memory");
	if (c->conf != NULL) {
		if (pw_config_load(c->cfg, c->conf, err, sizeof(err)) == -1)
			ctl_die("%s\n(%s)", err, from);
	} else if (pw_config_parse(c->cfg, pw_config_embedded,
	    strlen(pw_config_embedded), "(embedded)", err, sizeof(err)) == -1)
		ctl_die("%s", err);
	c->store_path = c->cfg->store;
}

/* --help and --version, wherever they stand before the command. */
static void
long_options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage_to(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("playwavectl %s (store format %d)\n", PW_VERSION,
			    PW_STORE_VERSION);
			exit(0);
		}
		if (strcmp(argv[i], "--") == 0)
			break;
	}
}

/* Accept -j after the command name too: take it out of argv. */
static int
strip_json(struct ctl *c, int argc, char **argv)
{
	int i, n;

	for (i = n = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "-j") == 0)
			c->json = 1;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return (n);
}

int
main(int argc, char *argv[])
{
	struct ctl c;
	size_t i;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	long_options(argc, argv);
	while ((ch = getopt(argc, argv, "+f:js:")) != -1) {
		switch (ch) {
		case 'f':
			c.conf = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 's':
			c.storefile = optarg;
			break;
		default:
			ctl_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ctl_usage();
	if (c.conf != NULL && c.storefile != NULL)
		ctl_usage_err("-f and -s are mutually exclusive");
	argc = strip_json(&c, argc, argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		ctl_usage_err("unknown command: %s", argv[0]);
	/* status can only say "unknown" when it cannot read its files. */
	if (commands[i].fn == cmd_status)
		ctl_fail_status = CTL_LSB_UNKNOWN;
	load_config(&c);
	rc = commands[i].fn(&c, argc, argv);
	if (c.mapped)
		pw_store_close(&c.st);
	free(c.cfg);
	if (fflush(stdout) == EOF || ferror(stdout))
		ctl_die("stdout: write error");
	return (rc);
}
