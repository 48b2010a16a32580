/*
 * reconbench: the time of the start-up reconciliation of the store with
 * the billing log (src/billing/reconcile.c, the master's own call), with
 * NLIVE live cafe sessions in a 2^21-slot store and a log of NEV events.
 *
 *	reconbench [-f] [-n live] [-e events] [-w window] [dir]
 *
 * The log holds a START and a CHARGE for every live session, then
 * START, CHARGE, END triples of sessions long gone until it has NEV
 * events, then WINDOW more CHARGEs of live sessions; the store reflects
 * all of it.  Timed: the reconciliation from a checkpoint WINDOW events
 * before the end (every start after a clean stop or a power cut, the
 * reaper having checkpointed within the last seconds), and with -f from
 * seq 0 (a store whose checkpoint is lost: the whole log, which needs
 * memory for every session the log names) for comparison.
 */
#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_segment.h"
#include "pw_session.h"
#include "pw_store.h"

#define NSLOTS		(1u << 21)
#define CAFE		"bench-cafe"
#define CHUNK		4096

struct bench {
	struct pw_store	 st;
	struct pw_config cfg;
	struct pw_blog	 b;
	uint8_t		 buf[CHUNK * PW_EV_SIZE];
	size_t		 nbuf;
	uint8_t		 link[PW_LINK_LEN];
	int		 dfd;
	uint64_t	 seq;
	int64_t		 balance;
	char		 dir[900];
};

static void
put(struct bench *k, unsigned type, const uint8_t id[16], uint32_t minute)
{
	struct pw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = ++k->seq;
	ev.ts_ms = pw_now_ms();
	ev.type = type;
	memcpy(ev.id, id, 16);
	strlcpy(ev.game, "benchgame", sizeof(ev.game));
	strlcpy(ev.wallet, CAFE, sizeof(ev.wallet));
	if (type == PW_EV_CREDIT) {
		ev.amount = 1LL << 50;
		k->balance += ev.amount;
	} else if (type == PW_EV_CHARGE) {
		ev.amount = 1;
		k->balance--;
	} else if (type == PW_EV_END)
		ev.amount = minute;
	ev.minute = minute;
	ev.balance = k->balance;
	pw_event_encode(&ev, k->link, k->buf + k->nbuf * PW_EV_SIZE);
	memcpy(k->link, pw_event_link(k->buf + k->nbuf * PW_EV_SIZE),
	    PW_LINK_LEN);
	if (++k->nbuf == CHUNK) {
		if (pw_blog_append(&k->b, k->buf, k->nbuf * PW_EV_SIZE) == -1)
			err(1, "append");
		k->nbuf = 0;
	}
}

static void
key_of(uint64_t i, uint8_t key[16])
{
	pw_key_derive(key, "bench", &i, sizeof(i));
}

static void
live_session(struct bench *k, uint64_t i)
{
	struct pw_slot *s;
	uint8_t key[16];

	key_of(i, key);
	if ((s = pw_store_claim(&k->st, key, PW_T_GS)) == NULL)
		errx(1, "store full");
	s->u.gs.game = k->cfg.games[0].hash;
	s->u.gs.cafe = k->cfg.cafes[0].hash;
	s->u.gs.start_ms = pw_store_now(&k->st);
	s->u.gs.start_wall_ms = pw_now_ms();
	s->u.gs.price = 1;
	atomic_store(&s->u.gs.last_seen_ms, s->u.gs.start_ms);
	atomic_store(&s->u.gs.logged, PW_LOGGED_START | 1);
	pw_store_publish(s, PW_GS_LIVE, 1);
	put(k, PW_EV_START, key, 0);
	put(k, PW_EV_CHARGE, key, 1);
}

static void
build(struct bench *k, uint64_t nlive, uint64_t nev, uint64_t window)
{
	struct pw_slot *w;
	uint8_t key[16];
	uint64_t i, word;

	put(k, PW_EV_CREDIT, (const uint8_t *)"bench-credit-id!", 0);
	for (i = 0; i < nlive; i++)
		live_session(k, i);
	for (i = nlive; k->seq + 3 <= nev; i++) {
		key_of(i, key);
		put(k, PW_EV_START, key, 0);
		put(k, PW_EV_CHARGE, key, 1);
		put(k, PW_EV_END, key, 1);
	}
	for (i = 0; i < window; i++) {
		key_of(i, key);
		put(k, PW_EV_CHARGE, key, 2);
	}
	if (k->nbuf > 0 && pw_blog_append(&k->b, k->buf, k->nbuf *
	    PW_EV_SIZE) == -1)
		err(1, "append");
	k->b.last_seq = k->seq;
	memcpy(k->b.head, k->link, PW_LINK_LEN);
	/* The store as the reaper left it: its marks are the log's. */
	for (i = 0; i < window; i++) {
		key_of(i, key);
		w = pw_store_find(&k->st, key, PW_T_GS, &word);
		atomic_store(&w->u.gs.logged, PW_LOGGED_START | 2);
		(void)pw_slot_cas(w, &word, PW_W_WITH(word, PW_GS_LIVE, 0, 2));
	}
	pw_wallet_key(key, CAFE);
	if (pw_store_claim_unique(&k->st, key, PW_T_WALLET, &w) == PW_INS_NEW) {
		strlcpy(w->u.w.name, CAFE, sizeof(w->u.w.name));
		pw_store_publish(w, 0, 0);
	}
	(void)pw_wallet_set_logged(w, k->balance);
	/* As after a restart: the store's pages on disk, none dirty. */
	if (pw_store_checkpoint(&k->st, k->seq) == -1 || fsync(k->b.fd) == -1)
		err(1, "sync");
}

static double
timed(struct bench *k, uint64_t from)
{
	struct timespec a, b;

	atomic_store(&k->st.hdr->ckpt_seq, from);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (pw_recover(&k->st, &k->cfg, &k->b, 1) == -1)
		errx(1, "reconciliation failed");
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6);
}

/* A log of format 2 with its first segment's header, open to append. */
static void
begin_log(struct bench *k, const char *path)
{
	struct pw_blog_open o = { 0, 0 };
	uint8_t prev[PW_LINK_LEN];
	char msg[1200];
	uint64_t len;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) == -1)
		err(1, "%s", path);
	pw_link_genesis(prev);
	if (pw_seg_write(fd, 1, prev, NULL, k->link, &len) == -1)
		err(1, "%s", path);
	close(fd);
	if ((k->dfd = open(k->dir, O_RDONLY | O_DIRECTORY)) == -1)
		err(1, "%s", k->dir);
	if (pw_blog_open(&k->b, k->dfd, path, &o, msg, sizeof(msg)) == -1)
		errx(1, "%s", msg);
}

static void
setup(struct bench *k)
{
	char path[1000], msg[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/reconbench.conf", k->dir);
	if ((f = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	fprintf(f, "billing-log \"%s/reconbench.log\"\n"
	    "launcher-secret reconbench-launcher-secret\n"
	    "launch-secret reconbench-launch-secret\n"
	    "game benchgame {\n"
	    "    api-key \"reconbench-api-key-0123456789\"\n"
	    "    hmac-secret reconbench-hmac-secret\n    price 1\n}\n"
	    "cafe " CAFE " {\n    network 10.0.0.0/8\n}\n", k->dir);
	if (fclose(f) == EOF || pw_config_load(&k->cfg, path, msg,
	    sizeof(msg)) == -1)
		errx(1, "config: %s", msg);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/reconbench.store", k->dir);
	(void)unlink(path);
	if (pw_store_open(&k->st, path, NSLOTS, 1, 0, msg, sizeof(msg)) == -1)
		errx(1, "%s", msg);
	snprintf(path, sizeof(path), "%s/reconbench.log", k->dir);
	(void)unlink(path);
	begin_log(k, path);
}

static void
cleanup(struct bench *k)
{
	char path[1000];

	pw_store_close(&k->st);
	pw_blog_close(&k->b);
	close(k->dfd);
	snprintf(path, sizeof(path), "%s/reconbench.store", k->dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/reconbench.log", k->dir);
	(void)unlink(path);
}

int
main(int argc, char **argv)
{
	struct bench *k;
	uint64_t nlive = 1000000, nev = 10000000, window = 100000, top;
	double part, full = 0;
	int ch, dofull = 0;

	while ((ch = getopt(argc, argv, "e:fn:w:")) != -1) {
		switch (ch) {
		case 'f':
			dofull = 1;
			break;
		case 'e':
			nev = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			nlive = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			window = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: reconbench [-n live] [-e events]"
			    " [-w window] [dir]\n");
			return (2);
		}
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		err(1, NULL);
	strlcpy(k->dir, optind < argc ? argv[optind] : "/tmp", sizeof(k->dir));
	if (nlive == 0 || nlive > NSLOTS / 2 || nev < 2 * nlive + 1 ||
	    window > nlive)
		errx(1, "need 0 < window <= live <= %u, events > 2 x live",
		    NSLOTS / 2);
	log_init(1, NULL);
	setup(k);
	build(k, nlive, nev, window);
	top = k->seq;
	part = timed(k, top - window);
	printf("reconcile: %llu live sessions, %llu-event log: from a "
	    "checkpoint %llu events back %.1f ms\n", (unsigned long long)nlive,
	    (unsigned long long)top, (unsigned long long)window, part);
	if (dofull) {
		full = timed(k, 0);
		printf("reconcile: the whole log (no checkpoint) %.1f ms\n",
		    full);
	}
	cleanup(k);
	free(k);
	return (0);
}
