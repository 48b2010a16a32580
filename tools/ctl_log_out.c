/*
 * The billing log as playwavectl reads it: its segments found the way
 * the daemon finds them (src/billing/logset.c), and each event printed,
 * for people or as one JSON object a line.  A JSON event carries what a
 * shipper needs to check the chain itself: its link, the record's bytes,
 * and, on the first event of a segment, what the segment's header adds
 * to the chain (tools/ship).
 */
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_segment.h"
#include "ctl.h"

void
ctl_log_open(struct ctl *c, struct ctl_log *lg)
{
	char err[1200];

	if (lg->path == NULL) {
		if (c->cfg == NULL)
			ctl_usage_err("log: with -s, name the billing log FILE");
		lg->path = c->cfg->billing_log;
	}
	if (pw_logset_open(&lg->ls, lg->path, lg->archive, err,
	    sizeof(err)) == -1)
		ctl_die("billing log: %s", err);
}

void
ctl_log_close(struct ctl_log *lg)
{
	pw_logset_close(&lg->ls);
}

/* A segment entered: what its first event says of it in JSON. */
void
ctl_log_note(struct ctl_log *lg, const struct pw_seg *g)
{
	lg->seg_format = g->format;
	lg->seg_first = g->first_seq;
	memcpy(lg->seg_prev, g->prev, PW_LINK_LEN);
	memcpy(lg->seg_digest, g->digest, PW_LINK_LEN);
}

int
ctl_log_segment(const struct pw_seg *g, const char *name, void *arg)
{
	ctl_log_note(((struct ctl_logread *)arg)->lg, g);
	return (0);
}

void
ctl_log_header(const struct ctl *c)
{
	if (!c->json)
		printf("%8s %-24s %-6s %-39s %-14s %-14s %8s %10s %6s %s\n",
		    "SEQ", "TIME", "TYPE", "SESSION", "GAME", "WALLET",
		    "AMOUNT", "BALANCE", "MINUTE", "REASON");
}

static void
hex_field(struct jw *j, const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * PW_EV_SIZE + 1];

	pw_hex_encode(b, n, hex);
	jw_str(j, key, hex);
}

/* What a shipper checks the chain with. */
static void
chain_json(struct jw *j, const struct pw_event *ev, const struct ctl_log *lg)
{
	if (ev->raw != NULL)
		hex_field(j, "record", ev->raw, ev->format == 2 ? PW_EV_SIZE :
		    PW_EV1_SIZE);
	if (ev->format != 2)
		return;
	hex_field(j, "link", ev->link, PW_LINK_LEN);
	if (lg != NULL && lg->seg_format == 2 && ev->seq == lg->seg_first) {
		jw_open(j, "segment", 0);
		hex_field(j, "prev", lg->seg_prev, PW_LINK_LEN);
		hex_field(j, "digest", lg->seg_digest, PW_LINK_LEN);
		jw_close(j, 0);
	}
}

static void
event_json(const struct pw_event *ev, const char *sid,
    const struct ctl_log *lg)
{
	struct jw j;

	jw_begin(&j, stdout);
	jw_uint(&j, "seq", ev->seq);
	jw_uint(&j, "ts", ev->ts_ms);
	jw_str(&j, "type", pw_ev_type_name(ev->type));
	jw_str(&j, "session", sid);
	if (ev->game[0] != '\0')
		jw_str(&j, "game", ev->game);
	if (ev->wallet[0] != '\0')
		jw_str(&j, "wallet", ev->wallet);
	if (ev->type != PW_EV_START)
		jw_int(&j, "amount", ev->amount);
	if (ev->wallet[0] != '\0')
		jw_int(&j, "balance", ev->balance);
	if (ev->type == PW_EV_CHARGE || ev->type == PW_EV_END)
		jw_uint(&j, "minute", ev->minute);
	if (ev->type == PW_EV_END) {
		jw_str(&j, "reason", pw_reason_name(ev->reason));
		jw_uint(&j, "duration", ev->duration);
	}
	if (pw_ev_of_credit(ev->type) && ev->memo[0] != '\0')
		jw_str(&j, "memo", ev->memo);
	chain_json(&j, ev, lg);
	jw_end(&j);
}

void
ctl_log_event(const struct ctl *c, const struct pw_event *ev,
    const struct ctl_log *lg)
{
	char sid[64], ts[32], amount[24], bal[24], minute[16];

	ctl_format_id(pw_ev_of_credit(ev->type) ? PW_T_CREDIT : PW_T_GS,
	    ev->id, sid);
	if (c->json) {
		event_json(ev, sid, lg);
		return;
	}
	pw_iso8601_ms(ev->ts_ms, ts);
	snprintf(amount, sizeof(amount), ev->type != PW_EV_START ? "%lld" :
	    "-", (long long)ev->amount);
	snprintf(bal, sizeof(bal), ev->wallet[0] != '\0' ? "%lld" : "-",
	    (long long)ev->balance);
	snprintf(minute, sizeof(minute), ev->type == PW_EV_CHARGE ||
	    ev->type == PW_EV_END ? "%u" : "-", ev->minute);
	printf("%8llu %-24s %-6s %-39s %-14s %-14s %8s %10s %6s %s\n",
	    (unsigned long long)ev->seq, ts, pw_ev_type_name(ev->type), sid,
	    ev->game[0] != '\0' ? ev->game : "-",
	    ev->wallet[0] != '\0' ? ev->wallet : "-", amount, bal, minute,
	    ev->type == PW_EV_END ? pw_reason_name(ev->reason) :
	    ev->memo[0] != '\0' ? ev->memo : "-");
}

/*
 * What follows the valid records, said on stderr; 1 for damage (a
 * reader of the active file sees a torn tail the daemon has not cut yet,
 * or the records the reaper is writing: not an error).
 */
int
ctl_log_end(const struct ctl_log *lg, const struct pw_scan *sc,
    const char *where)
{
	if (sc->stop == PW_STOP_END)
		return (0);
	fprintf(stderr, "playwavectl: billing log %s: %s at offset %" PRIu64
	    ": %s; see log verify\n", where, sc->stop == PW_STOP_DAMAGE ?
	    "damage" : "torn tail", sc->good, sc->why);
	return (sc->stop == PW_STOP_DAMAGE);
}

/* Every event after from, to the active file's end; 0 or 1 (damage). */
int
ctl_log_read(struct ctl_log *lg, uint64_t from, pw_blog_fn fn, void *arg,
    struct pw_scan *sc)
{
	struct ctl_logread rd = { lg, fn, arg };
	struct pw_read r = { ctl_log_each, ctl_log_segment, NULL, &rd };
	char where[1200];

	if (pw_logset_read(&lg->ls, from, &r, sc, where, sizeof(where)) == -1)
		ctl_die("billing log %s: %s", where, strerror(errno));
	return (ctl_log_end(lg, sc, where));
}

int
ctl_log_each(const struct pw_event *ev, uint64_t off, void *arg)
{
	struct ctl_logread *rd = arg;

	return (rd->fn(ev, off, rd->arg));
}
