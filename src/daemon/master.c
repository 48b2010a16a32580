/*
 * The master only supervises (nginx's ngx_master_process_cycle): signals
 * are blocked except while it sleeps in sigsuspend(2), handlers only set
 * flags, and every decision is taken in the loop.  It forks the workers
 * and the reaper, respawns any that dies (at once, then with a doubling
 * back-off while a child keeps dying young), reloads on SIGHUP and stops
 * gracefully on SIGTERM/SIGINT.  A child exiting with status 2 reports a
 * fatal condition that respawning cannot cure: the daemon stops.
 */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_daemon.h"

#define MAX_CHILDREN	(2 * PW_MAX_WORKERS + 2)
#define YOUNG_US	2000000		/* a child dying younger is crashing */
#define BACKOFF_MIN_US	100000
#define BACKOFF_MAX_US	10000000
#define STOP_GRACE_US	10000000

struct child {
	pid_t		 pid;
	int		 kind;		/* PW_PROC_WORKER or PW_PROC_REAPER */
	int		 index;
	int		 old;		/* draining after a reload */
	uint64_t	 started_us;
	uint64_t	 backoff_us;
	uint64_t	 respawn_at;	/* 0: running or not wanted */
};

struct master {
	struct pw_ctx	*ctx;
	struct child	 ch[MAX_CHILDREN];
	int		 stopping;
	uint64_t	 stop_deadline;
	int		 fatal;
};

static volatile sig_atomic_t sig_chld, sig_term, sig_hup, sig_usr1, sig_alrm;

static void
master_sig(int sig)
{
	switch (sig) {
	case SIGCHLD:
		sig_chld = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	case SIGALRM:
		sig_alrm = 1;
		break;
	default:
		sig_term = 1;
		break;
	}
}

static void
master_signals(sigset_t *blocked)
{
	struct sigaction sa;
	const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1,
	    SIGALRM };
	size_t i;

	sigemptyset(blocked);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = master_sig;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(blocked, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigprocmask(SIG_BLOCK, blocked, NULL);
}

static void
arm_timer(uint64_t us)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	if (us == 0)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

static struct pw_proc *
proc_slot(struct master *m, const struct child *c)
{
	return (&m->ctx->st.hdr->procs[c->kind == PW_PROC_REAPER ?
	    PW_MAX_WORKERS : c->index]);
}

static void
spawn(struct master *m, struct child *c)
{
	struct pw_proc *p;
	pid_t pid;

	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		c->respawn_at = pw_mono_us() + BACKOFF_MIN_US;
		return;
	case 0:
		if (c->kind == PW_PROC_REAPER)
			reaper_main(m->ctx);
		worker_main(m->ctx, c->index);
	}
	c->pid = pid;
	c->started_us = pw_mono_us();
	c->respawn_at = 0;
	p = proc_slot(m, c);
	p->kind = (uint32_t)c->kind;
	p->index = (uint32_t)c->index;
	p->started_ms = pw_now_ms();
	atomic_store(&p->pid, (uint32_t)pid);
	log_debug("started %s %d as pid %d", c->kind == PW_PROC_REAPER ?
	    "reaper" : "worker", c->index, (int)pid);
}

static struct child *
child_new(struct master *m, int kind, int index)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (m->ch[i].kind == PW_PROC_NONE) {
			memset(&m->ch[i], 0, sizeof(m->ch[i]));
			m->ch[i].kind = kind;
			m->ch[i].index = index;
			m->ch[i].backoff_us = BACKOFF_MIN_US;
			return (&m->ch[i]);
		}
	return (NULL);
}

static void
start_workers(struct master *m)
{
	struct child *c;
	int i;

	for (i = 0; i < m->ctx->cfg->workers; i++)
		if ((c = child_new(m, PW_PROC_WORKER, i)) != NULL)
			spawn(m, c);
	m->ctx->st.hdr->nprocs = (uint32_t)m->ctx->cfg->workers;
}

static void
reaped(struct master *m, struct child *c, int status)
{
	const char *what = c->kind == PW_PROC_REAPER ? "reaper" : "worker";
	uint64_t lived;

	if (WIFSIGNALED(status))
		log_warnx("%s %d (pid %d) killed by signal %d", what, c->index,
		    (int)c->pid, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		log_warnx("%s %d (pid %d) exited with status %d", what,
		    c->index, (int)c->pid, WEXITSTATUS(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		m->fatal = 1;
	c->pid = 0;
	if (c->old || m->stopping || m->fatal || (c->kind == PW_PROC_WORKER &&
	    c->index >= m->ctx->cfg->workers)) {
		/*
		 * A drained reaper hands over to the new one now: a reload,
		 * not a death, so no back-off and no restart counted.
		 */
		if (c->kind == PW_PROC_REAPER && c->old && !m->stopping) {
			c->old = 0;
			c->backoff_us = BACKOFF_MIN_US;
			c->respawn_at = pw_mono_us();
		} else
			c->kind = PW_PROC_NONE;
		return;
	}
	lived = pw_mono_us() - c->started_us;
	if (lived < YOUNG_US) {
		c->respawn_at = pw_mono_us() + c->backoff_us;
		log_warnx("%s %d keeps dying; restarting in %llu ms", what,
		    c->index, (unsigned long long)(c->backoff_us / 1000));
		if ((c->backoff_us *= 2) > BACKOFF_MAX_US)
			c->backoff_us = BACKOFF_MAX_US;
	} else {
		c->backoff_us = BACKOFF_MIN_US;
		c->respawn_at = pw_mono_us();
	}
	proc_slot(m, c)->restarts++;
}

static void
reap_children(struct master *m)
{
	pid_t pid;
	int status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_CHILDREN; i++)
			if (m->ch[i].kind != PW_PROC_NONE &&
			    m->ch[i].pid == pid) {
				reaped(m, &m->ch[i], status);
				break;
			}
	}
}

/* Start whatever is due; arm the timer for the next one. */
static void
respawn_due(struct master *m)
{
	uint64_t now, next = 0;
	int i;

	now = pw_mono_us();
	for (i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &m->ch[i];

		if (c->kind == PW_PROC_NONE || c->pid != 0 ||
		    c->respawn_at == 0)
			continue;
		if (c->respawn_at <= now)
			spawn(m, c);
		else if (next == 0 || c->respawn_at < next)
			next = c->respawn_at;
	}
	if (next != 0)
		arm_timer(next - now);
}

static void
signal_children(struct master *m, int sig, int only_old)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (m->ch[i].kind != PW_PROC_NONE && m->ch[i].pid > 0 &&
		    (!only_old || m->ch[i].old))
			kill(m->ch[i].pid, sig);
}

static int
alive(struct master *m)
{
	int i, n;

	for (i = 0, n = 0; i < MAX_CHILDREN; i++)
		if (m->ch[i].kind != PW_PROC_NONE && m->ch[i].pid > 0)
			n++;
	return (n);
}

/* What a reload cannot change: the new config keeps the running values. */
static void
config_keep_static(struct pw_config *n, const struct pw_config *o)
{
	if (strcmp(n->store, o->store) != 0 || n->store_slots !=
	    o->store_slots || strcmp(n->billing_log, o->billing_log) != 0)
		log_warnx("reload: store, store-slots and billing-log need a "
		    "restart; keeping the running values");
	if (n->nlisten != o->nlisten || memcmp(n->listen, o->listen,
	    sizeof(n->listen)) != 0 || n->nmetrics_listen !=
	    o->nmetrics_listen)
		log_warnx("reload: listen and metrics-listen need a restart; "
		    "keeping the running sockets");
	if (strcmp(n->user, o->user) != 0)
		log_warnx("reload: user needs a restart");
	if (n->shard != o->shard)
		log_warnx("reload: shard needs a restart; keeping %d",
		    o->shard);
	n->shard = o->shard;
	memcpy(n->store, o->store, sizeof(n->store));
	n->store_slots = o->store_slots;
	memcpy(n->billing_log, o->billing_log, sizeof(n->billing_log));
	memcpy(n->listen, o->listen, sizeof(n->listen));
	n->nlisten = o->nlisten;
	memcpy(n->metrics_listen, o->metrics_listen,
	    sizeof(n->metrics_listen));
	n->nmetrics_listen = o->nmetrics_listen;
	memcpy(n->user, o->user, sizeof(n->user));
	if (n->workers > PW_MAX_WORKERS)
		n->workers = PW_MAX_WORKERS;
}

/*
 * The last reload's outcome in the store, for playwavectl status and
 * /metrics, and for the service manager (which saw RELOADING=1).
 */
static void
reload_result(struct master *m, const char *error)
{
	struct pw_reload *r = &m->ctx->st.hdr->reload;
	uint64_t now = pw_now_ms();

	if (error != NULL) {
		(void)strlcpy(r->error, error, sizeof(r->error));
		atomic_store(&r->status, PW_RELOAD_FAILED);
		(void)pw_notify("READY=1\nSTATUS=reload failed: %.400s",
		    error);
	} else {
		r->error[0] = '\0';
		atomic_store(&r->ok_ms, now);
		atomic_fetch_add(&r->count, 1);
		atomic_store(&r->status, PW_RELOAD_OK);
		(void)pw_notify("READY=1\nSTATUS=configuration reloaded");
	}
	atomic_store(&r->ms, now);
}

/*
 * SIGHUP: a new configuration, new workers; the old ones stop accepting
 * and drain.  The reaper is restarted too, but only after the old one
 * has exited: the billing log never has two writers.
 */
static void
reload(struct master *m)
{
	struct pw_config *ncfg, *ocfg = m->ctx->cfg;
	char err[1200];
	int i;

	(void)pw_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)pw_mono_us());
	if (m->ctx->conf_path == NULL) {
		log_warnx("reload: running on the embedded configuration, "
		    "nothing to re-read");
		reload_result(m, "running on the embedded configuration");
		return;
	}
	if ((ncfg = calloc(1, sizeof(*ncfg))) == NULL ||
	    pw_config_load(ncfg, m->ctx->conf_path, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", ncfg != NULL ? err : "out of memory");
		reload_result(m, ncfg != NULL ? err : "out of memory");
		free(ncfg);
		return;
	}
	config_keep_static(ncfg, ocfg);
	for (i = 0; i < MAX_CHILDREN; i++)
		if (m->ch[i].kind != PW_PROC_NONE) {
			m->ch[i].old = 1;
			if (m->ch[i].pid == 0 && m->ch[i].kind ==
			    PW_PROC_WORKER)
				m->ch[i].kind = PW_PROC_NONE;
		}
	m->ctx->cfg = ncfg;
	free(ocfg);
	log_format_json(ncfg->log_format == PW_LOG_JSON);
	if (proc_access_open(m->ctx) == -1)
		log_warn("reload: access log %s", ncfg->access_log);
	signal_children(m, SIGTERM, 1);
	start_workers(m);
	atomic_fetch_add(&m->ctx->st.hdr->reload_gen, 1);
	log_info("configuration reloaded from %s", m->ctx->conf_path);
	reload_result(m, NULL);
}

static void
begin_stop(struct master *m)
{
	if (m->stopping)
		return;
	m->stopping = 1;
	m->stop_deadline = pw_mono_us() + STOP_GRACE_US;
	log_info("stopping");
	(void)pw_notify("STOPPING=1");
	signal_children(m, SIGTERM, 0);
	arm_timer(STOP_GRACE_US);
}

static void
handle_signals(struct master *m)
{
	if (sig_chld) {
		sig_chld = 0;
		reap_children(m);
	}
	if (sig_term || m->fatal) {
		sig_term = 0;
		begin_stop(m);
	}
	if (sig_hup) {
		sig_hup = 0;
		if (!m->stopping)
			reload(m);
	}
	if (sig_usr1) {
		sig_usr1 = 0;
		if (log_reopen() == -1)
			log_warn("reopening the log file");
		if (proc_access_open(m->ctx) == -1)
			log_warn("reopening %s", m->ctx->cfg->access_log);
		signal_children(m, SIGUSR1, 0);
	}
	if (sig_alrm) {
		sig_alrm = 0;
		if (m->stopping && pw_mono_us() >= m->stop_deadline) {
			log_warnx("children did not stop in time: SIGKILL");
			signal_children(m, SIGKILL, 0);
		}
	}
}

int
master_main(struct pw_ctx *ctx)
{
	static struct master m;
	struct child *c;
	sigset_t blocked, none;

	m.ctx = ctx;
	ctx->master = getpid();
	master_signals(&blocked);
	sigemptyset(&none);
	log_setproc("master");
	proc_title("master");
	atomic_store(&ctx->st.hdr->master_pid, (uint32_t)getpid());
	atomic_store(&ctx->st.hdr->master_started_ms, pw_now_ms());
	atomic_fetch_add(&ctx->st.hdr->generation, 1);
	memset(&ctx->st.hdr->reload, 0, sizeof(ctx->st.hdr->reload));
	if ((c = child_new(&m, PW_PROC_REAPER, 0)) != NULL)
		spawn(&m, c);
	start_workers(&m);
	log_info("playwaved %s started: %d workers, store %s (%llu slots)",
	    PW_VERSION, ctx->cfg->workers, ctx->cfg->store,
	    (unsigned long long)(ctx->st.mask + 1));
	/* main() reconciled the store with the log before it came here. */
	if (pw_notify("READY=1\nSTATUS=serving\nMAINPID=%d",
	    (int)getpid()) == -1)
		log_warn("sd_notify to $NOTIFY_SOCKET");
	for (;;) {
		handle_signals(&m);
		if (m.stopping && alive(&m) == 0)
			break;
		if (!m.stopping)
			respawn_due(&m);
		sigsuspend(&none);
	}
	atomic_store(&ctx->st.hdr->master_pid, 0);
	log_info("stopped");
	return (m.fatal ? 1 : 0);
}
