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

#endif /* CHECK_TMP_H */
