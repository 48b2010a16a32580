/*
 * Unit tests: store files.
 * are forked from the test and report through a shared anonymous mapping
 * or their exit status, never through Check (which they must not touch).
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pw.h"
#include "pw_config.h"
#include "pw_crypto.h"
#include "pw_session.h"
#include "pw_store.h"
#include "check_run.h"
#include "check_tmp.h"
#include "check_store.h"

/* ---- refused files ---- */

/* Open must fail with a message containing want. */
static void
refused(const char *path, const char *want)
{
	struct pw_store st;
	char err[512];

	err[0] = '\0';
	ck_assert_int_eq(pw_store_open(&st, path, 4096, 1, 0, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "message \"%s\" does not "
	    "say \"%s\"", err, want);
	ck_assert_msg(strstr(err, path) != NULL, "message \"%s\" does not "
	    "name the file", err);
}

static void
patch(const char *path, size_t off, const void *p, size_t len)
{
	int fd;

	fd = open(path, O_RDWR);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pwrite(fd, p, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void
resize(const char *path, off_t len)
{
	ck_assert_int_eq(truncate(path, len), 0);
}

START_TEST(test_refused)
{
	struct tstore t;
	struct stat sb;
	uint8_t *hdr;
	uint32_t v;
	off_t size;
	char err[512];
	int fd;

	ts_open(&t, 4096, 1);
	pw_store_close(&t.st);
	ck_assert_int_eq(stat(t.path, &sb), 0);
	size = sb.st_size;
	ck_assert_int_eq(size, (off_t)(PW_STORE_HDR_SIZE + 4096 * PW_SLOT_SIZE));
	hdr = malloc(PW_STORE_HDR_SIZE);
	ck_assert_ptr_nonnull(hdr);
	fd = open(t.path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pread(fd, hdr, PW_STORE_HDR_SIZE, 0),
	    (ssize_t)PW_STORE_HDR_SIZE);
	close(fd);

	v = PW_STORE_VERSION + 1;
	patch(t.path, offsetof(struct pw_store_hdr, version), &v, sizeof(v));
	refused(t.path, "version");
	/* create=1 must not have replaced the refused file. */
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_size, size);
	v = PW_STORE_VERSION;
	patch(t.path, offsetof(struct pw_store_hdr, version), &v, sizeof(v));

	patch(t.path, 0, "PWSTORF", 8);
	refused(t.path, "not a playwaved store");
	patch(t.path, 0, PW_STORE_MAGIC, 8);

	v = 0x04030201u;
	patch(t.path, offsetof(struct pw_store_hdr, byteorder), &v,
	    sizeof(v));
	refused(t.path, "byte order");
	v = PW_STORE_BYTEORDER;
	patch(t.path, offsetof(struct pw_store_hdr, byteorder), &v,
	    sizeof(v));

	resize(t.path, size - PW_SLOT_SIZE);
	refused(t.path, "truncated");
	resize(t.path, PW_STORE_HDR_SIZE);
	refused(t.path, "truncated");
	resize(t.path, size + 4096);
	refused(t.path, "extended");
	resize(t.path, 16);
	refused(t.path, "not a playwaved store");
	resize(t.path, 0);
	refused(t.path, "not a playwaved store");

	/* Put right, it opens again (the slots are zero, as made). */
	resize(t.path, size);
	patch(t.path, 0, hdr, PW_STORE_HDR_SIZE);
	free(hdr);
	if (pw_store_open(&t.st, t.path, 4096, 0, 0, err, sizeof(err)) == -1)
		ck_abort_msg("repaired store: %s", err);
	ck_assert_uint_eq(t.st.mask + 1, 4096);
	ts_close(&t);
}
END_TEST

/* A missing file without create is refused, naming the file. */
START_TEST(test_refused_missing)
{
	struct tstore t;
	struct pw_store st;
	char err[512];

	ts_open(&t, 64, 0);
	err[0] = '\0';
	ck_assert_int_eq(pw_store_open(&st, t.path, 64, 0, 0, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, t.path));
	ts_close(&t);
}
END_TEST

/* ---- reopen ---- */

static void
reopen_child(struct pw_store *st, uint32_t me)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t i;

	pw_store_set_cell(st, me + 1);
	for (i = 0; i < 500; i++) {
		key_of(key, "reopen", me, i);
		if ((s = pw_store_claim(st, key, all_types[i % NTYPES])) ==
		    NULL)
			_exit(3);
		fill_payload(s, all_types[i % NTYPES], me * 1000 + i);
		pw_store_publish(s, 1, i);
	}
	pw_count(st, PW_C_OTT_ISSUED, 500);
	_exit(0);
}

static void
reopen_verify(struct pw_store *st)
{
	struct pw_slot *s;
	uint8_t key[PW_KEY_LEN];
	uint32_t me, i;
	uint64_t w;

	for (me = 0; me < 4; me++) {
		for (i = 0; i < 500; i++) {
			key_of(key, "reopen", me, i);
			s = pw_store_find(st, key, all_types[i % NTYPES], &w);
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(PW_W_STATE(w), 1);
			ck_assert_uint_eq(PW_W_HI(w), i);
			ck_assert(payload_ok(s, all_types[i % NTYPES],
			    me * 1000 + i));
		}
	}
	ck_assert_uint_eq(pw_counter_sum(st, PW_C_OTT_ISSUED), 2000);
}

START_TEST(test_reopen)
{
	struct tstore t;
	struct pw_store ro;
	pid_t pids[4];
	char err[512];
	int i;

	ts_open(&t, 8192, 1);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ne(pids[i], -1);
		if (pids[i] == 0)
			reopen_child(&t.st, (uint32_t)i);
	}
	reap_ok(pids, 4);
	pw_store_close(&t.st);
	/* create=1 on an existing store opens it, never remakes it. */
	if (pw_store_open(&t.st, t.path, 64, 1, 0, err, sizeof(err)) == -1)
		ck_abort_msg("reopen: %s", err);
	ck_assert_uint_eq(t.st.mask + 1, 8192);
	reopen_verify(&t.st);
	if (pw_store_open(&ro, t.path, 0, 0, 1, err, sizeof(err)) == -1)
		ck_abort_msg("read-only open: %s", err);
	reopen_verify(&ro);
	pw_store_close(&ro);
	ts_close(&t);
}
END_TEST

static Suite *
store_files_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store_files");

	tc = tcase_create("files");
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_refused_missing);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (check_run(store_files_suite()));
}
