/*
 * playwavectl show ID: every field of one record, as "name value" lines
 * or one JSON object.  The record is found by its key and type exactly
 * as a worker finds it.
 */
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_session.h"
#include "ctl.h"

/* One output, two shapes: JSON members or aligned "name  value" lines. */
struct fields {
	struct ctl	*c;
	struct jw	 j;
};

static void
f_str(struct fields *f, const char *k, const char *v)
{
	if (f->c->json) {
		if (v != NULL)
			jw_str(&f->j, k, v);
		else
			jw_null(&f->j, k);
	} else
		printf("%-16s %s\n", k, v != NULL ? v : "-");
}

static void
f_int(struct fields *f, const char *k, int64_t v)
{
	if (f->c->json)
		jw_int(&f->j, k, v);
	else
		printf("%-16s %lld\n", k, (long long)v);
}

static void
f_bool(struct fields *f, const char *k, int v)
{
	if (f->c->json)
		jw_bool(&f->j, k, v);
	else
		printf("%-16s %s\n", k, v ? "yes" : "no");
}

/* A unix time: the number in JSON, ISO-8601 for people. */
static void
f_time(struct fields *f, const char *k, uint32_t t)
{
	char iso[32];

	if (f->c->json) {
		jw_uint(&f->j, k, t);
		return;
	}
	ctl_iso(t, iso);
	printf("%-16s %s\n", k, iso);
}

/* A store-clock instant, shown as the wall-clock time it stands for. */
static void
f_stime(struct fields *f, const char *k, uint64_t store_ms)
{
	f_time(f, k, store_ms == 0 ? 0 :
	    (uint32_t)(pw_store_wall(&f->c->st, store_ms) / 1000));
}

static void
f_key(struct fields *f, const char *k, const uint8_t key[PW_KEY_LEN])
{
	static const uint8_t zero[PW_KEY_LEN];
	char hex[2 * PW_KEY_LEN + 1];

	if (memcmp(key, zero, PW_KEY_LEN) == 0) {
		f_str(f, k, NULL);
		return;
	}
	pw_hex_encode(key, PW_KEY_LEN, hex);
	f_str(f, k, hex);
}

static void
show_common(struct fields *f, const struct pw_slot *s, uint64_t w,
    unsigned type, const char *id)
{
	f_str(f, "id", id);
	f_str(f, "state", ctl_state_name(type, PW_W_STATE(w)));
	f_int(f, "slot", (int64_t)pw_store_index(&f->c->st, s));
	f_int(f, "generation", PW_W_GEN(w));
}

static void
show_gs(struct fields *f, const struct pw_slot *s, uint64_t w)
{
	struct pw_gs_info info;
	char game[32], cafe[32], user[21];
	uint32_t logged;

	ctl_game_name(f->c, s->u.gs.game, game);
	pw_uid_unpack(s->u.gs.uid, user);
	pw_gs_info(s, w, pw_store_now(&f->c->st), &info);
	logged = atomic_load(&((struct pw_slot *)s)->u.gs.logged);
	f_str(f, "game", game);
	f_str(f, "cafe", ctl_cafe_name(f->c, s->u.gs.cafe, cafe));
	f_str(f, "user", user);
	f_str(f, "reason", info.reason ? pw_reason_name(info.reason) : NULL);
	f_time(f, "started", (uint32_t)(s->u.gs.start_wall_ms / 1000));
	f_stime(f, "last_seen", atomic_load(&((struct pw_slot *)s)->
	    u.gs.last_seen_ms));
	f_stime(f, "ended_at", pw_gs_end_ms(s));
	f_int(f, "duration", info.duration);
	f_int(f, "price", s->u.gs.price);
	f_int(f, "billed_minutes", info.billed);
	f_int(f, "charged", info.charged);
	f_bool(f, "logged_start", (logged & PW_LOGGED_START) != 0);
	f_int(f, "logged_charges", PW_LOGGED_CHARGES(logged));
	f_bool(f, "logged_end", (logged & PW_LOGGED_END) != 0);
}

static void
show_ls(struct fields *f, const struct pw_slot *s, uint64_t w)
{
	char cafe[32];

	f_str(f, "cafe", ctl_cafe_name(f->c, s->u.ls.cafe, cafe));
	f_key(f, "pc_key", s->u.ls.pc);
	f_str(f, "reason", PW_W_REASON(w) ? pw_reason_name(PW_W_REASON(w)) :
	    NULL);
	f_stime(f, "created", s->u.ls.created_ms);
	f_stime(f, "last_seen", atomic_load(&((struct pw_slot *)s)->
	    u.ls.last_seen_ms));
	f_stime(f, "ended_at", atomic_load(&((struct pw_slot *)s)->
	    u.ls.ended_ms));
	f_bool(f, "home_key", (s->u.ls.flags & PW_LS_HOME_KEY) != 0);
}

static void
show_ott(struct fields *f, const struct pw_slot *s, uint64_t w)
{
	char game[32], cafe[32];
	uint64_t exp;
	int expired;

	ctl_game_name(f->c, s->u.ott.game, game);
	/* The reaper marks expiry in the word; a config tells sooner. */
	expired = PW_W_OTT_EXPIRED(w);
	if (f->c->cfg != NULL) {
		exp = s->u.ott.issued_ms + (uint64_t)f->c->cfg->ott_ttl * 1000;
		expired = expired || exp <= pw_store_now(&f->c->st);
		f_stime(f, "expires_at", exp + 999);
	}
	f_str(f, "game", game);
	f_str(f, "cafe", ctl_cafe_name(f->c, s->u.ott.cafe, cafe));
	f_stime(f, "issued", s->u.ott.issued_ms);
	f_int(f, "issued_ms", (int64_t)pw_store_wall(&f->c->st,
	    s->u.ott.issued_ms));
	f_key(f, "pc_key", s->u.ott.pc);
	f_bool(f, "expired", PW_W_STATE(w) == PW_OTT_ISSUED && expired);
}

static void
show_pt(struct fields *f, const struct pw_slot *s)
{
	char game[32], sub[PW_WALLET_NAME + 1];

	ctl_game_name(f->c, s->u.pt.game, game);
	memcpy(sub, s->u.pt.sub, PW_WALLET_NAME);
	sub[PW_WALLET_NAME] = '\0';
	f_str(f, "game", game);
	f_str(f, "sub", sub);
	f_stime(f, "created", s->u.pt.created_ms);
	f_time(f, "expires_at", (uint32_t)s->u.pt.exp);
	f_stime(f, "last_seen", atomic_load(&((struct pw_slot *)s)->
	    u.pt.last_seen_ms));
}

static void
show_credit(struct fields *f, const struct pw_slot *s, uint64_t w)
{
	char name[PW_WALLET_NAME + 1];

	memcpy(name, s->u.cr.name, PW_WALLET_NAME);
	name[PW_WALLET_NAME] = '\0';
	f_str(f, "wallet", name);
	/* One record for both: the sign of its amount is the direction. */
	f_str(f, "kind", pw_credit_is_debit(s) ? "debit" : "credit");
	f_int(f, "amount", pw_credit_is_debit(s) ? -s->u.cr.amount :
	    s->u.cr.amount);
	if (PW_W_STATE(w) == PW_CREDIT_APPLIED)
		f_int(f, "balance", atomic_load(&((struct pw_slot *)s)->
		    u.cr.balance));
}

int
cmd_show(struct ctl *c, int argc, char **argv)
{
	struct fields f;
	struct pw_slot *s, snap;
	uint8_t key[PW_KEY_LEN];
	char id[64];
	unsigned type;
	uint64_t w;

	if (argc != 2)
		ctl_usage_err("show takes one id");
	if (ctl_parse_id(argv[1], &type, key) == -1)
		ctl_usage_err("show: %s is not an id (gs_, ls_, pt_, cr_ or "
		    "playwave_<uuid>)", argv[1]);
	ctl_open(c, 0);
	ctl_format_id(type, key, id);
	if ((s = pw_store_find(&c->st, key, type, &w)) == NULL ||
	    ctl_snapshot(s, &snap, &w) == -1 || PW_W_STATUS(w) != PW_ST_LIVE)
		ctl_die("%s: not found", id);
	memset(&f, 0, sizeof(f));
	f.c = c;
	if (c->json)
		jw_begin(&f.j, stdout);
	show_common(&f, s, w, type, id);
	switch (type) {
	case PW_T_GS:
		show_gs(&f, &snap, w);
		break;
	case PW_T_LS:
		show_ls(&f, &snap, w);
		break;
	case PW_T_OTT:
		show_ott(&f, &snap, w);
		break;
	case PW_T_PT:
		show_pt(&f, &snap);
		break;
	case PW_T_CREDIT:
		show_credit(&f, &snap, w);
		break;
	}
	if (c->json)
		jw_end(&f.j);
	return (0);
}
