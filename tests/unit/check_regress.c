/*
 * Regression tests for what the libFuzzer harnesses (tests/fuzz) found:
 * each one feeds the minimized input to the function that mishandled it.
 */
#include <sys/types.h>

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "check_run.h"

/*
 * fuzz_billing: two stray bytes, then one whole, valid record of format
 * 1 (seq 3, CHARGE, checksum right) at offset 2.  Damage followed by a valid record
 * must never be cut (pw_billing.h), but the search for valid records
 * after damage only looked at multiples of the record size, so the file
 * passed for a torn tail and pw_blog_open cut it to nothing.
 */
static const uint8_t unaligned_after_damage[] = {
	0x58, 0x00, 0x50, 0x57, 0x42, 0x31, 0x80, 0x00,
	0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x68, 0xe5, 0xcf, 0x8b, 0x01,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x64, 0x65, 0x76, 0x67, 0x61, 0x6d,
	0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x77, 0x31, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0x97, 0x12, 0x1e, 0x38, 0x43,
	0x1f, 0xf6,
};

/* A scratch file holding exactly len bytes of buf; its path in path. */
static void
scratch_log(char *path, size_t size, const uint8_t *buf, size_t len)
{
	const char	*tmp;
	int		 fd;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	ck_assert_int_lt(snprintf(path, size, "%s/check_regress.XXXXXX", tmp),
	    (int)size);
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* Read the file back (at most size bytes) and remove it; its length. */
static ssize_t
take_file(const char *path, uint8_t *buf, size_t size)
{
	ssize_t	 n;
	int	 fd;

	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	n = read(fd, buf, size);
	close(fd);
	unlink(path);
	return (n);
}

/* The input is what it claims to be: a valid record at offset 2. */
START_TEST(test_unaligned_input_is_valid)
{
	struct pw_event	 ev;

	ck_assert_uint_eq(sizeof(unaligned_after_damage), 2 + PW_EV1_SIZE);
	ck_assert_int_eq(pw_event_decode1(unaligned_after_damage + 2, &ev),
	    0);
	ck_assert_uint_eq(ev.seq, 3);
	ck_assert_uint_eq(ev.type, PW_EV_CHARGE);
	ck_assert_int_eq(pw_event_decode1(unaligned_after_damage, &ev), -1);
}
END_TEST

/* Read as a file of format 1 (records from offset 0). */
START_TEST(test_scan_unaligned_after_damage)
{
	struct pw_scan	 sc;
	struct pw_seg	 g;
	char		 path[1024];
	int		 fd, rc;

	scratch_log(path, sizeof(path), unaligned_after_damage,
	    sizeof(unaligned_after_damage));
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	memset(&g, 0, sizeof(g));
	g.fd = fd;
	g.format = 1;
	g.rec = PW_EV1_SIZE;
	g.first_seq = 1;
	g.size = sizeof(unaligned_after_damage);
	rc = pw_seg_scan(&g, 0, NULL, NULL, &sc);
	close(fd);
	unlink(path);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(sc.size, sizeof(unaligned_after_damage));
	ck_assert_uint_eq(sc.good, 0);
	ck_assert_uint_eq(sc.last_seq, 0);
	ck_assert_msg(sc.stop == PW_STOP_DAMAGE && sc.next == 2, "stop %d at "
	    "%llu for damage at offset 0 followed by a valid record at offset "
	    "2", sc.stop, (unsigned long long)sc.next);
}
END_TEST

START_TEST(test_open_keeps_unaligned_after_damage)
{
	struct pw_blog_open o = { 0, 0 };
	struct pw_blog	 b;
	uint8_t		 back[2 * PW_EV_SIZE];
	char		 path[1024], err[512];
	ssize_t		 n;
	int		 rc, dfd;

	scratch_log(path, sizeof(path), unaligned_after_damage,
	    sizeof(unaligned_after_damage));
	err[0] = '\0';
	dfd = open(getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ?
	    getenv("TMPDIR") : "/tmp", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(dfd, -1);
	rc = pw_blog_open(&b, dfd, path, &o, err, sizeof(err));
	if (rc == 0)
		pw_blog_close(&b);
	close(dfd);
	n = take_file(path, back, sizeof(back));
	ck_assert_msg(rc == -1, "pw_blog_open accepted a log with a valid "
	    "record after damage and left %zd of %zu bytes", n,
	    sizeof(unaligned_after_damage));
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(n, (ssize_t)sizeof(unaligned_after_damage));
	ck_assert_int_eq(memcmp(back, unaligned_after_damage, (size_t)n), 0);
}
END_TEST

static Suite *
regress_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("regress");

	tc = tcase_create("billing");
	tcase_add_test(tc, test_unaligned_input_is_valid);
	tcase_add_test(tc, test_scan_unaligned_after_damage);
	tcase_add_test(tc, test_open_keeps_unaligned_after_damage);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	/* A cut tail warns through the daemon's log: keep it out. */
	log_init(1, "/dev/null");
	return (check_run(regress_suite()));
}
