/*
 * The billing log's record format and file handling: encode, decode,
 * scan, torn-tail repair and append.  Which events are written when is
 * the reaper's business (reaper_pass.c, reconcile.c).
 */
#include <sys/types.h>
#include <sys/endian.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_file.h"
#include "pw_store.h"

static void
checksum(const uint8_t rec[PW_EV_SIZE], uint8_t out[8])
{
	uint8_t md[PW_SHA256_LEN];

	pw_sha256(rec, PW_EV_SIZE - 8, md);
	memcpy(out, md, 8);
}

void
pw_event_encode(const struct pw_event *ev, uint8_t r[PW_EV_SIZE])
{
	memset(r, 0, PW_EV_SIZE);
	memcpy(r, PW_EV_MAGIC, 4);
	le32enc(r + 4, PW_EV_SIZE);
	le64enc(r + 8, ev->seq);
	le64enc(r + 16, ev->ts_ms);
	r[24] = (uint8_t)ev->type;
	r[25] = (uint8_t)ev->reason;
	le32enc(r + 28, ev->minute);
	le64enc(r + 32, (uint64_t)ev->amount);
	le64enc(r + 40, (uint64_t)ev->balance);
	memcpy(r + 48, ev->id, 16);
	memcpy(r + 64, ev->game, strnlen(ev->game, 23));
	memcpy(r + 88, ev->wallet, strnlen(ev->wallet, 23));
	le32enc(r + 112, ev->duration);
	checksum(r, r + 120);
}

int
pw_event_decode(const uint8_t r[PW_EV_SIZE], struct pw_event *ev)
{
	uint8_t sum[8];

	if (memcmp(r, PW_EV_MAGIC, 4) != 0 || le32dec(r + 4) != PW_EV_SIZE)
		return (-1);
	checksum(r, sum);
	if (memcmp(sum, r + 120, 8) != 0)
		return (-1);
	memset(ev, 0, sizeof(*ev));
	ev->seq = le64dec(r + 8);
	ev->ts_ms = le64dec(r + 16);
	ev->type = r[24];
	ev->reason = r[25];
	ev->minute = le32dec(r + 28);
	ev->amount = (int64_t)le64dec(r + 32);
	ev->balance = (int64_t)le64dec(r + 40);
	memcpy(ev->id, r + 48, 16);
	memcpy(ev->game, r + 64, 23);
	memcpy(ev->wallet, r + 88, 23);
	ev->duration = le32dec(r + 112);
	if (ev->type <= PW_EV_NONE || ev->type >= PW_EV_MAX ||
	    ev->reason >= PW_R_MAX || ev->seq == 0)
		return (-1);
	return (0);
}

/*
 * After damage at off: does any valid, later record follow?  Looked for
 * at every byte, not only at record boundaries: whole records appended
 * after a half one are not aligned.
 */
static int
valid_after(int fd, uint64_t off, uint64_t size, uint64_t last_seq)
{
	uint8_t buf[65536 + PW_EV_SIZE];
	struct pw_event ev;
	uint64_t pos;
	ssize_t n, i;

	for (pos = off + 1; pos + PW_EV_SIZE <= size; pos += 65536) {
		n = pread(fd, buf, sizeof(buf), (off_t)pos);
		if (n < PW_EV_SIZE)
			return (0);
		for (i = 0; i + PW_EV_SIZE <= n && i < 65536; i++)
			if (buf[i] == 'P' && pw_event_decode(buf + i, &ev) == 0 &&
			    ev.seq > last_seq)
				return (1);
	}
	return (0);
}

int
pw_blog_scan(int fd, pw_blog_fn fn, void *arg, uint64_t *good,
    uint64_t *last_seq, uint64_t *filesize)
{
	return (pw_blog_scan_from(fd, 0, 0, fn, arg, good, last_seq,
	    filesize));
}

/* Seqs run 1, 2, 3 from offset 0: seq s is at (s - 1) x PW_EV_SIZE. */
int
pw_blog_find_seq(int fd, uint64_t seq, uint64_t *off)
{
	uint8_t r[PW_EV_SIZE];
	struct pw_event ev;

	*off = 0;
	if (seq == 0)
		return (0);
	if (pread(fd, r, sizeof(r), (off_t)((seq - 1) * PW_EV_SIZE)) !=
	    (ssize_t)sizeof(r) || pw_event_decode(r, &ev) == -1 ||
	    ev.seq != seq)
		return (-1);
	*off = seq * PW_EV_SIZE;
	return (0);
}

int
pw_blog_scan_from(int fd, uint64_t from, uint64_t seq0, pw_blog_fn fn,
    void *arg, uint64_t *good, uint64_t *last_seq, uint64_t *filesize)
{
	uint8_t buf[PW_EV_SIZE * 256];
	struct pw_event ev;
	struct stat sb;
	uint64_t off, seq;
	ssize_t n, i;

	if (fstat(fd, &sb) == -1)
		return (-1);
	*filesize = (uint64_t)sb.st_size;
	for (off = from, seq = seq0;;) {
		n = pread(fd, buf, sizeof(buf), (off_t)off);
		if (n == -1)
			return (-1);
		for (i = 0; i + PW_EV_SIZE <= n; i += PW_EV_SIZE) {
			if (pw_event_decode(buf + i, &ev) == -1 ||
			    ev.seq != seq + 1)
				goto end;
			seq = ev.seq;
			if (fn != NULL && fn(&ev, off + (uint64_t)i, arg) != 0)
				goto end;
		}
		off += (uint64_t)i;
		if (n < (ssize_t)sizeof(buf))
			break;
	}
	*good = off;
	*last_seq = seq;
	return (0);
end:
	off += (uint64_t)i;
	*good = off;
	*last_seq = seq;
	return (valid_after(fd, off, *filesize, seq) ? -1 : 0);
}

int
pw_blog_open(struct pw_blog *b, const char *path, char *err, size_t errlen)
{
	return (pw_blog_open_from(b, path, 0, err, errlen));
}

int
pw_blog_attach(struct pw_blog *b, int fd, const char *path, char *err,
    size_t errlen)
{
	return (pw_blog_attach_from(b, fd, path, 0, err, errlen));
}

int
pw_blog_open_from(struct pw_blog *b, const char *path, uint64_t from_seq,
    char *err, size_t errlen)
{
	int fd;

	/* Never through a link: a torn tail is cut from what is opened. */
	fd = pw_file_open(path, O_RDWR | O_APPEND | O_CREAT, 0640,
	    PW_OWNER_KEEP, err, errlen);
	if (fd == -1)
		return (-1);
	return (pw_blog_attach_from(b, fd, path, from_seq, err, errlen));
}

/*
 * What precedes the store's checkpoint was read at an earlier start:
 * only the records after it are scanned, unless they are not where the
 * checkpoint says (then the whole log is).
 */
int
pw_blog_attach_from(struct pw_blog *b, int fd, const char *path,
    uint64_t from_seq, char *err, size_t errlen)
{
	uint64_t good, seq, size, off;

	memset(b, 0, sizeof(*b));
	b->fd = fd;
	if (pw_blog_find_seq(fd, from_seq, &off) == -1)
		from_seq = off = 0;
	if (pw_blog_scan_from(b->fd, off, from_seq, NULL, NULL, &good, &seq,
	    &size) == -1) {
		snprintf(err, errlen, "%s: damaged at offset %llu with valid "
		    "records after it; see playwavectl log verify", path,
		    (unsigned long long)good);
		close(b->fd);
		return (-1);
	}
	/* Cut the torn tail before the first append: appending after it
	 * would bury the damage in the middle of the file. */
	if (good != size) {
		log_warnx("billing log %s: torn tail of %llu bytes at offset "
		    "%llu cut (last good seq %llu)", path,
		    (unsigned long long)(size - good), (unsigned long long)good,
		    (unsigned long long)seq);
		if (ftruncate(b->fd, (off_t)good) == -1 || fsync(b->fd) == -1) {
			snprintf(err, errlen, "%s: cannot cut torn tail: %s",
			    path, strerror(errno));
			close(b->fd);
			return (-1);
		}
	}
	b->size = good;
	b->last_seq = seq;
	b->nevents = good / PW_EV_SIZE;
	return (0);
}

int
pw_blog_append(struct pw_blog *b, const void *buf, size_t n)
{
	ssize_t w;

	w = write(b->fd, buf, n);
	if (w == (ssize_t)n) {
		b->size += n;
		b->nevents += n / PW_EV_SIZE;
		return (0);
	}
	/* A short write would leave half a record: take it back. */
	if (w > 0 && ftruncate(b->fd, (off_t)b->size) == -1)
		log_warn("billing log: cannot cut a short write");
	if (w >= 0)
		errno = ENOSPC;
	return (-1);
}

void
pw_blog_close(struct pw_blog *b)
{
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
}
