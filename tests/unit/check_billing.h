/*
 * What the billing test programs share.
 */
#ifndef CHECK_BILLING_H
#define CHECK_BILLING_H

#include <sys/types.h>
#include <sys/stat.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pw.h"
#include "pw_billing.h"
#include "pw_config.h"
#include "pw_segment.h"
#include "pw_daemon.h"
#include "pw_session.h"
#include "pw_file.h"
#include "pw_store.h"
#include "check_tmp.h"
#include "check_conf.h"

#define NBASE	5	/* whole records before a damaged tail */

static const char billing_conf[] =
    CONF_SECRETS CONF_GAME("alpha", 10) CONF_GAME("beta", 10)
    CONF_CAFE("cafe-a", "10.1.0.0/16");

/* A private directory with a log (and maybe a store) in it. */
struct tdir {
	char	 dir[256];
	char	 log[300];
	char	 store[300];
};

static inline void
tdir_make(struct tdir *t)
{
	tmp_dir(t->dir, sizeof(t->dir), "pwbill");
	snprintf(t->log, sizeof(t->log), "%s/billing.log", t->dir);
	snprintf(t->store, sizeof(t->store), "%s/store", t->dir);
}

/* The directory and all in it (torn tails kept, closed segments). */
static inline void
tdir_remove(struct tdir *t)
{
	char path[600];
	struct dirent *de;
	DIR *d;

	d = opendir(t->dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		ck_assert_int_eq(unlink(path), 0);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(t->dir), 0);
}

/* How many files in the directory begin with prefix. */
static inline int
tdir_count(const struct tdir *t, const char *prefix)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(t->dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return (n);
}

/* A plausible event of every field, different for every seq. */
static inline void
ev_sample(struct pw_event *ev, uint64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->ts_ms = 1700000000000ull + seq * 1000;
	ev->type = PW_EV_START + (unsigned)(seq % 4);
	ev->reason = ev->type == PW_EV_END ? PW_R_EXPIRED : PW_R_NONE;
	ev->minute = (uint32_t)seq * 3;
	ev->amount = (int64_t)seq * 10;
	ev->balance = 100000 - (int64_t)seq * 10;
	memset(ev->id, (int)(seq & 0xff), sizeof(ev->id));
	snprintf(ev->game, sizeof(ev->game), "game-%llu",
	    (unsigned long long)seq);
	snprintf(ev->wallet, sizeof(ev->wallet), "wallet-%llu",
	    (unsigned long long)seq);
	ev->duration = (uint32_t)seq * 60;
}

static inline void
ev_equal(const struct pw_event *a, const struct pw_event *b)
{
	ck_assert_uint_eq(a->seq, b->seq);
	ck_assert_uint_eq(a->ts_ms, b->ts_ms);
	ck_assert_uint_eq(a->type, b->type);
	ck_assert_uint_eq(a->reason, b->reason);
	ck_assert_uint_eq(a->minute, b->minute);
	ck_assert_int_eq(a->amount, b->amount);
	ck_assert_int_eq(a->balance, b->balance);
	ck_assert_int_eq(memcmp(a->id, b->id, sizeof(a->id)), 0);
	ck_assert_str_eq(a->game, b->game);
	ck_assert_str_eq(a->wallet, b->wallet);
	ck_assert_uint_eq(a->duration, b->duration);
}

/*
 * A log of format 2: a segment's header (first seq 1, the link of a log
 * with no history, an empty snapshot), HDR bytes, then records.
 */
#define HDR	(PW_SEG_FIXED + PW_SEG_TAIL)

/* The header into buf (HDR bytes); its link into h. */
static inline void
seg_header(uint8_t *buf, uint8_t h[PW_LINK_LEN])
{
	uint8_t prev[PW_LINK_LEN];
	uint64_t len;
	FILE *f;

	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	pw_link_genesis(prev);
	ck_assert_int_eq(pw_seg_write(fileno(f), 1, prev, NULL, h, &len), 0);
	ck_assert_uint_eq(len, HDR);
	ck_assert_int_eq(pread(fileno(f), buf, HDR, 0), HDR);
	fclose(f);
}

/* Encode ev after the record (or header link) prev, chained. */
static inline void
chain(const struct pw_event *ev, uint8_t prev[PW_LINK_LEN], uint8_t *out)
{
	pw_event_encode(ev, prev, out);
	memcpy(prev, pw_event_link(out), PW_LINK_LEN);
}

/* A header and records seq 1..n, chained, into buf (HDR + n records). */
static inline void
records(uint8_t *buf, int n)
{
	uint8_t link[PW_LINK_LEN];
	struct pw_event ev;
	int i;

	seg_header(buf, link);
	for (i = 0; i < n; i++) {
		ev_sample(&ev, (uint64_t)i + 1);
		chain(&ev, link, buf + HDR + (size_t)i * PW_EV_SIZE);
	}
}

/* Open the active file path for appending, as the daemon does. */
static inline int
blog_open_at(struct pw_blog *b, const char *path, uint64_t from,
    uint64_t durable, char *err, size_t errlen)
{
	struct pw_blog_open o = { from, durable };
	char dir[600];
	int dfd, rc;

	(void)pw_file_split(path, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(dfd, -1);
	if ((rc = pw_blog_open(b, dfd, path, &o, err, errlen)) == -1)
		close(dfd);
	return (rc);
}

static inline int
blog_open(struct pw_blog *b, const char *path, char *err, size_t errlen)
{
	return (blog_open_at(b, path, 0, 0, err, errlen));
}

static inline void
blog_close(struct pw_blog *b)
{
	pw_blog_close(b);
	close(b->dfd);
}

static inline void
write_file(const char *path, const void *buf, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static inline off_t
file_size(const char *path)
{
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	return (sb.st_size);
}

/* A log of format 2 holding exactly the events evs[0..n), chained. */
static inline void
write_events(const char *path, struct pw_event *evs, int n)
{
	uint8_t *buf, link[PW_LINK_LEN];
	int i;

	buf = malloc(HDR + (size_t)n * PW_EV_SIZE);
	ck_assert_ptr_nonnull(buf);
	seg_header(buf, link);
	for (i = 0; i < n; i++)
		chain(&evs[i], link, buf + HDR + (size_t)i * PW_EV_SIZE);
	write_file(path, buf, HDR + (size_t)n * PW_EV_SIZE);
	free(buf);
}

/* Events in a one-segment log of format 2. */
static inline uint64_t
log_count(const char *path)
{
	uint8_t fixed[16];
	uint64_t len;
	int fd;

	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(pread(fd, fixed, sizeof(fixed), 0), sizeof(fixed));
	close(fd);
	memcpy(&len, fixed + 8, sizeof(len));	/* little-endian hosts */
	return (((uint64_t)file_size(path) - len) / PW_EV_SIZE);
}

/* The file must hold exactly len bytes equal to buf. */
static inline void
file_is(const char *path, const uint8_t *buf, size_t len)
{
	uint8_t *got;
	int fd;

	ck_assert_int_eq(file_size(path), (off_t)len);
	got = malloc(len + 1);
	ck_assert_ptr_nonnull(got);
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(read(fd, got, len + 1), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(memcmp(got, buf, len), 0);
	free(got);
}

/* The torn-tail warnings would flood the test output: silence them. */
static inline int
quiet(void)
{
	int saved, null;

	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY);
	ck_assert_int_ne(null, -1);
	ck_assert_int_ne(dup2(null, STDERR_FILENO), -1);
	close(null);
	return (saved);
}

static inline void
loud(int saved)
{
	ck_assert_int_ne(dup2(saved, STDERR_FILENO), -1);
	close(saved);
}

#endif /* CHECK_BILLING_H */
