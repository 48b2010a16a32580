/*
 * The store's checkpoint: the last billing-log seq that every page of
 * the store file on disk reflects.
 *
 * The log is fsynced, the store is written back by the kernel at its own
 * pace, page by page: after a power cut each page of the file may be
 * older than the log, independently of the others.  A checkpoint msyncs
 * the whole mapping (every page dirty at that moment reaches the disk)
 * and only then raises ckpt_seq to a seq whose events were all applied
 * before the msync began.  A page on disk is then never older than the
 * checkpoint it was written under, whichever page the header is and
 * whenever it reaches the disk itself: an older header only names an
 * older checkpoint.  So start-up reconciliation (reconcile.c) needs the
 * log after ckpt_seq only, not its whole history.
 *
 * Why an msync and not a journal of the store: the store changes on
 * every heartbeat; the msync writes each dirty page once per checkpoint,
 * which the kernel's own write-back would have done within half a minute
 * anyway.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include "pw.h"
#include "pw_daemon.h"

int
pw_store_checkpoint(struct pw_store *st, uint64_t seq)
{
	if (st->readonly)
		return (0);
	if (msync(st->hdr, st->maplen, MS_SYNC) == -1) {
		log_warn("store checkpoint: msync");
		return (-1);
	}
	atomic_store(&st->hdr->ckpt_seq, seq);
	atomic_store(&st->hdr->ckpt_ms, pw_now_ms());
	return (0);
}
