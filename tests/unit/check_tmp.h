/*
 * The temporary files every Check program uses: a private directory under
 * $TMPDIR (or /tmp) and a fresh store in it.
 */
#ifndef CHECK_TMP_H
#define CHECK_TMP_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_session.h"
#include "pw_store.h"

/* A new directory named tag.XXXXXX; its path in dir. */
static inline void
tmp_dir(char *dir, size_t n, const char *tag)
{
	const char *tmp;

	tmp = getenv("TMPDIR");
	snprintf(dir, n, "%s/%s.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp :
	    "/tmp", tag);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* A new store of nslots at path, counting into cell 0. */
static inline void
tmp_store_open(struct pw_store *st, const char *path, uint64_t nslots)
{
	char err[512];

	err[0] = '\0';
	if (pw_store_open(st, path, nslots, 1, 0, err, sizeof(err)) == -1)
		ck_abort_msg("pw_store_open %s: %s", path, err);
	pw_store_set_cell(st, 0);
}

/* A store in a private directory; both removed at once unless kept. */
struct tstore {
	char		 dir[256];
	char		 path[300];
	struct pw_store	 st;
	int		 keep;
};

static inline void
ts_open(struct tstore *t, uint64_t nslots, int keep)
{
	tmp_dir(t->dir, sizeof(t->dir), "pwstore");
	snprintf(t->path, sizeof(t->path), "%s/store", t->dir);
	tmp_store_open(&t->st, t->path, nslots);
	t->keep = keep;
	/* The mapping outlives the name, and a failed test leaves nothing. */
	if (!keep) {
		ck_assert_int_eq(unlink(t->path), 0);
		ck_assert_int_eq(rmdir(t->dir), 0);
	}
}

static inline void
ts_close(struct tstore *t)
{
	pw_store_close(&t->st);
	if (t->keep) {
		(void)unlink(t->path);
		ck_assert_int_eq(rmdir(t->dir), 0);
	}
}

/*
 * A key whose probe run starts at home: placement is keyed, so tests
 * that need keys sharing a home search for them (about nslots tries).
 */
static inline void
tmp_key_homed(const struct pw_store *st, uint8_t out[PW_KEY_LEN],
    uint64_t home, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < 64 * (st->mask + 1); i++) {
		memset(out, 0, PW_KEY_LEN);
		memcpy(out, &seed, sizeof(seed));
		memcpy(out + 8, &i, sizeof(i));
		if (pw_store_home(st, out) == home)
			return;
	}
	ck_abort_msg("no key homed at %llu", (unsigned long long)home);
}

/* A launcher session of a new id: cafe 0 is a home one (its own PC). */
static inline int
tmp_ls_start(struct pw_store *st, const char *pc, uint32_t cafe,
    uint8_t out[PW_KEY_LEN])
{
	pw_store_new_id(st, out);
	return (pw_ls_start_key(st, pc, strlen(pc), cafe, 0, out));
}

#endif /* CHECK_TMP_H */
