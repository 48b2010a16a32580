/*
 * The playwaved processes: the master supervises, workers serve HTTP, the
 * reaper expires, bills and logs.  Each process runs around one pw_ctx;
 * children inherit it (listening sockets, store mapping, configuration)
 * across fork(2), like Varnish's heritage struct.
 */
#ifndef PW_DAEMON_H
#define PW_DAEMON_H

#include <sys/types.h>

#include <signal.h>

#include "pw_billing.h"
#include "pw_config.h"
#include "pw_file.h"
#include "pw_store.h"

struct pidfh;

struct pw_ctx {
	struct pw_config	*cfg;
	struct pw_store		 st;
	const char		*conf_path;	/* NULL: the embedded config */
	int			 foreground;
	int			 listen_fd[PW_MAX_LISTEN];
	int			 nlisten;
	int			 metrics_fd[PW_MAX_LISTEN];
	int			 nmetrics;
	int			 access_fd;	/* -1: no access log */
	int			 blog_dfd;	/* the billing log's directory */
	int			 lock_fd;	/* <billing-log>.lock, flocked */
	int			 store_lock_fd;	/* the store, flocked */
	struct pidfh		*pfh;
	int			 index;		/* worker number */
	int			 drop;		/* drop privileges in children */
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 master;
};

/* master.c */
int	 master_main(struct pw_ctx *);

/* worker.c */
void	 worker_main(struct pw_ctx *, int index) __attribute__((noreturn));

/* reaper.c */
void	 reaper_main(struct pw_ctx *) __attribute__((noreturn));

/*
 * reconcile.c: make the store agree with the log read since the store's
 * checkpoint (all of it for a new store); the master (holds) then takes
 * a checkpoint.
 */
int	 pw_recover(struct pw_store *, const struct pw_config *,
	    struct pw_blog *, int holds);
/*
 * ledger_start.c: the billing log at the master's start: opened (made
 * for a new log), its tail read, the store reconciled, a log of format
 * 1 closed as the first segment.  b is left open; -1 with err.
 */
int	 pw_blog_start(struct pw_store *, const struct pw_config *,
	    struct pw_owner, int dfd, struct pw_blog *, char *err,
	    size_t errlen);
/* checkpoint.c: msync the store, then record seq as reflected in it. */
int	 pw_store_checkpoint(struct pw_store *, uint64_t seq);

/* The same in steps: a checkpoint sweep under way. */
struct pw_ckpt {
	uint64_t	 seq;		/* every event up to it applied at begin */
	size_t		 off;		/* next byte of the mapping to msync */
	int		 active;
};

/* Start a sweep for seq (durable in the log, all of it applied). */
void	 pw_ckpt_begin(struct pw_ckpt *, uint64_t seq);
/*
 * msync the next chunk bytes (a multiple of the page size); 1 when that
 * finished the sweep and seq is the checkpoint, 0 while it goes on or
 * when no sweep is active, -1 when msync failed (the sweep is dropped:
 * which pages reached the disk is then unknown).
 */
int	 pw_ckpt_step(struct pw_store *, struct pw_ckpt *, size_t chunk);

/*
 * lock.c: the one-writer lock, flock(2) on <billing-log>.lock and on the
 * store, taken before either is read; -1 with err naming the holder.
 */
int	 lock_take(struct pw_ctx *, char *err, size_t errlen);
/* The store made after lock_take (a first start): lock it now. */
int	 lock_store_made(struct pw_ctx *, char *err, size_t errlen);
/* Write this process's pid into the lock file (after daemon(3)). */
int	 lock_note_pid(const struct pw_ctx *);

/* proc.c */
void	 proc_title_init(int argc, char **argv, char **envp);
void	 proc_title(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
int	 proc_privdrop(const struct pw_ctx *);
void	 proc_child_setup(struct pw_ctx *, const char *name);
void	 proc_child_ready(void);
int	 proc_access_open(struct pw_ctx *);
int	 proc_orphaned(const struct pw_ctx *);

#endif /* PW_DAEMON_H */
