/*
 * The game server API: verify, heartbeat, end and teleport
 * check.  Business outcomes are HTTP 200; the store does the work
 * (gsession.c), this file only translates.
 *
 * play_duration_sec grows in width as a session ages; it is followed by
 * white space that keeps every reply of an endpoint the same length, which
 * ab(1) counts a reply of another length as failed.  JSON allows it.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "http.h"
#include "pw_names.h"
#include "pw_session.h"

static const char *const verify_reasons[] = {
	[PW_V_NOT_FOUND] = "OTT_NOT_FOUND",
	[PW_V_GAME_MISMATCH] = "GAME_MISMATCH",
	[PW_V_USED] = "OTT_ALREADY_USED",
	[PW_V_EXPIRED] = "OTT_EXPIRED",
	[PW_V_NOT_CHARGEABLE] = "NOT_CHARGEABLE",
};

#define TF(b)	((b) ? "true" : "false")

/* "N" left-aligned in 10 columns: constant length for ab. */
static const char *
padded(uint32_t n, char buf[16])
{
	snprintf(buf, 16, "%-10u", n);
	return (buf);
}

static void
gs_id(const uint8_t key[PW_KEY_LEN], char out[48])
{
	(void)pw_id_format(PW_T_GS, key, out, 48);
}

void
h_verify(struct pw_req *r)
{
	uint8_t ott[PW_KEY_LEN], uid[PW_UID_LEN], gs[PW_KEY_LEN];
	char id[48];
	enum pw_verify v;
	int cafe = 0;

	if (req_uuid(r, "ott", PW_T_OTT, ott) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	v = pw_gs_verify(r->w->st, r->w->cfg, ott, r->game, uid, gs, &cafe);
	if (v == PW_V_FULL) {
		reply_error(r, 503, "STORE_FULL", "session store is full");
		return;
	}
	if (v != PW_V_OK) {
		reply_data(r, "\"is_valid\":false,\"reason\":\"%s\"",
		    verify_reasons[v]);
		return;
	}
	gs_id(gs, id);
	reply_data(r, "\"is_valid\":true,\"game_session_id\":\"%s\","
	    "\"is_pc_cafe\":%s", id, TF(cafe));
}

/* 404, 403 and 410 as the API defines them (playwaved(8), HTTP API). */
static int
touch_error(struct pw_req *r, enum pw_touch t, const struct pw_gs_info *i)
{
	switch (t) {
	case PW_TOUCH_NOT_FOUND:
		reply_error(r, 404, "SESSION_NOT_FOUND", "no such game "
		    "session");
		return (1);
	case PW_TOUCH_MISMATCH:
		reply_error(r, 403, "SESSION_MISMATCH", "session of another "
		    "game or user");
		return (1);
	case PW_TOUCH_ENDED:
		reply_error(r, 410, "SESSION_ENDED", "session ended: %s",
		    pw_reason_name(i->reason));
		return (1);
	case PW_TOUCH_ALREADY:
		reply_error(r, 409, "ALREADY_ENDED", "session already ended: "
		    "%s", pw_reason_name(i->reason));
		return (1);
	default:
		return (0);
	}
}

void
h_heartbeat(struct pw_req *r)
{
	static const char *const res[] = {
		[PW_TOUCH_OK] = "OK",
		[PW_TOUCH_EXHAUSTED] = "CHARGE_EXHAUSTED",
		[PW_TOUCH_REPLACED] = "SESSION_REPLACED",
	};
	uint8_t gs[PW_KEY_LEN], uid[PW_UID_LEN];
	struct pw_gs_info info;
	enum pw_touch t;
	char pad[16];

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	t = pw_gs_touch(r->w->st, gs, r->game->hash, uid, &info);
	if (touch_error(r, t, &info))
		return;
	reply_data(r, "\"result\":\"%s\",\"next_heartbeat_in\":%lld,"
	    "\"play_duration_sec\":%s", res[t],
	    (long long)r->w->cfg->heartbeat_interval,
	    padded(info.duration, pad));
}

void
h_check(struct pw_req *r)
{
	uint8_t gs[PW_KEY_LEN], uid[PW_UID_LEN];
	struct pw_gs_info info;
	enum pw_touch t;
	char id[48], pad[16];

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	t = pw_gs_touch(r->w->st, gs, r->game->hash, uid, &info);
	if (t == PW_TOUCH_REPLACED)
		t = PW_TOUCH_ENDED;		/* a replaced session does not resume */
	if (touch_error(r, t, &info))
		return;
	gs_id(gs, id);
	reply_data(r, "\"is_valid\":true,\"game_session_id\":\"%s\","
	    "\"is_pc_cafe\":%s,\"play_duration_sec\":%s", id,
	    TF(info.is_cafe), padded(info.duration, pad));
}

/* The client's own measure: absent, null, or a non-negative integer. */
static int
client_duration(struct pw_req *r, char out[24])
{
	int64_t v;
	int tok;

	strlcpy(out, "null", 24);
	if ((tok = pw_json_get(&r->js, "play_duration_sec")) == -1 ||
	    pw_json_type(&r->js, tok) == PW_JSON_NULL)
		return (0);
	if (pw_json_type(&r->js, tok) != PW_JSON_NUMBER ||
	    pw_json_int64(&r->js, tok, &v) == -1 || v < 0 ||
	    v > 100000000) {
		reply_error(r, 400, "BAD_REQUEST", "field 'play_duration_sec' "
		    "must be a non-negative integer");
		return (-1);
	}
	snprintf(out, 24, "%lld", (long long)v);
	return (0);
}

void
h_end(struct pw_req *r)
{
	uint8_t gs[PW_KEY_LEN];
	struct pw_gs_info info;
	enum pw_touch t;
	char client[24];

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    client_duration(r, client) == -1)
		return;
	memset(&info, 0, sizeof(info));
	t = pw_gs_end(r->w->st, r->w->cfg, gs, r->game->hash, PW_R_ENDED,
	    &info);
	if (touch_error(r, t, &info))
		return;
	reply_data(r, "\"result\":\"SUCCESS\",\"play_duration_sec\":%u,"
	    "\"client_play_duration_sec\":%s,\"billed_minutes\":%u,"
	    "\"charged\":%lld", info.duration, client, info.billed,
	    (long long)info.charged);
}
