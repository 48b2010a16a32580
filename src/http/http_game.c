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

static const char *
tf(int b)
{
	return (b ? "true" : "false");
}

/* "gs_<uuid>", quoted. */
static void
gs_id(struct pw_buf *b, const uint8_t key[PW_KEY_LEN])
{
	char id[48];

	(void)pw_id_format(PW_T_GS, key, id, sizeof(id));
	pw_buf_str(b, "\"");
	pw_buf_str(b, id);
	pw_buf_str(b, "\"");
}

void
h_verify(struct pw_req *r)
{
	uint8_t ott[PW_KEY_LEN], uid[PW_UID_LEN], gs[PW_KEY_LEN];
	uint8_t tag[PW_KEY_LEN];
	struct pw_verify_req q;
	struct pw_buf *b;
	enum pw_verify v;
	int cafe = 0;

	if (req_uuid(r, "ott", PW_T_OTT, ott) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	/* Only the client's own request id makes a retry of one verify. */
	q.rid = NULL;
	if (r->rid_client) {
		pw_verify_rid_tag(r->w->st, r->rid, tag);
		q.rid = tag;
	}
	q.uid = uid;
	v = pw_gs_verify(r->w->st, r->w->cfg, ott, r->game, &q, gs, &cafe);
	switch (v) {
	case PW_V_FULL:
		reply_error(r, PW_E_STORE_FULL, NULL);
		return;
	case PW_V_ID_REUSED:
		reply_error(r, PW_E_REQUEST_ID_REUSED, "X-Request-ID of a verify "
		    "of this OTT for another provider_user_id");
		return;
	case PW_V_IN_PROGRESS:
		http_retry_after(r, 1);
		reply_error(r, PW_E_VERIFY_IN_PROGRESS, NULL);
		return;
	default:
		break;
	}
	b = reply_begin(r);
	if (v != PW_V_OK) {
		pw_buf_str(b, "\"is_valid\":false,\"reason\":\"");
		pw_buf_str(b, verify_reasons[v]);
		pw_buf_str(b, "\"");
	} else {
		pw_buf_str(b, "\"is_valid\":true,\"game_session_id\":");
		gs_id(b, gs);
		pw_buf_str(b, ",\"is_pc_cafe\":");
		pw_buf_str(b, tf(cafe));
		pw_buf_str(b, ",\"session_timeout\":");
		pw_buf_u64(b, (uint64_t)r->w->cfg->session_timeout);
	}
	reply_end(r);
}

/* 404, 403, 410 and 409 as the API defines them. */
static int
touch_error(struct pw_req *r, enum pw_touch t, const struct pw_gs_info *i)
{
	switch (t) {
	case PW_TOUCH_NOT_FOUND:
		reply_error(r, PW_E_SESSION_NOT_FOUND, "no such game session");
		return (1);
	case PW_TOUCH_MISMATCH:
		reply_error(r, PW_E_SESSION_MISMATCH, NULL);
		return (1);
	case PW_TOUCH_ENDED:
		reply_error3(r, PW_E_SESSION_ENDED, "session ended: ",
		    pw_reason_name(i->reason), "");
		return (1);
	case PW_TOUCH_ALREADY:
		reply_error3(r, PW_E_ALREADY_ENDED, "session already ended: ",
		    pw_reason_name(i->reason), "");
		return (1);
	default:
		return (0);
	}
}

/* "N" left-aligned in 10 columns: every reply the same length for ab. */
static void
duration(struct pw_buf *b, uint32_t secs)
{
	pw_buf_str(b, ",\"play_duration_sec\":");
	pw_buf_u64_pad(b, secs, 10);
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
	struct pw_buf *b;
	enum pw_touch t;

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	t = pw_gs_touch(r->w->st, gs, r->game->hash, uid, &info);
	if (touch_error(r, t, &info))
		return;
	b = reply_begin(r);
	pw_buf_str(b, "\"result\":\"");
	pw_buf_str(b, res[t]);
	pw_buf_str(b, "\",\"next_heartbeat_in\":");
	pw_buf_u64(b, (uint64_t)r->w->cfg->heartbeat_interval);
	duration(b, info.duration);
	reply_end(r);
}

void
h_check(struct pw_req *r)
{
	uint8_t gs[PW_KEY_LEN], uid[PW_UID_LEN];
	struct pw_gs_info info;
	struct pw_buf *b;
	enum pw_touch t;

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    req_uid(r, "provider_user_id", uid) == -1)
		return;
	t = pw_gs_touch(r->w->st, gs, r->game->hash, uid, &info);
	if (t == PW_TOUCH_REPLACED)
		t = PW_TOUCH_ENDED;	/* a replaced session does not resume */
	if (touch_error(r, t, &info))
		return;
	b = reply_begin(r);
	pw_buf_str(b, "\"is_valid\":true,\"game_session_id\":");
	gs_id(b, gs);
	pw_buf_str(b, ",\"is_pc_cafe\":");
	pw_buf_str(b, tf(info.is_cafe));
	duration(b, info.duration);
	reply_end(r);
}

/* The client's own measure: absent, null, or a non-negative integer. */
static int
client_duration(struct pw_req *r, int64_t *v)
{
	int tok;

	*v = -1;
	if ((tok = pw_json_get(&r->js, "play_duration_sec")) == -1 ||
	    pw_json_type(&r->js, tok) == PW_JSON_NULL)
		return (0);
	if (pw_json_type(&r->js, tok) != PW_JSON_NUMBER ||
	    pw_json_int64(&r->js, tok, v) == -1 || *v < 0 ||
	    *v > 100000000) {
		reply_error(r, PW_E_BAD_REQUEST, "field 'play_duration_sec' "
		    "must be a non-negative integer");
		return (-1);
	}
	return (0);
}

void
h_end(struct pw_req *r)
{
	uint8_t gs[PW_KEY_LEN];
	struct pw_gs_info info;
	struct pw_buf *b;
	enum pw_touch t;
	int64_t client;

	if (req_uuid(r, "game_session_id", PW_T_GS, gs) == -1 ||
	    client_duration(r, &client) == -1)
		return;
	memset(&info, 0, sizeof(info));
	t = pw_gs_end(r->w->st, r->w->cfg, gs, r->game->hash, PW_R_ENDED,
	    &info);
	if (touch_error(r, t, &info))
		return;
	b = reply_begin(r);
	pw_buf_str(b, "\"result\":\"SUCCESS\",\"play_duration_sec\":");
	pw_buf_u64(b, info.duration);
	pw_buf_str(b, ",\"client_play_duration_sec\":");
	if (client < 0)
		pw_buf_str(b, "null");
	else
		pw_buf_i64(b, client);
	pw_buf_str(b, ",\"billed_minutes\":");
	pw_buf_u64(b, info.billed);
	pw_buf_str(b, ",\"charged\":");
	pw_buf_i64(b, info.charged);
	reply_end(r);
}
