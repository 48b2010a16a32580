/*
 * The billing log as one sequence of events across its segments: the
 * closed ones beside the active file (and, for readers that ask, those
 * moved to an archive directory), then the active file.  Each segment
 * must begin with the seq after the previous one's last and continue its
 * chain: its header's link to the previous segment's last c_n, or, after
 * a file of format 1, to SHA-256 of that whole file.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_file.h"
#include "pw_segment.h"

static int
seg_cmp(const void *a, const void *b)
{
	const struct pw_segref *x = a, *y = b;

	return (x->first_seq < y->first_seq ? -1 : x->first_seq >
	    y->first_seq);
}

/* The closed segments in the directory fd into ls->seg. */
static int
list(struct pw_logset *ls, int fd, int archived)
{
	struct pw_segref *t;
	struct dirent *de;
	uint64_t seq;
	DIR *d;
	int dup_fd;

	if ((dup_fd = dup(fd)) == -1)
		return (-1);
	if ((d = fdopendir(dup_fd)) == NULL) {
		(void)close(dup_fd);
		return (-1);
	}
	/* The copy shares fd's offset: a second listing starts over. */
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if ((seq = pw_seg_name_seq(de->d_name, ls->base)) == 0)
			continue;
		if ((t = reallocarray(ls->seg, ls->nseg + 1,
		    sizeof(*t))) == NULL) {
			closedir(d);
			return (-1);
		}
		ls->seg = t;
		ls->seg[ls->nseg].first_seq = seq;
		ls->seg[ls->nseg++].archived = archived;
	}
	closedir(d);
	return (0);
}

/* One segment of each first seq: the one beside the log wins. */
static void
dedup(struct pw_logset *ls)
{
	size_t i, n;

	if (ls->nseg == 0)
		return;
	qsort(ls->seg, ls->nseg, sizeof(*ls->seg), seg_cmp);
	for (i = n = 0; i < ls->nseg; i++) {
		if (n > 0 && ls->seg[n - 1].first_seq == ls->seg[i].first_seq) {
			if (!ls->seg[i].archived)
				ls->seg[n - 1] = ls->seg[i];
			continue;
		}
		ls->seg[n++] = ls->seg[i];
	}
	ls->nseg = n;
}

/* Where the active file begins (0: it is missing or empty). */
static void
active_first(struct pw_logset *ls)
{
	struct pw_seg g;
	char e[256];
	int fd;

	ls->active_first = 0;
	if ((fd = pw_logset_fd(ls, ls->nseg)) == -1)
		return;
	if (pw_seg_open(&g, fd, NULL, e, sizeof(e)) == 0 && g.format != 0)
		ls->active_first = g.first_seq;
	close(fd);
}

/* The segments as the directories hold them now. */
static int
relist(struct pw_logset *ls)
{
	free(ls->seg);
	ls->seg = NULL;
	ls->nseg = 0;
	if (list(ls, ls->dfd, 0) == -1 ||
	    (ls->afd != -1 && list(ls, ls->afd, 1) == -1))
		return (-1);
	dedup(ls);
	active_first(ls);
	return (0);
}

int
pw_logset_open(struct pw_logset *ls, const char *billing_log,
    const char *archive, char *err, size_t errlen)
{
	memset(ls, 0, sizeof(*ls));
	ls->afd = -1;
	strlcpy(ls->base, pw_file_split(billing_log, ls->dir, sizeof(ls->dir)),
	    sizeof(ls->base));
	if ((ls->dfd = open(ls->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", ls->dir, strerror(errno));
		return (-1);
	}
	if (archive != NULL) {
		strlcpy(ls->archive, archive, sizeof(ls->archive));
		if ((ls->afd = open(archive, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			snprintf(err, errlen, "%s: %s", archive,
			    strerror(errno));
			pw_logset_close(ls);
			return (-1);
		}
	}
	if (relist(ls) == -1) {
		snprintf(err, errlen, "%s: %s", ls->dir, strerror(errno));
		pw_logset_close(ls);
		return (-1);
	}
	return (0);
}

void
pw_logset_close(struct pw_logset *ls)
{
	if (ls->dfd != -1)
		close(ls->dfd);
	if (ls->afd != -1)
		close(ls->afd);
	free(ls->seg);
	ls->seg = NULL;
	ls->nseg = 0;
	ls->dfd = ls->afd = -1;
}

int
pw_logset_fd(const struct pw_logset *ls, size_t i)
{
	char name[300];

	if (i == ls->nseg)
		return (openat(ls->dfd, ls->base, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC));
	if (pw_seg_name(name, sizeof(name), ls->base,
	    ls->seg[i].first_seq) == -1) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (openat(ls->seg[i].archived ? ls->afd : ls->dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

void
pw_logset_name(const struct pw_logset *ls, size_t i, char *out,
    size_t outlen)
{
	char name[300];

	if (i == ls->nseg) {
		snprintf(out, outlen, "%s/%s", ls->dir, ls->base);
		return;
	}
	(void)pw_seg_name(name, sizeof(name), ls->base, ls->seg[i].first_seq);
	snprintf(out, outlen, "%s/%s", ls->seg[i].archived ? ls->archive :
	    ls->dir, name);
}

size_t
pw_logset_find(const struct pw_logset *ls, uint64_t seq)
{
	size_t i;

	if (ls->nseg == 0 || (ls->active_first != 0 &&
	    seq + 1 >= ls->active_first))
		return (ls->nseg);
	/* The last closed segment beginning at or before seq + 1. */
	for (i = ls->nseg; i > 1; i--)
		if (ls->seg[i - 1].first_seq <= seq + 1)
			break;
	return (i - 1);
}

struct walk {
	struct pw_logset	*ls;
	const struct pw_read	*rd;
	struct pw_scan		*sc;
	uint64_t		 seq;		/* the last seq read */
	uint8_t			 link[PW_LINK_LEN];	/* what follows chains on */
	int			 started;
	int			 relists;	/* of the directories, so far */
	char			*where;
	size_t			 wherelen;
};

/* Switches a reader may see happen under it before a gap is damage. */
#define RELISTS		4

/* The segment does not continue what came before it: 1, the walk stops. */
static int
broken(struct walk *w, const struct pw_seg *g)
{
	w->sc->stop = PW_STOP_DAMAGE;
	w->sc->next = 0;
	if (g->first_seq != w->seq + 1)
		snprintf(w->sc->why, sizeof(w->sc->why), "this segment begins "
		    "at seq %" PRIu64 ", the one before it ends at seq %"
		    PRIu64, g->first_seq, w->seq);
	else
		snprintf(w->sc->why, sizeof(w->sc->why), "its header does not "
		    "continue the chain that ends at seq %" PRIu64, w->seq);
	return (1);
}

/* Open segment i for the walk; 1 when the walk stops at it. */
static int
enter(struct walk *w, size_t i, struct pw_seg *g, uint64_t from_seq)
{
	char e[256];
	int fd, head;

	g->fd = -1;
	pw_logset_name(w->ls, i, w->where, w->wherelen);
	if ((fd = pw_logset_fd(w->ls, i)) == -1)
		return (-1);
	if (pw_seg_open(g, fd, NULL, e, sizeof(e)) == -1) {
		w->sc->stop = PW_STOP_DAMAGE;
		snprintf(w->sc->why, sizeof(w->sc->why), "%s", e);
		return (1);
	}
	/*
	 * The active file begins past what was read: the writer closed it
	 * as a segment after the directory was listed.  List it again.
	 */
	if (w->started && i == w->ls->nseg && g->first_seq > w->seq + 1 &&
	    w->relists < RELISTS)
		return (2);
	if (w->started && (g->first_seq != w->seq + 1 || (g->format == 2 &&
	    memcmp(g->prev, w->link, PW_LINK_LEN) != 0)))
		return (broken(w, g));
	head = !w->started ? from_seq + 1 <= g->first_seq : 1;
	if (head && g->format == 2 && w->rd->snap != NULL &&
	    pw_seg_open(g, fd, w->rd->snap, e, sizeof(e)) == -1)
		return (-1);
	if (w->rd->segment != NULL && w->rd->segment(g, w->where,
	    w->rd->arg) != 0)
		return (1);
	return (0);
}

int
pw_logset_read(struct pw_logset *ls, uint64_t from_seq,
    const struct pw_read *rd, struct pw_scan *sc, char *where,
    size_t wherelen)
{
	struct walk w = { ls, rd, sc, 0, { 0 }, 0, 0, where, wherelen };
	struct pw_seg g;
	size_t i;
	int rc;

	memset(sc, 0, sizeof(*sc));
	for (i = pw_logset_find(ls, from_seq); i <= ls->nseg; i++) {
		if ((rc = enter(&w, i, &g, from_seq)) == 2) {
			close(g.fd);
			w.relists++;
			if (relist(ls) == -1)
				return (-1);
			/* Go on at the segment after the last seq read. */
			i = pw_logset_find(ls, w.seq) - 1;
			continue;
		}
		if (rc != 0) {
			if (g.fd != -1)
				close(g.fd);
			return (rc == 1 ? 0 : -1);
		}
		rc = pw_seg_scan(&g, w.started ? g.first_seq - 1 : from_seq,
		    rd->event, rd->arg, sc);
		if (!w.started)
			from_seq = sc->from_seq;
		w.started = 1;
		w.seq = sc->last_seq;
		memcpy(w.link, sc->head, PW_LINK_LEN);
		if (rc == 0 && g.format == 1 && i < ls->nseg)
			rc = pw_seg_digest(g.fd, w.link);
		close(g.fd);
		if (rc == -1)
			return (-1);
		/* A closed segment was whole and synced when it was closed. */
		if (sc->stop != PW_STOP_END && i < ls->nseg)
			sc->stop = PW_STOP_DAMAGE;
		if (sc->stop != PW_STOP_END || sc->good < sc->size)
			break;
	}
	sc->from_seq = from_seq;
	return (0);
}
