/*
 * Opening files the way root must in a directory others can write
 * (file.c): links refused, FIFOs refused without hanging, hard links
 * refused there, nothing truncated, and the directory walk.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_file.h"
#include "check_run.h"

static char dir[PATH_MAX], victim[PATH_MAX + 16], err[1200];

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *
in(const char *name)
{
	static char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return (p);
}

static void
setup(void)
{
	strlcpy(dir, "/tmp/check_file.XXXXXX", sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s.victim", dir);
	put(victim, "victim bytes\n");
	/* Writable by others: nothing in it is trusted. */
	ck_assert_int_eq(chmod(dir, 0777), 0);
}

static void
teardown(void)
{
	char cmd[PATH_MAX * 2 + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, victim);
	/* _FORTIFY_SOURCE builds (the package) want the result looked at. */
	if (system(cmd) != 0)
		fprintf(stderr, "check_file: could not remove %s\n", dir);
}

static void
victim_intact(void)
{
	char buf[64];
	FILE *f = fopen(victim, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "victim bytes\n");
}

START_TEST(test_link_refused)
{
	char target[PATH_MAX + 32];

	ck_assert_int_eq(symlink(victim, in("billing.log")), 0);
	ck_assert_int_eq(pw_file_open(in("billing.log"), O_RDWR | O_APPEND |
	    O_CREAT | O_TRUNC, 0640, PW_OWNER_KEEP, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	victim_intact();
	/* A dangling one is not created through either. */
	strlcpy(target, in("nothing"), sizeof(target));
	ck_assert_int_eq(symlink(target, in("access.log")), 0);
	ck_assert_int_eq(pw_file_open(in("access.log"), O_WRONLY | O_CREAT,
	    0640, PW_OWNER_KEEP, err, sizeof(err)), -1);
	ck_assert_int_eq(access(in("nothing"), F_OK), -1);
}
END_TEST

START_TEST(test_hard_link_and_fifo_refused)
{
	ck_assert_int_eq(link(victim, in("store")), 0);
	ck_assert_int_eq(pw_file_open(in("store"), O_RDWR, 0, PW_OWNER_KEEP,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "hard link"));
	ck_assert_int_eq(mkfifo(in("fifo"), 0600), 0);
	ck_assert_int_eq(pw_file_open(in("fifo"), O_WRONLY | O_APPEND, 0,
	    PW_OWNER_KEEP, err, sizeof(err)), -1);
	victim_intact();
}
END_TEST

START_TEST(test_regular_file_opened_untruncated)
{
	char buf[16];
	int fd;

	put(in("billing.log"), "kept");
	fd = pw_file_open(in("billing.log"), O_RDWR | O_TRUNC, 0, PW_OWNER_KEEP,
	    err, sizeof(err));
	ck_assert_msg(fd != -1, "%s", err);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	fd = pw_file_open(in("new.log"), O_WRONLY | O_CREAT, 0640,
	    PW_OWNER_KEEP, err, sizeof(err));
	ck_assert_msg(fd != -1, "%s", err);
	close(fd);
}
END_TEST

START_TEST(test_dir_walk)
{
	char p[PATH_MAX + 64];
	int fd;

	/* A link to a directory, planted where others write: refused. */
	ck_assert_int_eq(symlink("/etc", in("state")), 0);
	snprintf(p, sizeof(p), "%s/state/x.log", dir);
	ck_assert_int_eq(pw_file_open(p, O_WRONLY | O_CREAT, 0640,
	    PW_OWNER_KEEP, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	snprintf(p, sizeof(p), "%s/sub/../x", dir);
	fd = pw_dir_open(in("sub"), PW_DIR_MAKE, PW_OWNER_KEEP, err,
	    sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);
	/* ".." out of a directory others can write (and so move): refused. */
	ck_assert_int_eq(chmod(in("sub"), 0777), 0);
	ck_assert_int_eq(pw_file_open(p, O_WRONLY | O_CREAT, 0640,
	    PW_OWNER_KEEP, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ".."));
	/* Strict: a directory others can write is refused outright. */
	ck_assert_int_eq(pw_dir_open(dir, PW_DIR_STRICT, PW_OWNER_KEEP, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	fd = pw_dir_open(dir, 0, PW_OWNER_KEEP, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(pw_dir_trusted(fd), 1);
	close(fd);
}
END_TEST

static Suite *
file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_link_refused);
	tcase_add_test(tc, test_hard_link_and_fifo_refused);
	tcase_add_test(tc, test_regular_file_opened_untruncated);
	tcase_add_test(tc, test_dir_walk);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(file_suite()));
}
