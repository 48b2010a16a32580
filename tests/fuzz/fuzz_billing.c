/*
 * libFuzzer harness for the billing log (pw_billing.h): record decoding,
 * the scan that finds a torn tail, and the open that cuts one.
 *
 * The input is a log file.  A fuzzer never guesses a SHA-256 checksum,
 * so besides the file as given, each input is also tried with the
 * checksum of every whole record made right (everything else in it is
 * still the fuzzer's), and once more behind FUZZ_PREFIX good records so
 * that its records straddle the 256-record read buffer of pw_blog_scan.
 * Every result is judged against a plain in-memory reading of the
 * header's contract: the good prefix is the leading run of valid records
 * numbered 1, 2, 3, ...; what follows is a torn tail unless a valid
 * record with a higher number starts anywhere after the damage;
 * pw_blog_open cuts a torn tail and nothing else, and an append after
 * the cut makes a clean log.
 */
#include <sys/types.h>
#include <sys/endian.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_ledger.h"
#include "pw_crypto.h"

#define FUZZ_MAX	16384
#define FUZZ_PREFIX	250	/* good records before the input's */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What the reference reading says about a log image. */
struct expect {
	uint64_t	 good;		/* bytes of the good prefix */
	uint64_t	 last_seq;
	int		 damaged;	/* valid, later records after damage */
};

/* What the scan callback saw. */
struct seen {
	uint64_t	 n;
	uint64_t	 next_off;
};

static void
reference(const uint8_t *img, size_t size, struct expect *e)
{
	struct pw_event	 ev;
	size_t		 off;

	memset(e, 0, sizeof(*e));
	for (off = 0; off + PW_EV_SIZE <= size; off += PW_EV_SIZE) {
		if (pw_event_decode(img + off, &ev) == -1 ||
		    ev.seq != e->last_seq + 1)
			break;
		e->last_seq = ev.seq;
	}
	e->good = off;
	/*
	 * Valid records after the damage, at any offset: a short write
	 * that could not be taken back leaves later ones unaligned.  A
	 * whole record at the damage itself is a torn tail whatever its
	 * seq (playwavectl log verify says so too).
	 */
	for (off++; off + PW_EV_SIZE <= size && !e->damaged; off++)
		if (pw_event_decode(img + off, &ev) == 0 &&
		    ev.seq > e->last_seq)
			e->damaged = 1;
}

static int
scan_fn(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct seen	*s = arg;

	if (off != s->next_off || ev->seq != s->n + 1 ||
	    ev->type < PW_EV_START || ev->type >= PW_EV_MAX)
		abort();
	s->n++;
	s->next_off += PW_EV_SIZE;
	return (0);
}

/* A decoded record survives encode and decode unchanged. */
static void
check_roundtrip(const struct pw_event *ev)
{
	uint8_t		 rec[PW_EV_SIZE];
	struct pw_event	 back;

	pw_event_encode(ev, rec);
	if (pw_event_decode(rec, &back) == -1 || back.seq != ev->seq ||
	    back.ts_ms != ev->ts_ms || back.type != ev->type ||
	    back.reason != ev->reason || back.minute != ev->minute ||
	    back.amount != ev->amount || back.balance != ev->balance ||
	    memcmp(back.id, ev->id, sizeof(ev->id)) != 0 ||
	    strcmp(back.game, ev->game) != 0 ||
	    strcmp(back.wallet, ev->wallet) != 0 ||
	    back.duration != ev->duration)
		abort();
	if (strcmp(pw_ev_type_name(ev->type), "?") == 0 ||
	    strcmp(pw_reason_name(ev->reason), "?") == 0)
		abort();
}

/* pw_event_decode at every byte offset. */
static void
decode_windows(const uint8_t *img, size_t size)
{
	struct pw_event	 ev;
	size_t		 off;

	for (off = 0; off + PW_EV_SIZE <= size; off++) {
		if (pw_event_decode(img + off, &ev) == -1)
			continue;
		if (ev.seq == 0 || memchr(ev.game, '\0', sizeof(ev.game)) ==
		    NULL || memchr(ev.wallet, '\0', sizeof(ev.wallet)) == NULL)
			abort();
		check_roundtrip(&ev);
	}
}

/* The file named path, holding exactly img. */
static int
put_file(const char *path, const uint8_t *img, size_t size)
{
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	if (size > 0 && write(fd, img, size) != (ssize_t)size)
		abort();
	return (fd);
}

static void
check_scan(int fd, size_t size, const struct expect *e, int all)
{
	struct seen	 s;
	uint64_t	 good = 1, seq = 1, fsize = 0;
	int		 rc;

	memset(&s, 0, sizeof(s));
	rc = pw_blog_scan(fd, scan_fn, &s, &good, &seq, &fsize);
	if (rc != (e->damaged ? -1 : 0) || fsize != size || good != e->good ||
	    seq != e->last_seq || s.n != e->last_seq ||
	    s.next_off != e->good)
		abort();
	if (!all)
		return;
	/* No callback at all is the same scan. */
	good = seq = 1;
	rc = pw_blog_scan(fd, NULL, NULL, &good, &seq, &fsize);
	if (rc != (e->damaged ? -1 : 0) || good != e->good ||
	    seq != e->last_seq)
		abort();
}

/* Open (which may cut), then append the next record and read it back. */
static void
check_open(const char *path, const uint8_t *img, size_t size,
    const struct expect *e)
{
	struct pw_blog	 b;
	struct pw_event	 ev;
	struct stat	 sb;
	struct pw_event	 after_ev;
	uint8_t		 rec[PW_EV_SIZE], *back;
	char		 err[512];
	int		 fd, rc;

	fd = put_file(path, img, size);
	close(fd);
	err[0] = '\0';
	rc = pw_blog_open(&b, path, err, sizeof(err));
	if (stat(path, &sb) == -1)
		abort();
	if (e->damaged) {
		/* Damage with records after it is never cut. */
		if (rc != -1 || err[0] == '\0' || (size_t)sb.st_size != size)
			abort();
		return;
	}
	if (rc != 0 || b.size != e->good || b.last_seq != e->last_seq ||
	    b.nevents != e->good / PW_EV_SIZE || (uint64_t)sb.st_size != e->good)
		abort();
	memset(&ev, 0, sizeof(ev));
	ev.seq = b.last_seq + 1;
	ev.ts_ms = 1700000000000ULL;
	ev.type = PW_EV_CREDIT;
	ev.amount = 1;
	ev.balance = 1;
	memcpy(ev.wallet, "w", 2);
	pw_event_encode(&ev, rec);
	if (pw_blog_append(&b, rec, sizeof(rec)) == -1)
		abort();
	if ((back = malloc(e->good + PW_EV_SIZE)) == NULL)
		abort();
	if (pread(b.fd, back, e->good + PW_EV_SIZE, 0) !=
	    (ssize_t)(e->good + PW_EV_SIZE) ||
	    memcmp(back, img, e->good) != 0)
		abort();
	/* The good prefix was judged already: the new record follows it. */
	if (pw_event_decode(back + e->good, &after_ev) == -1 ||
	    after_ev.seq != e->last_seq + 1)
		abort();
	free(back);
	pw_blog_close(&b);
}

/*
 * The ledger reads what the scan reads, whatever the events say, from
 * the start and from a checkpoint in the middle, and breaks no rule of
 * its own (it may only report rules the events break).
 */
static void
check_ledger(int fd, size_t size, const struct expect *e)
{
	struct pw_ledger l;
	uint64_t good, fsize, from;
	int strict, rc;

	for (strict = 0; strict < 2; strict++) {
		for (from = 0; from <= e->last_seq / 2; from += e->last_seq /
		    2 + 1) {
			pw_ledger_init(&l, from);
			rc = pw_ledger_read(&l, fd, strict, &good, &fsize);
			if (fsize != size || ((!strict || !l.bad) &&
			    (good != e->good ||
			    l.last_seq != e->last_seq ||
			    rc != (e->damaged ? -1 : 0))))
				abort();
			if (l.bad && l.why[0] == '\0')
				abort();
			pw_ledger_free(&l);
		}
	}
}

static void
check_image(const char *path, const uint8_t *img, size_t size, int all)
{
	struct expect	 e;
	int		 fd;

	reference(img, size, &e);
	fd = put_file(path, img, size);
	check_scan(fd, size, &e, all);
	check_ledger(fd, size, &e);
	close(fd);
	check_open(path, img, size, &e);
}

/* Make the checksum of every whole record right. */
static void
fix_sums(uint8_t *img, size_t size)
{
	uint8_t	 md[PW_SHA256_LEN];
	size_t	 off;

	for (off = 0; off + PW_EV_SIZE <= size; off += PW_EV_SIZE) {
		pw_sha256(img + off, PW_EV_SIZE - 8, md);
		memcpy(img + off + PW_EV_SIZE - 8, md, 8);
	}
}

/* FUZZ_PREFIX good records, then the input renumbered to follow them. */
static uint8_t *
behind_prefix(const uint8_t *data, size_t size, size_t *outlen)
{
	struct pw_event	 ev;
	uint8_t		*img;
	size_t		 pre = FUZZ_PREFIX * PW_EV_SIZE, off;
	uint64_t	 seq;
	int		 i;

	if ((img = malloc(pre + size + 1)) == NULL)
		abort();
	memset(&ev, 0, sizeof(ev));
	ev.type = PW_EV_CHARGE;
	memcpy(ev.game, "g", 2);
	memcpy(ev.wallet, "w", 2);
	for (i = 0; i < FUZZ_PREFIX; i++) {
		ev.seq = (uint64_t)i + 1;
		ev.minute = (uint32_t)i;
		pw_event_encode(&ev, img + (size_t)i * PW_EV_SIZE);
	}
	memcpy(img + pre, data, size);
	for (off = pre; off + PW_EV_SIZE <= pre + size; off += PW_EV_SIZE) {
		seq = le64dec(img + off + 8);
		le64enc(img + off + 8, seq + FUZZ_PREFIX);
	}
	fix_sums(img + pre, size);
	*outlen = pre + size;
	return (img);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Cutting a tail warns; the fuzzer's output is no place for it. */
	log_init(1, "/dev/null");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*tmp;
	char		 path[1024];
	uint8_t		*img;
	size_t		 n;

	if (size > FUZZ_MAX)
		return (0);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/fuzz_billing.%ld.log", tmp,
	    (long)getpid());

	decode_windows(data, size);
	check_image(path, data, size, 1);

	if ((img = malloc(size + 1)) == NULL)
		abort();
	memcpy(img, data, size);
	fix_sums(img, size);
	decode_windows(img, size);
	check_image(path, img, size, 1);
	free(img);

	/* Costly (a SHA-256 a record): only when a record can straddle. */
	if (size >= (256 - FUZZ_PREFIX + 1) * PW_EV_SIZE) {
		img = behind_prefix(data, size, &n);
		check_image(path, img, n, 0);
		free(img);
	}

	unlink(path);
	return (0);
}
