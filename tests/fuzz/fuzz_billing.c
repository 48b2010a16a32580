/*
 * libFuzzer harness for the billing log (pw_billing.h, pw_segment.h):
 * record decoding, the scan that tells a torn tail from damage, the
 * open that copies a tail aside and cuts it, and the ledger reading it.
 *
 * The input is the records of a segment, put behind a valid segment
 * header.  A fuzzer never guesses a SHA-256, so each input is also tried
 * with every whole record's link and own check made right (everything
 * else in it is still the fuzzer's), and once more behind FUZZ_PREFIX
 * good records so that its records straddle the 256-record read buffer
 * of pw_seg_scan.  Every result is judged against a plain in-memory
 * reading of the contract: the good prefix is the leading run of valid
 * records numbered 1, 2, 3 ... each linked to the one before; a complete
 * valid record after it is damage, and so is junk after which a valid,
 * later record starts at any byte; anything else is a torn tail, which
 * pw_blog_open copies aside and cuts, and nothing else.
 */
#include <sys/types.h>
#include <sys/endian.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sha2.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_ledger.h"
#include "pw_segment.h"

#define FUZZ_MAX	16384
#define FUZZ_PREFIX	250	/* good records before the input's */
#define HDR		(PW_SEG_FIXED + PW_SEG_TAIL)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[1024], path[1100];
static uint8_t	 hdr[HDR], start[PW_LINK_LEN];

/* What the reference reading says about the records after the header. */
struct expect {
	uint64_t	 good;		/* offset past the good prefix */
	uint64_t	 last_seq;
	int		 damaged;
	int		 torn;
};

static void
reference(const uint8_t *img, size_t size, struct expect *e)
{
	uint8_t link[PW_LINK_LEN];
	struct pw_event ev;
	size_t off;

	memset(e, 0, sizeof(*e));
	memcpy(link, start, sizeof(link));
	for (off = HDR; off + PW_EV_SIZE <= size; off += PW_EV_SIZE) {
		if (pw_event_decode(img + off, &ev) == -1 ||
		    ev.seq != e->last_seq + 1 ||
		    !pw_event_chains(link, img + off))
			break;
		e->last_seq = ev.seq;
		memcpy(link, ev.link, sizeof(link));
	}
	e->good = off;
	if (off == size)
		return;
	if (off + PW_EV_SIZE <= size && pw_event_decode(img + off, &ev) == 0) {
		e->damaged = 1;
		return;
	}
	for (off++; off + PW_EV_SIZE <= size && !e->damaged; off++)
		if (pw_event_decode(img + off, &ev) == 0 &&
		    ev.seq > e->last_seq)
			e->damaged = 1;
	e->torn = !e->damaged;
}

struct seen {
	uint64_t	 n;
	uint64_t	 next_off;
};

static int
scan_fn(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct seen *s = arg;

	if (off != s->next_off || ev->seq != s->n + 1 ||
	    ev->type < PW_EV_START || ev->type >= PW_EV_MAX ||
	    memchr(ev->game, '\0', sizeof(ev->game)) == NULL ||
	    memchr(ev->wallet, '\0', sizeof(ev->wallet)) == NULL)
		abort();
	s->n++;
	s->next_off += PW_EV_SIZE;
	return (0);
}

static int
put_file(const uint8_t *img, size_t size)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	if (size > 0 && write(fd, img, size) != (ssize_t)size)
		abort();
	return (fd);
}

static void
check_scan(int fd, size_t size, const struct expect *e)
{
	struct pw_scan sc;
	struct pw_seg g;
	struct seen s;
	char err[256];

	if (pw_seg_open(&g, fd, NULL, err, sizeof(err)) == -1 ||
	    g.format != 2 || g.data_off != HDR)
		abort();
	s.n = 0;
	s.next_off = HDR;
	if (pw_seg_scan(&g, 0, scan_fn, &s, &sc) == -1)
		abort();
	if (sc.size != size || sc.good != e->good ||
	    sc.last_seq != e->last_seq || s.n != e->last_seq ||
	    (sc.stop == PW_STOP_DAMAGE) != e->damaged ||
	    (sc.stop == PW_STOP_TORN) != e->torn)
		abort();
}

/* The ledger reads what the scan reads, from the start and a middle. */
static void
check_ledger(const struct expect *e)
{
	struct pw_ledger l;
	struct pw_logset ls;
	struct pw_scan sc;
	char err[256], where[1200];
	uint64_t from;
	int strict;

	if (pw_logset_open(&ls, path, NULL, err, sizeof(err)) == -1)
		abort();
	for (strict = 0; strict < 2; strict++)
		for (from = 0; from <= e->last_seq / 2; from += e->last_seq /
		    2 + 1) {
			pw_ledger_init(&l, from);
			if (pw_ledger_read(&l, &ls, strict, &sc, where,
			    sizeof(where)) == -1)
				abort();
			if ((!strict || !l.bad) && (sc.good != e->good ||
			    l.last_seq != e->last_seq))
				abort();
			if (l.bad && l.why[0] == '\0')
				abort();
			pw_ledger_free(&l);
		}
	pw_logset_close(&ls);
}

/* Copies of cut tails: the scratch directory keeps none between inputs. */
static int
clean_kept(void)
{
	char p[1400];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "billing.log.torn-", 17) == 0) {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
			n++;
		}
	closedir(d);
	return (n);
}

/* Open (which may copy aside and cut), then append the next record. */
static void
check_open(const uint8_t *img, size_t size, const struct expect *e)
{
	struct pw_blog_open o = { 0, UINT64_MAX };
	uint8_t back[PW_EV_SIZE];
	struct pw_event ev;
	struct pw_blog b;
	struct stat sb;
	char err[512];
	int dfd, rc;

	close(put_file(img, size));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		abort();
	rc = pw_blog_open(&b, dfd, path, &o, err, sizeof(err));
	if (stat(path, &sb) == -1)
		abort();
	if (e->damaged) {
		/* Damage is never cut, nor copied. */
		if (rc != -1 || (size_t)sb.st_size != size || clean_kept() != 0)
			abort();
		close(dfd);
		return;
	}
	if (rc != 0 || b.size != e->good || b.last_seq != e->last_seq ||
	    (uint64_t)sb.st_size != e->good || clean_kept() != e->torn)
		abort();
	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = 1700000000000ULL;
	ev.type = PW_EV_CREDIT;
	ev.amount = ev.balance = 1;
	memcpy(ev.wallet, "w", 2);
	if (pw_blog_put(&b, &ev) == -1 ||
	    pread(b.fd, back, sizeof(back), (off_t)e->good) != PW_EV_SIZE ||
	    pw_event_decode(back, &ev) == -1 || ev.seq != e->last_seq + 1)
		abort();
	pw_blog_close(&b);
	close(dfd);
}

static void
check_image(const uint8_t *img, size_t size)
{
	struct expect e;
	int fd;

	reference(img, size, &e);
	fd = put_file(img, size);
	check_scan(fd, size, &e);
	close(fd);
	check_ledger(&e);
	check_open(img, size, &e);
}

/* The header, then the input; a copy the caller frees. */
static uint8_t *
behind_header(const uint8_t *data, size_t size)
{
	uint8_t *img;

	if ((img = malloc(HDR + size + 1)) == NULL)
		abort();
	memcpy(img, hdr, HDR);
	memcpy(img + HDR, data, size);
	return (img);
}

/* Every whole record linked to the one before and its check right. */
static void
relink(uint8_t *img, size_t size, size_t from)
{
	uint8_t md[PW_SHA256_LEN], link[PW_LINK_LEN];
	SHA2_CTX ctx;
	size_t off;

	memcpy(link, from == HDR ? start : img + from - PW_EV_SIZE + 120,
	    sizeof(link));
	for (off = from; off + PW_EV_SIZE <= size; off += PW_EV_SIZE) {
		SHA256Init(&ctx);
		SHA256Update(&ctx, link, sizeof(link));
		SHA256Update(&ctx, img + off, 120);
		SHA256Final(img + off + 120, &ctx);
		pw_sha256(img + off, 152, md);
		memcpy(img + off + 152, md, 8);
		memcpy(link, img + off + 120, sizeof(link));
	}
}

/* FUZZ_PREFIX good records, then the input renumbered to follow them. */
static uint8_t *
behind_prefix(const uint8_t *data, size_t size, size_t *outlen)
{
	struct pw_event ev;
	uint8_t *img, link[PW_LINK_LEN];
	size_t pre = HDR + FUZZ_PREFIX * PW_EV_SIZE, off;
	int i;

	if ((img = malloc(pre + size + 1)) == NULL)
		abort();
	memcpy(img, hdr, HDR);
	memcpy(link, start, sizeof(link));
	memset(&ev, 0, sizeof(ev));
	ev.type = PW_EV_CHARGE;
	memcpy(ev.game, "g", 2);
	memcpy(ev.wallet, "w", 2);
	for (i = 0; i < FUZZ_PREFIX; i++) {
		ev.seq = (uint64_t)i + 1;
		ev.minute = (uint32_t)i;
		pw_event_encode(&ev, link, img + HDR + (size_t)i * PW_EV_SIZE);
		memcpy(link, pw_event_link(img + HDR + (size_t)i * PW_EV_SIZE),
		    sizeof(link));
	}
	memcpy(img + pre, data, size);
	for (off = pre; off + PW_EV_SIZE <= pre + size; off += PW_EV_SIZE)
		le64enc(img + off + 8, le64dec(img + off + 8) + FUZZ_PREFIX);
	relink(img, pre + size, pre);
	*outlen = pre + size;
	return (img);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t prev[PW_LINK_LEN];
	const char *tmp;
	uint64_t len;
	int fd;

	/* Cutting a tail warns; the fuzzer's output is no place for it. */
	log_init(1, "/dev/null");
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/fuzz_billing.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/billing.log", dir);
	pw_link_genesis(prev);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    pw_seg_write(fd, 1, prev, NULL, start, &len) == -1 ||
	    len != HDR || pread(fd, hdr, HDR, 0) != HDR)
		abort();
	close(fd);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *img;
	size_t n;

	if (size > FUZZ_MAX)
		return (0);
	img = behind_header(data, size);
	check_image(img, HDR + size);
	relink(img, HDR + size, HDR);
	check_image(img, HDR + size);
	free(img);
	/* Costly (SHA-256s a record): only when a record can straddle. */
	if (size >= (256 - FUZZ_PREFIX + 1) * PW_EV_SIZE) {
		img = behind_prefix(data, size, &n);
		check_image(img, n);
		free(img);
	}
	return (0);
}
