/*
 * The reaper process: the only one that ends sessions for want of a
 * heartbeat or a launcher, bills started minutes, changes wallet
 * balances and writes the billing log.  Four times a second it makes a
 * pass, which walks every slot only when something is due
 * (reaper_pass.c).
 */
#include <sys/types.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pw.h"
#include "pw_daemon.h"
#include "pw_reap.h"

#define PASS_MS		250

static volatile sig_atomic_t reaper_quit, reaper_reopen;

static void
reaper_sig(int sig)
{
	if (sig == SIGUSR1)
		reaper_reopen = 1;
	else
		reaper_quit = 1;
}

static void
reaper_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = reaper_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	/* A file-size limit must fail the write, not kill the process. */
	sigaction(SIGXFSZ, &sa, NULL);
}

void
reaper_main(struct pw_ctx *ctx)
{
	struct pw_reap *r;
	struct timespec ts = { 0, PASS_MS * 1000000L };
	char err[1200];

	proc_child_setup(ctx, "reaper");
	pw_store_set_cell(&ctx->st, PW_CELL_REAPER);
	pw_store_advise(&ctx->st, 1);
	reaper_signals();
	proc_child_ready();
	if ((r = pw_reap_new(&ctx->st, ctx->cfg, ctx->blog_dfd,
	    ctx->cfg->billing_log, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (pw_reap_recover(r) == -1)
		fatalx("cannot reconcile the store with the billing log");
	while (!reaper_quit && !proc_orphaned(ctx)) {
		if (reaper_reopen) {
			reaper_reopen = 0;
			(void)log_reopen();
		}
		pw_reap_pass(r);
		nanosleep(&ts, NULL);
	}
	/* The last pass walks, writes, syncs and applies what it finds. */
	pw_reap_walk(r);
	pw_reap_free(r);
	exit(0);
}
