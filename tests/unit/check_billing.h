/*
 * What the billing test programs share.
 */
#ifndef CHECK_BILLING_H
#define CHECK_BILLING_H

#include <sys/types.h>
#include <sys/stat.h>
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pw.h"
#include "pw_billing.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_session.h"
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

static inline void
tdir_remove(struct tdir *t)
{
	(void)unlink(t->log);
	(void)unlink(t->store);
	ck_assert_int_eq(rmdir(t->dir), 0);
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

/* Records seq 1..n, encoded, into buf. */
static inline void
records(uint8_t *buf, int n)
{
	struct pw_event ev;
	int i;

	for (i = 0; i < n; i++) {
		ev_sample(&ev, (uint64_t)i + 1);
		pw_event_encode(&ev, buf + (size_t)i * PW_EV_SIZE);
	}
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
