/*
 * The lock-free shared store: file creation and validation, and the hash
 * table's probe, claim, publish and tidy operations.  See pw_store.h for
 * the slot life cycle and why deletion uses tombstones.
 */
#include <sys/types.h>
#include <sys/endian.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pw.h"
#include "pw_crypto.h"
#include "pw_file.h"
#include "pw_store.h"

_Static_assert(PW_PLACE_KEY_LEN == crypto_shorthash_KEYBYTES, "placement key");
_Static_assert(crypto_shorthash_siphashx24_BYTES == PW_KEY_LEN &&
    crypto_shorthash_siphashx24_KEYBYTES ==
    sizeof(((struct pw_store_hdr *)0)->secret), "keyed tags");

#ifndef MAP_NOSYNC
#define MAP_NOSYNC	0
#endif
#ifndef MAP_HASSEMAPHORE
#define MAP_HASSEMAPHORE 0
#endif

/*
 * Where a key's probe run starts: SipHash-2-4 of the key under the
 * store's own random placement key.  Many keys are values a client
 * chooses or sends (nonces, PC ids, request ids, player ids, session
 * ids); keyed, no client can aim records at one probe run.
 */
uint64_t
pw_store_home(const struct pw_store *st, const uint8_t *key)
{
	uint8_t h[crypto_shorthash_BYTES];

	(void)crypto_shorthash(h, key, PW_KEY_LEN, st->hdr->place_key);
	return (le64dec(h) & st->mask);
}

static uint64_t
probe_limit(const struct pw_store *st)
{
	return (st->mask + 1 < PW_MAX_PROBE ? st->mask + 1 : PW_MAX_PROBE);
}

static int
fill_zero(int fd, off_t len)
{
	static const char zero[65536];
	off_t off;
	ssize_t n;

	if (posix_fallocate(fd, 0, len) == 0)
		return (0);
	/* Not every file system can reserve blocks (ZFS): write them. */
	for (off = 0; off < len; off += n) {
		n = pwrite(fd, zero, (size_t)(len - off) < sizeof(zero) ?
		    (size_t)(len - off) : sizeof(zero), off);
		if (n <= 0)
			return (-1);
	}
	return (0);
}

/*
 * Build a new store beside the target and rename it into place, so that a
 * half-made file can never be mistaken for a store.
 */
static int
store_create(const char *path, uint64_t nslots, char *err, size_t errlen)
{
	struct pw_store_hdr hdr;
	char dir[1100], tmp[1100];
	const char *name;
	off_t len;
	int dfd, fd;

	len = (off_t)(PW_STORE_HDR_SIZE + nslots * PW_SLOT_SIZE);
	/* In the directory's descriptor: no name in it is looked up twice. */
	name = pw_file_split(path, dir, sizeof(dir));
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	if ((dfd = pw_dir_open(dir, 0, PW_OWNER_KEEP, err, errlen)) == -1)
		return (-1);
	/* A leftover of a crash, or whatever was planted there: gone. */
	if (unlinkat(dfd, tmp, 0) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(dfd);
		return (-1);
	}
	if ((fd = pw_file_openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL, 0600,
	    PW_OWNER_KEEP, err, errlen)) == -1) {
		close(dfd);
		return (-1);
	}
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, PW_STORE_MAGIC, sizeof(hdr.magic));
	hdr.version = PW_STORE_VERSION;
	hdr.byteorder = PW_STORE_BYTEORDER;
	hdr.hdr_size = (uint32_t)PW_STORE_HDR_SIZE;
	hdr.slot_size = PW_SLOT_SIZE;
	hdr.nslots = nslots;
	hdr.fingerprint = PW_STORE_FINGERPRINT;
	hdr.created_ms = pw_now_ms();
	arc4random_buf(hdr.secret, sizeof(hdr.secret));
	arc4random_buf(hdr.place_key, sizeof(hdr.place_key));
	arc4random_buf(hdr.session_secret, sizeof(hdr.session_secret));
	pw_store_clock_init(&hdr.clock);
	if (fill_zero(fd, len) == -1 ||
	    pwrite(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlinkat(dfd, tmp, 0);
		close(dfd);
		return (-1);
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) == -1) {
		snprintf(err, errlen, "rename %s: %s", tmp, strerror(errno));
		(void)unlinkat(dfd, tmp, 0);
		close(dfd);
		return (-1);
	}
	close(dfd);
	return (0);
}

static int
store_check(const struct pw_store_hdr *h, off_t size, const char *path,
    char *err, size_t errlen)
{
	if ((size_t)size < sizeof(*h) ||
	    memcmp(h->magic, PW_STORE_MAGIC, sizeof(h->magic)) != 0) {
		snprintf(err, errlen, "%s: not a playwaved store", path);
		return (-1);
	}
	if (h->byteorder != PW_STORE_BYTEORDER) {
		snprintf(err, errlen, "%s: store of another byte order", path);
		return (-1);
	}
	if (h->version != PW_STORE_VERSION) {
		snprintf(err, errlen, "%s: store format version %u, this "
		    "build reads version %u", path, h->version,
		    PW_STORE_VERSION);
		return (-1);
	}
	if (h->fingerprint != PW_STORE_FINGERPRINT) {
		snprintf(err, errlen, "%s: store layout %016llx, this build's "
		    "layout is %016llx (format version %u): made by another "
		    "build of playwaved; left untouched", path,
		    (unsigned long long)h->fingerprint,
		    (unsigned long long)PW_STORE_FINGERPRINT, PW_STORE_VERSION);
		return (-1);
	}
	if (h->hdr_size != PW_STORE_HDR_SIZE || h->slot_size !=
	    PW_SLOT_SIZE || h->nslots == 0 ||
	    (h->nslots & (h->nslots - 1)) != 0) {
		snprintf(err, errlen, "%s: store geometry does not match this "
		    "build (header %u, slot %u, %llu slots)", path,
		    h->hdr_size, h->slot_size, (unsigned long long)h->nslots);
		return (-1);
	}
	if ((uint64_t)size != PW_STORE_HDR_SIZE + h->nslots * PW_SLOT_SIZE) {
		snprintf(err, errlen, "%s: store is truncated or extended "
		    "(%lld bytes, expected %llu)", path, (long long)size,
		    (unsigned long long)(PW_STORE_HDR_SIZE +
		    h->nslots * PW_SLOT_SIZE));
		return (-1);
	}
	return (0);
}

static int
store_map(struct pw_store *st, const char *path, int readonly, char *err,
    size_t errlen)
{
	struct pw_store_hdr hdr;
	struct stat sb;
	void *p;

	if ((st->fd = pw_file_open(path, readonly ? O_RDONLY : O_RDWR, 0,
	    PW_OWNER_KEEP, err, errlen)) == -1)
		return (-1);
	if (fstat(st->fd, &sb) == -1 ||
	    pread(st->fd, &hdr, sizeof(hdr), 0) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (store_check(&hdr, sb.st_size, path, err, errlen) == -1)
		return (-1);
	p = mmap(NULL, (size_t)sb.st_size, readonly ? PROT_READ :
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NOSYNC |
	    MAP_HASSEMAPHORE, st->fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap %s: %s", path, strerror(errno));
		return (-1);
	}
	st->maplen = (size_t)sb.st_size;
	st->hdr = p;
	st->slots = (struct pw_slot *)((char *)p + PW_STORE_HDR_SIZE);
	st->mask = hdr.nslots - 1;
	pw_session_kdf_init(&st->session_kdf, st->hdr->session_secret,
	    sizeof(st->hdr->session_secret));
	pw_store_advise(st, 0);
	return (0);
}

/*
 * A worker's accesses are hash probes.  Read-ahead and fault-around would
 * map pages of the file around each slot it touches (with large folios,
 * megabytes of them), in every worker.  The reaper reads all slots in
 * order, where they save faults.  Advice only: errors are ignored.
 */
void
pw_store_advise(struct pw_store *st, int sequential)
{
	(void)posix_madvise(st->hdr, st->maplen, sequential ?
	    POSIX_MADV_NORMAL : POSIX_MADV_RANDOM);
}

int
pw_store_open(struct pw_store *st, const char *path, uint64_t nslots,
    int create, int readonly, char *err, size_t errlen)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	st->fd = -1;
	st->readonly = readonly;
	st->pid = (uint32_t)getpid();
	/* A link there is refused when opened, not taken for no store. */
	if (create && lstat(path, &sb) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return (-1);
		}
		if (store_create(path, nslots, err, errlen) == -1)
			return (-1);
	}
	if (store_map(st, path, readonly, err, errlen) == -1) {
		if (st->fd != -1)
			close(st->fd);
		st->fd = -1;
		return (-1);
	}
	return (0);
}

void
pw_store_close(struct pw_store *st)
{
	explicit_bzero(&st->session_kdf, sizeof(st->session_kdf));
	if (st->hdr != NULL)
		munmap(st->hdr, st->maplen);
	if (st->fd != -1)
		close(st->fd);
	st->hdr = NULL;
	st->fd = -1;
}

void
pw_store_set_cell(struct pw_store *st, unsigned cell)
{
	st->pid = (uint32_t)getpid();
	/* A forked child must not hand out its parent's bytes again. */
	pw_rand_reset(&st->rnd);
	st->cell = cell < PW_NCELLS && !st->readonly ?
	    &st->hdr->cells[cell] : NULL;
}

void
pw_store_new_id(struct pw_store *st, uint8_t out[PW_KEY_LEN])
{
	pw_uuid_new(&st->rnd, out);
	pw_uuid_set_shard(out, st->hdr->shard);
}

unsigned
pw_store_set_shard(struct pw_store *st, unsigned shard)
{
	unsigned old;

	old = st->hdr->shard;
	st->hdr->shard = shard & PW_SHARD_MAX;
	return (old);
}

struct pw_slot *
pw_store_find(struct pw_store *st, const uint8_t *key, unsigned type,
    uint64_t *wordp)
{
	struct pw_slot *s;
	uint64_t i, n, lim, w;

	lim = probe_limit(st);
	for (n = 0, i = pw_store_home(st, key); n < lim; n++, i = (i + 1) & st->mask) {
		s = &st->slots[i];
		w = pw_slot_word(s);
		if (PW_W_STATUS(w) == PW_ST_EMPTY)
			return (NULL);
		if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != type ||
		    memcmp(s->key, key, PW_KEY_LEN) != 0)
			continue;
		/* The key was read unlocked: make sure the slot kept it. */
		if (((pw_slot_word(s) ^ w) & ((0x7fffull << 17) | 7)) != 0)
			continue;
		if (wordp != NULL)
			*wordp = w;
		return (s);
	}
	return (NULL);
}

static void
note_probe(struct pw_store *st, uint64_t n)
{
	uint64_t m;

	m = atomic_load_explicit(&st->hdr->max_probe, memory_order_relaxed);
	while (n > m && !atomic_compare_exchange_weak(&st->hdr->max_probe,
	    &m, n))
		;
}

/* Claim slot s if it is free; 1 on success. */
static int
claim_slot(struct pw_store *st, struct pw_slot *s, unsigned type)
{
	uint64_t w, nw;

	w = pw_slot_word(s);
	while (PW_W_STATUS(w) == PW_ST_EMPTY || PW_W_STATUS(w) == PW_ST_TOMB) {
		nw = PW_W_MAKE(PW_ST_BUSY, type, 0, 0, PW_W_GEN(w) + 1,
		    st->pid);
		if (pw_slot_cas(s, &w, nw))
			return (1);
	}
	return (0);
}

struct pw_slot *
pw_store_claim(struct pw_store *st, const uint8_t *key, unsigned type)
{
	struct pw_slot *s;
	uint64_t i, n, lim;

	lim = probe_limit(st);
	for (n = 0, i = pw_store_home(st, key); n < lim; n++, i = (i + 1) & st->mask) {
		s = &st->slots[i];
		if (!claim_slot(st, s, type))
			continue;
		memcpy(s->key, key, PW_KEY_LEN);
		memset(s->u.raw, 0, sizeof(s->u.raw));
		if (n > 0)
			note_probe(st, n + 1);
		/* After the claim is visible: a walk the poke starts sees it. */
		pw_store_poke(st);
		return (s);
	}
	pw_count(st, PW_C_STORE_FULL, 1);
	return (NULL);
}

/*
 * Scan key's whole probe run for another LIVE or keyed BUSY slot of the
 * same key.  Both racing inserters publish "keyed" with a seq_cst store
 * before they scan, so at least one of them sees the other (Dekker).
 */
static struct pw_slot *
find_rival(struct pw_store *st, const uint8_t *key, unsigned type,
    const struct pw_slot *self, uint64_t *wordp)
{
	struct pw_slot *s;
	uint64_t i, n, lim, w;

	lim = probe_limit(st);
	for (n = 0, i = pw_store_home(st, key); n < lim; n++, i = (i + 1) & st->mask) {
		s = &st->slots[i];
		w = atomic_load(&s->word);
		if (PW_W_STATUS(w) == PW_ST_EMPTY)
			break;
		if (s == self || PW_W_TYPE(w) != type)
			continue;
		if (PW_W_STATUS(w) != PW_ST_LIVE &&
		    !(PW_W_STATUS(w) == PW_ST_BUSY && (w & PW_W_KEYED)))
			continue;
		if (memcmp(s->key, key, PW_KEY_LEN) == 0) {
			*wordp = w;
			return (s);
		}
	}
	return (NULL);
}

enum pw_ins
pw_store_claim_unique(struct pw_store *st, const uint8_t *key, unsigned type,
    struct pw_slot **out)
{
	struct pw_slot *s, *rival;
	uint64_t w;
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if ((*out = pw_store_find(st, key, type, NULL)) != NULL)
			return (PW_INS_EXISTS);
		if ((s = pw_store_claim(st, key, type)) == NULL)
			return (PW_INS_FULL);
		atomic_fetch_or(&s->word, PW_W_KEYED);
		if ((rival = find_rival(st, key, type, s, &w)) == NULL) {
			*out = s;
			return (PW_INS_NEW);
		}
		pw_store_abandon(s);
		if (PW_W_STATUS(w) == PW_ST_LIVE) {
			*out = rival;
			return (PW_INS_EXISTS);
		}
		/* Both saw each other: back off and let one of us win. */
		if (tries > 2)
			sched_yield();
	}
	return (PW_INS_FULL);
}

void
pw_store_publish(struct pw_slot *s, unsigned state, uint32_t hi)
{
	uint64_t w;

	w = pw_slot_word(s);
	atomic_store_explicit(&s->word, PW_W_MAKE(PW_ST_LIVE, PW_W_TYPE(w),
	    state, 0, PW_W_GEN(w), hi), memory_order_release);
}

void
pw_store_abandon(struct pw_slot *s)
{
	uint64_t w;

	w = pw_slot_word(s);
	atomic_store_explicit(&s->word, PW_W_MAKE(PW_ST_TOMB, 0, 0, 0,
	    PW_W_GEN(w), 0), memory_order_release);
}

uint64_t
pw_store_index(const struct pw_store *st, const struct pw_slot *s)
{
	return ((uint64_t)(s - st->slots));
}

/*
 * A reference is the slot index and a 32-bit check: the slot's generation
 * (bumped at every reuse) and 17 bits of the key (keys of one home share
 * no bits: placement is keyed).
 * A reused slot fails the check unless it was reused 32768 times and the
 * new key also agrees in those bits.
 */
static uint32_t
ref_check(const struct pw_slot *s, uint64_t w)
{
	uint32_t k;

	memcpy(&k, s->key + 8, sizeof(k));
	return (((uint32_t)PW_W_GEN(w) << 17) | (k & 0x1ffffu));
}

pw_ref_t
pw_store_ref(const struct pw_store *st, const struct pw_slot *s)
{
	return (((pw_store_index(st, s) + 1) << 32) |
	    ref_check(s, pw_slot_word(s)));
}

struct pw_slot *
pw_store_deref(struct pw_store *st, pw_ref_t ref, unsigned type,
    uint64_t *wordp)
{
	struct pw_slot *s;
	uint64_t idx, w;

	if (ref == 0 || (idx = (ref >> 32) - 1) > st->mask)
		return (NULL);
	s = &st->slots[idx];
	w = pw_slot_word(s);
	if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != type ||
	    ref_check(s, w) != (uint32_t)ref)
		return (NULL);
	if (wordp != NULL)
		*wordp = w;
	return (s);
}

/* tag NUL name into buf (name cut to fit); its length. */
static size_t
tagged(uint8_t buf[512], const char *tag, const void *name, size_t len)
{
	size_t tl;

	tl = strlen(tag);
	if (tl + 1 + len > 512)
		len = 512 - tl - 1;
	memcpy(buf, tag, tl);
	buf[tl] = '\0';
	memcpy(buf + tl + 1, name, len);
	return (tl + 1 + len);
}

void
pw_key_derive(uint8_t out[PW_KEY_LEN], const char *tag, const void *name,
    size_t len)
{
	uint8_t buf[512], md[PW_SHA256_LEN];

	pw_sha256(buf, tagged(buf, tag, name, len), md);
	memcpy(out, md, PW_KEY_LEN);
}

void
pw_key_derive_keyed(const struct pw_store *st, const char *tag,
    const void *name, size_t len, uint8_t out[PW_KEY_LEN])
{
	uint8_t buf[512];

	(void)crypto_shorthash_siphashx24(out, buf, tagged(buf, tag, name,
	    len), st->hdr->secret);
}

/*
 * The header's state of a cafe (its quota and rate words), found by the
 * cafe's id hash or claimed for it: each cafe's own, never shared.
 */
struct pw_cafe_state *
pw_cafe_state(struct pw_store *st, uint32_t hash)
{
	struct pw_cafe_state *c;
	uint32_t h;
	unsigned i, n;

	for (n = 0, i = hash; n < PW_CAFE_SLOTS; n++, i++) {
		c = &st->hdr->cafes[i % PW_CAFE_SLOTS];
		h = atomic_load(&c->hash);
		if (h == hash)
			return (c);
		if (h == 0 && atomic_compare_exchange_strong(&c->hash, &h,
		    hash))
			return (c);
		if (h == hash)
			return (c);	/* another process claimed it for us */
	}
	return (NULL);	/* more cafes than the table: never with -n's limit */
}

uint64_t
pw_counter_sum(const struct pw_store *st, enum pw_counter c)
{
	uint64_t sum;
	int i;

	for (sum = 0, i = 0; i < PW_NCELLS; i++)
		sum += atomic_load_explicit(&st->hdr->cells[i].c[c],
		    memory_order_relaxed);
	return (sum);
}

void
pw_atomic_max32(_Atomic uint32_t *v, uint32_t x)
{
	uint32_t cur;

	cur = atomic_load_explicit(v, memory_order_relaxed);
	while (cur < x && !atomic_compare_exchange_weak_explicit(v, &cur, x,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

void
pw_atomic_max64(_Atomic uint64_t *v, uint64_t x)
{
	uint64_t cur;

	cur = atomic_load_explicit(v, memory_order_relaxed);
	while (cur < x && !atomic_compare_exchange_weak_explicit(v, &cur, x,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

int
pw_uid_pack(uint8_t out[PW_UID_LEN], const char *d, size_t len)
{
	size_t i;
	unsigned nib;

	if (len == 0 || len > 2 * PW_UID_LEN)
		return (-1);
	memset(out, 0xff, PW_UID_LEN);
	for (i = 0; i < len; i++) {
		if (d[i] < '0' || d[i] > '9')
			return (-1);
		nib = (unsigned)(d[i] - '0');
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)((nib << 4) | 0x0f);
		else
			out[i / 2] = (uint8_t)((out[i / 2] & 0xf0) | nib);
	}
	return (0);
}

void
pw_uid_unpack(const uint8_t in[PW_UID_LEN], char out[21])
{
	size_t i, n;
	unsigned nib;

	for (i = 0, n = 0; i < 2 * PW_UID_LEN; i++) {
		nib = i % 2 == 0 ? in[i / 2] >> 4 : in[i / 2] & 0x0f;
		if (nib > 9)
			break;
		out[n++] = (char)('0' + nib);
	}
	out[n] = '\0';
}

static int
owner_dead(uint32_t pid)
{
	if (pid == 0)
		return (1);
	return (kill((pid_t)pid, 0) == -1 && errno == ESRCH);
}

int
pw_store_tidy(struct pw_store *st, uint64_t idx)
{
	struct pw_slot *s, *next;
	uint64_t w, nw;

	s = &st->slots[idx];
	w = pw_slot_word(s);
	switch (PW_W_STATUS(w)) {
	case PW_ST_BUSY:
		if (!owner_dead(PW_W_HI(w)))
			return (0);
		nw = PW_W_MAKE(PW_ST_TOMB, 0, 0, 0, PW_W_GEN(w), 0);
		return (pw_slot_cas(s, &w, nw));
	case PW_ST_TOMB:
		if (!(w & PW_W_MARK))
			return (pw_slot_cas(s, &w, w | PW_W_MARK));
		next = &st->slots[(idx + 1) & st->mask];
		if (PW_W_STATUS(pw_slot_word(next)) != PW_ST_EMPTY)
			return (0);
		nw = PW_W_MAKE(PW_ST_EMPTY, 0, 0, 0, PW_W_GEN(w), 0);
		return (pw_slot_cas(s, &w, nw));
	default:
		return (0);
	}
}
