/*
 * playwavectl sessions: the game sessions in the store, filtered, oldest
 * first; and playwavectl end: an administrator's end of one of them,
 * through pw_gs_end like a game server's end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_session.h"
#include "pw_names.h"
#include "ctl.h"

struct filter {
	int		 game_set, cafe_set;
	uint32_t	 game, cafe;	/* cafe 0: not at a cafe */
	int		 state;		/* -1: any */
	long long	 limit;
};

struct row {
	struct pw_slot	 s;
	uint64_t	 w;
};

static void
parse_filter(int argc, char **argv, struct filter *f)
{
	const char *errstr;
	int i;

	memset(f, 0, sizeof(*f));
	f->state = -1;
	f->limit = 100;
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			ctl_usage_err("sessions: %s needs a value", argv[i]);
		if (strcmp(argv[i], "--game") == 0) {
			f->game_set = 1;
			f->game = pw_config_idhash(argv[++i]);
		} else if (strcmp(argv[i], "--cafe") == 0) {
			f->cafe_set = 1;
			i++;
			f->cafe = strcmp(argv[i], "-") == 0 ? 0 :
			    pw_config_idhash(argv[i]);
		} else if (strcmp(argv[i], "--state") == 0) {
			i++;
			f->state = pw_state_parse(PW_T_GS, argv[i]);
			if (f->state == -1)
				ctl_usage_err("sessions: bad state %s "
				    "(live, exhausted or ended)", argv[i]);
		} else if (strcmp(argv[i], "--limit") == 0) {
			f->limit = strtonum(argv[++i], 1, 1LL << 40, &errstr);
			if (errstr != NULL)
				ctl_usage_err("sessions: limit %s is %s",
				    argv[i], errstr);
		} else
			ctl_usage_err("sessions: unknown option %s", argv[i]);
	}
}

static int
matches(const struct filter *f, const struct pw_slot *s, uint64_t w)
{
	if (PW_W_STATUS(w) != PW_ST_LIVE || PW_W_TYPE(w) != PW_T_GS)
		return (0);
	if (f->game_set && s->u.gs.game != f->game)
		return (0);
	if (f->cafe_set && s->u.gs.cafe != f->cafe)
		return (0);
	return (f->state == -1 || (int)PW_W_STATE(w) == f->state);
}

static int
by_start(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->s.u.gs.start_ms != y->s.u.gs.start_ms)
		return (x->s.u.gs.start_ms < y->s.u.gs.start_ms ? -1 : 1);
	return (memcmp(x->s.key, y->s.key, PW_KEY_LEN));
}

static size_t
collect(struct ctl *c, const struct filter *f, struct row **out)
{
	struct row *rows = NULL, *nr;
	size_t n = 0, cap = 0;
	uint64_t i, w;
	struct pw_slot snap;

	for (i = 0; i <= c->st.mask; i++) {
		if (PW_W_TYPE(pw_slot_word(&c->st.slots[i])) != PW_T_GS ||
		    ctl_snapshot(&c->st.slots[i], &snap, &w) == -1 ||
		    !matches(f, &snap, w))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = reallocarray(rows, cap, sizeof(*rows))) ==
			    NULL)
				ctl_die("out of memory");
			rows = nr;
		}
		rows[n].s = snap;
		rows[n++].w = w;
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), by_start);
	*out = rows;
	return (n);
}

static void
print_row(struct ctl *c, const struct row *r, uint64_t now)
{
	struct pw_gs_info info;
	char id[64], game[32], cafe[32], user[21], start[32];
	const char *cf;
	uint64_t seen;
	struct jw j;

	ctl_format_id(PW_T_GS, r->s.key, id);
	ctl_game_name(c, r->s.u.gs.game, game);
	cf = ctl_cafe_name(c, r->s.u.gs.cafe, cafe);
	pw_uid_unpack(r->s.u.gs.uid, user);
	ctl_iso((uint32_t)(r->s.u.gs.start_wall_ms / 1000), start);
	pw_gs_info(&r->s, r->w, now, &info);
	seen = atomic_load(&r->s.u.gs.last_seen_ms);
	seen = now > seen ? (now - seen) / 1000 : 0;
	if (!c->json) {
		printf("%-39s %-14s %-10s %-20s %-9s %-13s %-20s %6u %6u %5u "
		    "%8lld\n", id, game, cf != NULL ? cf : "-", user,
		    ctl_state_name(PW_T_GS, PW_W_STATE(r->w)), info.reason ?
		    pw_reason_name(info.reason) : "-", start, (unsigned)seen,
		    info.duration, info.billed, (long long)info.charged);
		return;
	}
	jw_begin(&j, stdout);
	jw_str(&j, "id", id);
	jw_str(&j, "game", game);
	if (cf != NULL)
		jw_str(&j, "cafe", cf);
	else
		jw_null(&j, "cafe");
	jw_str(&j, "user", user);
	jw_str(&j, "state", ctl_state_name(PW_T_GS, PW_W_STATE(r->w)));
	if (info.reason)
		jw_str(&j, "reason", pw_reason_name(info.reason));
	else
		jw_null(&j, "reason");
	jw_str(&j, "started", start);
	jw_uint(&j, "started_at", r->s.u.gs.start_wall_ms / 1000);
	jw_uint(&j, "last_seen_age", seen);
	jw_uint(&j, "duration", info.duration);
	jw_uint(&j, "billed_minutes", info.billed);
	jw_int(&j, "charged", info.charged);
	jw_end(&j);
}

int
cmd_sessions(struct ctl *c, int argc, char **argv)
{
	struct filter f;
	struct row *rows;
	size_t n, i;
	uint64_t now;

	parse_filter(argc, argv, &f);
	ctl_open(c, 0);
	n = collect(c, &f, &rows);
	now = pw_store_now(&c->st);
	if (!c->json)
		printf("%-39s %-14s %-10s %-20s %-9s %-13s %-20s %6s %6s %5s "
		    "%8s\n", "ID", "GAME", "CAFE", "USER", "STATE", "REASON",
		    "STARTED", "SEEN", "DUR", "MIN", "CHARGED");
	for (i = 0; i < n && (long long)i < f.limit; i++)
		print_row(c, &rows[i], now);
	if ((long long)n > f.limit)
		fprintf(stderr, "playwavectl: %zu sessions match, %lld shown "
		    "(--limit)\n", n, f.limit);
	free(rows);
	return (0);
}

int
cmd_end(struct ctl *c, int argc, char **argv)
{
	struct pw_gs_info info;
	uint8_t key[PW_KEY_LEN];
	char id[64];
	unsigned type;
	struct jw j;

	if (argc != 2)
		ctl_usage_err("end takes one game session id");
	if (ctl_parse_id(argv[1], &type, key) == -1 || (type != PW_T_GS &&
	    strchr(argv[1], '_') != NULL))
		ctl_usage_err("end: %s is not a game session id (gs_<uuid>)",
		    argv[1]);
	ctl_format_id(PW_T_GS, key, id);
	ctl_open(c, 1);
	switch (pw_gs_end(&c->st, c->cfg, key, 0, PW_R_ADMIN, &info)) {
	case PW_TOUCH_OK:
		break;
	case PW_TOUCH_ALREADY:
		ctl_die("%s: already ended (%s)", id,
		    pw_reason_name(info.reason));
	default:
		ctl_die("%s: no such game session", id);
	}
	if (!c->json) {
		printf("%s ended: %s, %u s, %u billed minute%s, charged "
		    "%lld\n", id, pw_reason_name(PW_R_ADMIN), info.duration,
		    info.billed, info.billed == 1 ? "" : "s",
		    (long long)info.charged);
		return (0);
	}
	jw_begin(&j, stdout);
	jw_str(&j, "id", id);
	jw_str(&j, "result", pw_reason_name(PW_R_ENDED));
	jw_str(&j, "reason", pw_reason_name(PW_R_ADMIN));
	jw_uint(&j, "play_duration_sec", info.duration);
	jw_uint(&j, "billed_minutes", info.billed);
	jw_int(&j, "charged", info.charged);
	jw_end(&j);
	return (0);
}
