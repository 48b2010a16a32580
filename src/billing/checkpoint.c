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
 *
 * The reaper writes its checkpoints in steps, a chunk of the mapping per
 * pass: with a million live sessions nearly every page is dirty after
 * ten seconds, and one msync of the whole file would stall the pass for
 * as long as the disk takes to write it -- past the half second within
 * which a started minute must be charged.  The argument above holds
 * chunk by chunk: each chunk reaches the disk no older than it was when
 * the sweep began, when every event up to the sweep's seq was applied,
 * so that seq is the checkpoint once the last chunk is written.
 *
 * The header itself is a page of the mapping: the checkpoint it names
 * reaches the disk with the next msync of its page.  So when a sweep (or
 * the master's msync) has written the header page, the checkpoint the
 * header named just before is known to be on disk; it is kept as
 * disk_ckpt_seq, and only segments of the log wholly below it may be
 * archived (a power cut can leave the store's header no older).
 */
#include <sys/types.h>
#include <sys/mman.h>

#include "pw.h"
#include "pw_daemon.h"

static void
ckpt_publish(struct pw_store *st, uint64_t seq)
{
	atomic_store(&st->hdr->ckpt_seq, seq);
	atomic_store(&st->hdr->ckpt_ms, pw_now_ms());
}

int
pw_store_checkpoint(struct pw_store *st, uint64_t seq)
{
	uint64_t named;

	if (st->readonly)
		return (0);
	named = atomic_load(&st->hdr->ckpt_seq);
	if (msync(st->hdr, st->maplen, MS_SYNC) == -1) {
		log_warn("store checkpoint: msync");
		return (-1);
	}
	pw_atomic_max64(&st->hdr->ledger.disk_ckpt_seq, named);
	ckpt_publish(st, seq);
	return (0);
}

void
pw_ckpt_begin(struct pw_ckpt *c, uint64_t seq)
{
	c->seq = seq;
	c->off = 0;
	c->active = 1;
}

int
pw_ckpt_step(struct pw_store *st, struct pw_ckpt *c, size_t chunk)
{
	uint64_t named;
	size_t len;

	if (!c->active)
		return (0);
	/* A multiple of the page size keeps every chunk's start aligned. */
	len = st->maplen - c->off < chunk ? st->maplen - c->off : chunk;
	named = atomic_load(&st->hdr->ckpt_seq);
	if (msync((char *)st->hdr + c->off, len, MS_SYNC) == -1) {
		log_warn("store checkpoint: msync");
		c->active = 0;
		return (-1);
	}
	if (c->off == 0)	/* the header's page: what it named is on disk */
		pw_atomic_max64(&st->hdr->ledger.disk_ckpt_seq, named);
	if ((c->off += len) < st->maplen)
		return (0);
	c->active = 0;
	ckpt_publish(st, c->seq);
	return (1);
}
