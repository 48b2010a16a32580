/*
 * What src/billing's files share and nobody outside it sees: the
 * reaper's state between reaper_pass.c (which slots owe which events)
 * and reaper_batch.c (the events written, synced, then applied), the one
 * applier (apply.c) and the segment switch (rotate.c).
 */
#ifndef REAP_H
#define REAP_H

#include <stddef.h>
#include <stdint.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_daemon.h"
#include "pw_file.h"
#include "pw_segment.h"

#define REAP_BATCH	256	/* records a write(2) */
#define REAP_COMMIT_MAX	PW_UNSYNCED_MAX	/* events awaiting their fsync */
#define REAP_SHADOW_MAX	4096	/* wallets they touch, at most */

/* Where an event goes in the store, when its maker knows (else looked up). */
struct pw_apply_hint {
	struct pw_slot	*slot;		/* the session or the credit */
	struct pw_slot	*wallet;
};

/*
 * apply.c: make the store say at least what a logged event says; n (may
 * be NULL) counts what changed.  how: PW_APPLY_RELEASE gives back the
 * holds the event settles (not in the master, which recomputes them
 * all), PW_APPLY_BALANCE sets the wallet's balance from it (only the
 * newest events: the reaper's commit).
 */
#define PW_APPLY_RELEASE	0x1
#define PW_APPLY_BALANCE	0x2
void	 pw_apply_event(struct pw_store *, const struct pw_event *,
	    const struct pw_apply_hint *, struct pw_recon *n, int how);

/* An event made, written or not yet, waiting for its commit. */
struct pending {
	struct pw_event		 ev;
	struct pw_apply_hint	 h;
	int64_t			 held;	/* a debit's reservation */
};

/* A wallet's balance after the events not yet applied. */
struct shadow {
	struct pw_slot	*wallet;
	int64_t		 balance;
};

struct pw_reap {
	struct pw_store		*st;
	const struct pw_config	*cfg;
	struct pw_blog		 blog;		/* last_seq, head: on file */
	uint64_t		 seq;		/* the last seq made */
	uint8_t			 bhead[PW_LINK_LEN];	/* its link */
	uint8_t			 buf[REAP_BATCH * PW_EV_SIZE];
	int			 nbuf;	/* records in buf, not yet written */
	struct pending		*ap;	/* every event not yet applied */
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
	/* The walk over the slots, done only when something is due. */
	uint64_t		 due_ms;	/* the earliest deadline seen */
	uint64_t		 poke;		/* hdr poke at the last walk */
	uint64_t		 walked_ms;
	uint64_t		 tidy_ms;	/* tombstones tidied from then */
	int			 tidy;		/* in this walk */
	int			 busy;		/* the walk saw a claim under way */
	uint64_t		 rotate_err_us;
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
		    struct pw_slot *slot, struct pw_slot *wallet, int64_t held);
/*
 * Write what is in the batch, sync the log, then apply every event
 * written to the store; -1 when the batch could not be written (what
 * was written before it is applied all the same).
 */
int		 reap_commit(struct pw_reap *);

/* event_names.c: a session's wallet ("" none) and a game's name. */
const char	*reap_gs_wallet(const struct pw_config *,
		    const struct pw_slot *gs);
void		 reap_game_name(const struct pw_config *, uint32_t hash,
		    char out[24]);

/* rotate.c: the next segment, once the active file is past its size. */
void		 reap_rotate(struct pw_reap *);
#endif /* REAP_H */
