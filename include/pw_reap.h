/*
 * The reaper's pass, apart from the process that runs it (reaper.c), so
 * that storebench can time the real thing.  A pw_reap holds the batch of
 * billing records being built and the attached billing log; one process
 * owns it, and only one may exist per store and log at a time.
 */
#ifndef PW_REAP_H
#define PW_REAP_H

#include <stddef.h>

#include "pw_config.h"
#include "pw_store.h"

struct pw_reap;

/*
 * Open the billing log's active file (blog_path, in the directory
 * blog_dfd) for appending; NULL with a message in err.
 */
struct pw_reap	*pw_reap_new(struct pw_store *, const struct pw_config *,
		    int blog_dfd, const char *blog_path, char *err,
		    size_t errlen);
/* Free it; the directory's descriptor stays the caller's. */
void		 pw_reap_free(struct pw_reap *);
/* Rebuild the store's logged marks and balances from the log (reconcile.c). */
int		 pw_reap_recover(struct pw_reap *);
/*
 * One pass: a walk over every slot when anything is due, its events
 * written, synced and applied before it returns (failures to write are
 * logged and retried); the header's stamps in any case.
 */
void		 pw_reap_pass(struct pw_reap *);
/* A pass that walks whatever is due (storebench times the walk). */
void		 pw_reap_walk(struct pw_reap *);

#endif /* PW_REAP_H */
