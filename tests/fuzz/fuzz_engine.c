/*
 * libFuzzer harness for the HTTP engine end to end: the input is the
 * bytes a client sends on one connection (requests, pipelined, of any
 * shape), fed to a worker's engine over a socketpair, whole and then in
 * pieces of sizes the input picks, on a fresh copy of the same store
 * each time.  The replies must make the same decisions however the bytes
 * arrive: the same statuses in the same order (100 Continue aside, which
 * is sent only while no body byte has come), each a well-formed reply
 * with a Content-Length its body matches (a reply to HEAD has none).  A crash, a hang (bounded
 * loop) or a disagreement aborts.
 *
 * The worker runs on the built-in development configuration (its game
 * key reaches the handlers) and a small store in a scratch directory.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pw.h"
#include "pw_config.h"
#include "pw_daemon.h"
#include "pw_http.h"
#include "pw_store.h"

#define FUZZ_MAX	8192
#define OUT_MAX		(256 * 1024)
#define MAX_REPLIES	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct pw_ctx ctx;
static struct event_base *base;
static struct worker *w;
static void *pristine;		/* the store as made, restored per run */
static size_t maplen;

static void
setup(void)
{
	char dir[] = "/tmp/pwfuzz.XXXXXX", path[64], err[512];

	if (mkdtemp(dir) == NULL)
		abort();
	(void)snprintf(path, sizeof(path), "%s/store", dir);
	if ((ctx.cfg = calloc(1, sizeof(*ctx.cfg))) == NULL ||
	    pw_config_parse(ctx.cfg, pw_config_embedded,
	    strlen(pw_config_embedded), "(embedded)", err, sizeof(err)) == -1)
		abort();
	ctx.cfg->workers = 1;
	if (pw_store_open(&ctx.st, path, 1024, 1, 0, err, sizeof(err)) == -1)
		abort();
	(void)unlink(path);
	(void)rmdir(dir);
	pw_store_set_cell(&ctx.st, 0);
	ctx.access_fd = -1;
	maplen = ctx.st.maplen;
	if ((pristine = malloc(maplen)) == NULL)
		abort();
	memcpy(pristine, ctx.st.hdr, maplen);
	log_init(1, NULL);
	if ((base = event_base_new()) == NULL)
		abort();
	w = http_worker_new(&ctx, base, 0);
}

static void
loop(void)
{
	int i;

	/* Bounded: the engine finishes what it can in a few turns. */
	for (i = 0; i < 8; i++)
		(void)event_base_loop(base, EVLOOP_NONBLOCK);
}

/* Read what the engine wrote so far; 1 once it closed. */
static int
drain(int fd, char *out, size_t *len)
{
	ssize_t n;

	for (;;) {
		n = read(fd, out + *len, OUT_MAX - *len);
		if (n > 0) {
			*len += (size_t)n;
			if (*len == OUT_MAX)
				abort();	/* more than any input asks */
			continue;
		}
		if (n == 0)
			return (1);
		return (errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1);
	}
}

/* One run: the input in pieces of step bytes (0: whole); its replies. */
static size_t
run(const uint8_t *data, size_t size, size_t step, char *out)
{
	struct sockaddr_in sin;
	size_t off = 0, k, len = 0, before;
	int sv[2], closed = 0, i, idle;

	memcpy(ctx.st.hdr, pristine, maplen);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	http_worker_adopt(w, sv[0], (struct sockaddr *)&sin, sizeof(sin));
	while (off < size && !closed) {
		k = step == 0 || size - off < step ? size - off : step;
		if (write(sv[1], data + off, k) != (ssize_t)k)
			break;		/* the engine closed: a refusal */
		off += k;
		loop();
		closed = drain(sv[1], out, &len);
	}
	(void)shutdown(sv[1], SHUT_WR);
	/* Until it closes, or nothing moves for a while (bounded). */
	for (i = 0, idle = 0; i < 4096 && idle < 16 && !closed; i++) {
		before = len;
		loop();
		closed = drain(sv[1], out, &len);
		idle = len == before ? idle + 1 : 0;
	}
	(void)close(sv[1]);
	loop();
	return (len);
}

/*
 * The statuses of the replies in out, 100s aside, checking that each is
 * a whole reply whose Content-Length its body matches.
 */
static int
statuses(const char *out, size_t len, int *st)
{
	const char *p = out, *end = out + len, *h, *cl;
	unsigned long blen;
	int n = 0, s;

	while (p < end && n < MAX_REPLIES) {
		if ((size_t)(end - p) < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0)
			abort();
		s = atoi(p + 9);
		if ((h = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) == NULL)
			abort();
		h += 4;
		if (s == 100) {
			p = h;
			continue;
		}
		if ((cl = memmem(p, (size_t)(h - p), "Content-Length: ",
		    16)) == NULL)
			abort();
		blen = strtoul(cl + 16, NULL, 10);
		/* A reply to HEAD has its length and no body. */
		if (h == end || ((size_t)(end - h) >= 9 &&
		    memcmp(h, "HTTP/1.1 ", 9) == 0))
			blen = 0;
		if (blen > (size_t)(end - h))
			abort();	/* a reply cut short */
		st[n++] = s;
		p = h + blen;
	}
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[OUT_MAX], b[OUT_MAX];
	int sa[MAX_REPLIES], sb[MAX_REPLIES], na, nb;
	size_t la, lb, step;

	if (size < 1 || size > FUZZ_MAX)
		return (0);
	if (w == NULL)
		setup();
	step = (size_t)(data[0] % 31) + 1;
	la = run(data + 1, size - 1, 0, a);
	lb = run(data + 1, size - 1, step, b);
	na = statuses(a, la, sa);
	nb = statuses(b, lb, sb);
	if (na != nb || memcmp(sa, sb, (size_t)na * sizeof(int)) != 0)
		abort();
	return (0);
}
