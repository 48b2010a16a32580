/*
 * The reaper's state between reaper_pass.c (which slots owe which
 * events) and reaper_batch.c (the events written, synced, then applied).
 * Private to src/billing.
 */
#ifndef REAP_H
#define REAP_H

#include <stddef.h>
#include <stdint.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_daemon.h"

#define REAP_BATCH	256	/* records a write(2) */
#define REAP_COMMIT_MAX	65536	/* events awaiting their fsync, at most */
#define REAP_SHADOW_MAX	4096	/* wallets they touch, at most */

enum ap_kind { AP_START, AP_CHARGE, AP_END, AP_CREDIT };

/* What an event changes in the store once it is durable. */
struct apply {
	enum ap_kind	 kind;
	struct pw_slot	*slot;
	struct pw_slot	*wallet;
	uint32_t	 minute;
	int64_t		 amount;	/* what the wallet's hold gives back */
	int64_t		 balance;
	unsigned	 reason;
};

/* A wallet's balance after the events not yet applied. */
struct shadow {
	struct pw_slot	*wallet;
	int64_t		 balance;
};

struct pw_reap {
	struct pw_store		*st;
	const struct pw_config	*cfg;
	struct pw_blog		 blog;
	uint8_t			 buf[REAP_BATCH * PW_EV_SIZE];
	int			 nbuf;	/* records in buf, not yet written */
	struct apply		*ap;	/* every event not yet applied */
	size_t			 nap;	/* the last nbuf of them in buf */
	struct shadow		*sh;
	size_t			 nsh;
	uint64_t		 pass;
	uint64_t		 now_ms;	/* the store clock */
	uint64_t		 wall_ms;	/* events' times */
	uint64_t		 last_ckpt_us;
	struct pw_ckpt		 ckpt;
	uint64_t		 last_err_us;
	int			 failing;
	uint64_t		 pending;
	uint64_t		 g[PW_G_COUNT];
};

/* reaper_batch.c */
int		 reap_batch_init(struct pw_reap *);
void		 reap_batch_free(struct pw_reap *);
/* Room for n more events; 0, or -1 while the log cannot be written. */
int		 reap_room(struct pw_reap *, int n);
int64_t		*reap_shadow(struct pw_reap *, struct pw_slot *wallet);
struct pw_event	*reap_event(struct pw_reap *, struct pw_event *,
		    unsigned type, const uint8_t id[16], uint32_t game);
void		 reap_emit(struct pw_reap *, const struct pw_event *,
		    const struct apply *);
/*
 * Write what is in the batch, sync the log, then apply every event
 * written to the store; -1 when the batch could not be written (what
 * was written before it is applied all the same).
 */
int		 reap_commit(struct pw_reap *);

#endif /* REAP_H */
