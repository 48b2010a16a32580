/*
 * A segment's header (pw_segment.h): the snapshot that goes into it,
 * writing it, and reading it back when a segment is opened.
 */
#include <sys/types.h>
#include <sys/endian.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sha2.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_segment.h"

#define MAX_NAMES	(1u << 24)
#define CHUNK		65536

void
pw_snap_init(struct pw_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void
pw_snap_free(struct pw_snap *s)
{
	free(s->name);
	free(s->hash);
	free(s->wallet);
	free(s->sess);
	pw_snap_init(s);
}

/* Room for one more of size each in *buf; -1 when memory runs out. */
static int
grow(void *bufp, uint64_t n, uint64_t *cap, size_t each)
{
	uint8_t **buf = bufp, *nb;
	uint64_t ncap;

	if (n < *cap)
		return (0);
	ncap = *cap ? *cap * 2 : 256;
	if ((nb = reallocarray(*buf, ncap, each)) == NULL)
		return (-1);
	*buf = nb;
	*cap = ncap;
	return (0);
}

static uint32_t
name_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return (h);
}

static int
rehash(struct pw_snap *s)
{
	uint32_t *t, n, i, j;

	n = s->nhash ? s->nhash * 2 : 512;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return (-1);
	for (i = 0; i < s->nname; i++) {
		for (j = name_hash(s->name[i]) & (n - 1); t[j] != 0;
		    j = (j + 1) & (n - 1))
			;
		t[j] = i + 1;
	}
	free(s->hash);
	s->hash = t;
	s->nhash = n;
	return (0);
}

/* The index of name in the names table, added when new. */
static int
name_index(struct pw_snap *s, const char *name, uint32_t *out)
{
	uint64_t cap = s->capname;
	uint32_t j;

	if (strlen(name) >= PW_SEG_NAME || s->nname >= MAX_NAMES) {
		errno = EINVAL;
		return (-1);
	}
	if ((s->nname + 1) * 2 > s->nhash && rehash(s) == -1)
		return (-1);
	for (j = name_hash(name) & (s->nhash - 1); s->hash[j] != 0;
	    j = (j + 1) & (s->nhash - 1))
		if (strcmp(s->name[s->hash[j] - 1], name) == 0) {
			*out = s->hash[j] - 1;
			return (0);
		}
	if (grow(&s->name, s->nname, &cap, PW_SEG_NAME) == -1)
		return (-1);
	s->capname = (uint32_t)cap;
	memset(s->name[s->nname], 0, PW_SEG_NAME);
	memcpy(s->name[s->nname], name, strlen(name));
	s->hash[j] = s->nname + 1;
	*out = s->nname++;
	return (0);
}

int
pw_snap_wallet(struct pw_snap *s, const char *name, int64_t balance)
{
	uint64_t cap = s->capwallet;
	uint32_t i;
	uint8_t *e;

	if (name_index(s, name, &i) == -1 ||
	    grow(&s->wallet, s->nwallet, &cap, PW_SEG_WALLET) == -1)
		return (-1);
	s->capwallet = (uint32_t)cap;
	e = s->wallet + (size_t)s->nwallet++ * PW_SEG_WALLET;
	memset(e, 0, PW_SEG_WALLET);
	le32enc(e, i);
	le64enc(e + 8, (uint64_t)balance);
	return (0);
}

int
pw_snap_session(struct pw_snap *s, const struct pw_snapsess *ss)
{
	uint32_t w = PW_SEG_NONE, g = PW_SEG_NONE;
	uint8_t *e;

	if ((ss->wallet[0] != '\0' && name_index(s, ss->wallet, &w) == -1) ||
	    (ss->game[0] != '\0' && name_index(s, ss->game, &g) == -1) ||
	    grow(&s->sess, s->nsess, &s->capsess, PW_SEG_SESSION) == -1)
		return (-1);
	e = s->sess + (size_t)s->nsess++ * PW_SEG_SESSION;
	memset(e, 0, PW_SEG_SESSION);
	memcpy(e, ss->id, 16);
	le64enc(e + 16, ss->start_seq);
	le64enc(e + 24, (uint64_t)ss->charged);
	le32enc(e + 32, ss->charges);
	le32enc(e + 36, w);
	le32enc(e + 40, g);
	return (0);
}

static int
put(int fd, SHA2_CTX *ctx, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t w;

	SHA256Update(ctx, p, n);
	while (n > 0) {
		if ((w = pw_fault_write(fd, p, n)) == -1)
			return (-1);
		p += w;
		n -= (size_t)w;
	}
	return (0);
}

int
pw_seg_write(int fd, uint64_t first_seq, const uint8_t *prev,
    const struct pw_snap *s, uint8_t h[PW_LINK_LEN], uint64_t *len)
{
	static const struct pw_snap none;
	uint8_t fixed[PW_SEG_FIXED], d[PW_LINK_LEN], md[PW_LINK_LEN];
	SHA2_CTX ctx, ctx2;

	if (s == NULL)
		s = &none;
	*len = PW_SEG_FIXED + (uint64_t)s->nname * PW_SEG_NAME +
	    (uint64_t)s->nwallet * PW_SEG_WALLET + s->nsess * PW_SEG_SESSION +
	    PW_SEG_TAIL;
	memset(fixed, 0, sizeof(fixed));
	memcpy(fixed, PW_SEG_MAGIC, 4);
	le32enc(fixed + 4, 2);
	le64enc(fixed + 8, *len);
	le64enc(fixed + 16, first_seq);
	le64enc(fixed + 24, pw_now_ms());
	memcpy(fixed + 32, prev, PW_LINK_LEN);
	le32enc(fixed + 64, s->nname);
	le32enc(fixed + 68, s->nwallet);
	le64enc(fixed + 72, s->nsess);
	SHA256Init(&ctx);
	if (put(fd, &ctx, fixed, sizeof(fixed)) == -1 ||
	    put(fd, &ctx, s->name, (size_t)s->nname * PW_SEG_NAME) == -1 ||
	    put(fd, &ctx, s->wallet, (size_t)s->nwallet * PW_SEG_WALLET) ==
	    -1 || put(fd, &ctx, s->sess, s->nsess * PW_SEG_SESSION) == -1)
		return (-1);
	ctx2 = ctx;
	SHA256Final(d, &ctx2);
	SHA256Init(&ctx2);
	SHA256Update(&ctx2, prev, PW_LINK_LEN);
	SHA256Update(&ctx2, d, sizeof(d));
	SHA256Final(h, &ctx2);
	if (put(fd, &ctx, h, PW_LINK_LEN) == -1)
		return (-1);
	SHA256Final(md, &ctx);
	return (put(fd, &ctx2, md, 8));
}

int
pw_seg_name(char *out, size_t outlen, const char *base, uint64_t first_seq)
{
	return ((size_t)snprintf(out, outlen, "%s.%020" PRIu64, base,
	    first_seq) < outlen ? 0 : -1);
}

uint64_t
pw_seg_name_seq(const char *name, const char *base)
{
	const char *p;
	uint64_t seq = 0;
	size_t n = strlen(base), i;

	if (strncmp(name, base, n) != 0 || name[n] != '.' ||
	    strlen(p = name + n + 1) != PW_SEG_DIGITS)
		return (0);
	for (i = 0; i < PW_SEG_DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    seq > (UINT64_MAX - 9) / 10)
			return (0);
		seq = seq * 10 + (uint64_t)(p[i] - '0');
	}
	return (seq);
}

/*
 * Reading a header: the fixed part, then its entries a chunk at a time,
 * hashed as they are read, each handed to the callbacks with its names
 * resolved.
 */
struct hread {
	int		 fd;
	uint64_t	 off, len;
	SHA2_CTX	 ctx;
	char		(*names)[PW_SEG_NAME];
	uint32_t	 nname;
	const struct pw_snap_cb *cb;
};

static int
hread(struct hread *r, void *buf, size_t n)
{
	ssize_t got;

	if (r->off + n > r->len) {
		errno = EINVAL;
		return (-1);
	}
	if ((got = pread(r->fd, buf, n, (off_t)r->off)) != (ssize_t)n) {
		if (got >= 0)
			errno = EINVAL;
		return (-1);
	}
	SHA256Update(&r->ctx, buf, n);
	r->off += n;
	return (0);
}

static const char *
name_at(const struct hread *r, uint32_t i)
{
	return (i == PW_SEG_NONE ? "" : i < r->nname ? r->names[i] : NULL);
}

static int
read_names(struct hread *r)
{
	uint32_t i;

	if (r->nname > 0 && (r->names = calloc(r->nname,
	    sizeof(*r->names))) == NULL)
		return (-1);
	if (r->nname > 0 && hread(r, r->names, (size_t)r->nname *
	    PW_SEG_NAME) == -1)
		return (-1);
	for (i = 0; i < r->nname; i++)
		if (r->names[i][PW_SEG_NAME - 1] != '\0') {
			errno = EINVAL;
			return (-1);
		}
	return (0);
}

static int
read_wallets(struct hread *r, uint32_t n)
{
	uint8_t e[PW_SEG_WALLET];
	const char *name;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (hread(r, e, sizeof(e)) == -1)
			return (-1);
		if ((name = name_at(r, le32dec(e))) == NULL || *name == '\0') {
			errno = EINVAL;
			return (-1);
		}
		if (r->cb != NULL && r->cb->wallet != NULL &&
		    r->cb->wallet(name, (int64_t)le64dec(e + 8),
		    r->cb->arg) != 0)
			r->cb = NULL;
	}
	return (0);
}

static int
read_sessions(struct hread *r, uint64_t n)
{
	uint8_t e[PW_SEG_SESSION];
	struct pw_snapsess ss;
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (hread(r, e, sizeof(e)) == -1)
			return (-1);
		memcpy(ss.id, e, 16);
		ss.start_seq = le64dec(e + 16);
		ss.charged = (int64_t)le64dec(e + 24);
		ss.charges = le32dec(e + 32);
		if ((ss.wallet = name_at(r, le32dec(e + 36))) == NULL ||
		    (ss.game = name_at(r, le32dec(e + 40))) == NULL) {
			errno = EINVAL;
			return (-1);
		}
		if (r->cb != NULL && r->cb->session != NULL &&
		    r->cb->session(&ss, r->cb->arg) != 0)
			r->cb = NULL;
	}
	return (0);
}

/* The header's link and check, against what was read. */
static int
read_tail(struct hread *r, const uint8_t prev[PW_LINK_LEN],
    uint8_t h[PW_LINK_LEN], uint8_t d[PW_LINK_LEN])
{
	uint8_t want[PW_LINK_LEN], md[PW_LINK_LEN], sum[8];
	SHA2_CTX c;

	c = r->ctx;
	SHA256Final(d, &c);
	SHA256Init(&c);
	SHA256Update(&c, prev, PW_LINK_LEN);
	SHA256Update(&c, d, PW_LINK_LEN);
	SHA256Final(want, &c);
	if (hread(r, h, PW_LINK_LEN) == -1)
		return (-1);
	c = r->ctx;
	SHA256Final(md, &c);
	if (pread(r->fd, sum, sizeof(sum), (off_t)r->off) != sizeof(sum) ||
	    memcmp(md, sum, sizeof(sum)) != 0 ||
	    memcmp(want, h, PW_LINK_LEN) != 0) {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

static int
read_header(struct pw_seg *g, const uint8_t *fixed, const struct pw_snap_cb *cb)
{
	struct hread r;
	uint64_t nsess;
	uint32_t nwallet;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.fd = g->fd;
	r.len = le64dec(fixed + 8);
	r.nname = le32dec(fixed + 64);
	r.cb = cb;
	nwallet = le32dec(fixed + 68);
	nsess = le64dec(fixed + 72);
	g->first_seq = le64dec(fixed + 16);
	g->made_ms = le64dec(fixed + 24);
	memcpy(g->prev, fixed + 32, PW_LINK_LEN);
	if (le32dec(fixed + 4) != 2 || g->first_seq == 0 || r.len > g->size ||
	    r.nname > MAX_NAMES || nsess > r.len / PW_SEG_SESSION ||
	    r.len != PW_SEG_FIXED + (uint64_t)r.nname * PW_SEG_NAME +
	    (uint64_t)nwallet * PW_SEG_WALLET + nsess * PW_SEG_SESSION +
	    PW_SEG_TAIL) {
		errno = EINVAL;
		return (-1);
	}
	SHA256Init(&r.ctx);
	SHA256Update(&r.ctx, fixed, PW_SEG_FIXED);
	r.off = PW_SEG_FIXED;
	if (read_names(&r) == 0 && read_wallets(&r, nwallet) == 0 &&
	    read_sessions(&r, nsess) == 0 &&
	    read_tail(&r, g->prev, g->start, g->digest) == 0)
		rc = 0;
	free(r.names);
	g->data_off = r.len;
	return (rc);
}

int
pw_seg_open(struct pw_seg *g, int fd, const struct pw_snap_cb *cb,
    char *err, size_t errlen)
{
	uint8_t fixed[PW_SEG_FIXED];
	struct stat sb;
	ssize_t n;

	memset(g, 0, sizeof(*g));
	g->fd = fd;
	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (-1);
	}
	g->size = (uint64_t)sb.st_size;
	if ((n = pread(fd, fixed, sizeof(fixed), 0)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (-1);
	}
	if (n == 0) {
		g->first_seq = 1;	/* empty: no format yet */
		return (0);
	}
	if (n >= 4 && memcmp(fixed, PW_EV1_MAGIC, 4) == 0) {
		g->format = 1;
		g->rec = PW_EV1_SIZE;
		g->first_seq = 1;
		return (0);
	}
	if (n < (ssize_t)sizeof(fixed) || memcmp(fixed, PW_SEG_MAGIC, 4) != 0) {
		snprintf(err, errlen, "not a billing log of format 1 or 2 "
		    "(no segment header at its start)");
		return (-1);
	}
	g->format = 2;
	g->rec = PW_EV_SIZE;
	if (read_header(g, fixed, cb) == -1) {
		snprintf(err, errlen, "its segment header is damaged or torn "
		    "(%s)", strerror(errno));
		return (-1);
	}
	return (0);
}
