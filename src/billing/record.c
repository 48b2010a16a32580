/*
 * The billing log's records, formats 1 and 2 (pw_billing.h): encoding,
 * decoding, the record's own check and its link in the chain.  The only
 * place that knows where a field is.
 */
#include <sys/types.h>
#include <sys/endian.h>

#include <string.h>

#include <sha2.h>

#include "pw.h"
#include "pw_billing.h"
#include "pw_crypto.h"
#include "pw_store.h"

#define LINKED		120	/* bytes a link covers, and format 1's check */
#define OFF_LINK	120
#define OFF_CHECK	152

_Static_assert(OFF_CHECK + 8 == PW_EV_SIZE, "record size");
_Static_assert(LINKED + 8 == PW_EV1_SIZE, "format 1 size");
_Static_assert(SHA256_DIGEST_LENGTH == PW_LINK_LEN, "link size");

static void
check8(const uint8_t *rec, size_t len, uint8_t out[8])
{
	uint8_t md[PW_SHA256_LEN];

	pw_sha256(rec, len, md);
	memcpy(out, md, 8);
}

void
pw_link_genesis(uint8_t out[PW_LINK_LEN])
{
	pw_sha256("", 0, out);
}

static void
link_of(const uint8_t *prev, const uint8_t *rec, uint8_t out[PW_LINK_LEN])
{
	SHA2_CTX ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, prev, PW_LINK_LEN);
	SHA256Update(&ctx, rec, LINKED);
	SHA256Final(out, &ctx);
}

/* Bytes 8-119: the same in both formats. */
static void
fields_encode(const struct pw_event *ev, uint8_t *r)
{
	const char *text;

	le64enc(r + 8, ev->seq);
	le64enc(r + 16, ev->ts_ms);
	r[24] = (uint8_t)ev->type;
	r[25] = (uint8_t)ev->reason;
	le32enc(r + 28, ev->minute);
	le64enc(r + 32, (uint64_t)ev->amount);
	le64enc(r + 40, (uint64_t)ev->balance);
	memcpy(r + 48, ev->id, 16);
	/* A credit has no game: its memo takes the game's bytes. */
	text = pw_ev_of_credit(ev->type) ? ev->memo : ev->game;
	memcpy(r + 64, text, strnlen(text, PW_EV_MEMO));
	memcpy(r + 88, ev->wallet, strnlen(ev->wallet, 23));
	le32enc(r + 112, ev->duration);
}

static int
fields_decode(const uint8_t *r, struct pw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = le64dec(r + 8);
	ev->ts_ms = le64dec(r + 16);
	ev->type = r[24];
	ev->reason = r[25];
	ev->minute = le32dec(r + 28);
	ev->amount = (int64_t)le64dec(r + 32);
	ev->balance = (int64_t)le64dec(r + 40);
	memcpy(ev->id, r + 48, 16);
	if (pw_ev_of_credit(ev->type))
		memcpy(ev->memo, r + 64, PW_EV_MEMO);
	else
		memcpy(ev->game, r + 64, 23);
	memcpy(ev->wallet, r + 88, 23);
	ev->duration = le32dec(r + 112);
	if (ev->type <= PW_EV_NONE || ev->type >= PW_EV_MAX ||
	    ev->reason >= PW_R_MAX || ev->seq == 0)
		return (-1);
	return (0);
}

void
pw_event_encode(const struct pw_event *ev, const uint8_t *prev,
    uint8_t r[PW_EV_SIZE])
{
	memset(r, 0, PW_EV_SIZE);
	memcpy(r, PW_EV_MAGIC, 4);
	le32enc(r + 4, PW_EV_SIZE);
	fields_encode(ev, r);
	link_of(prev, r, r + OFF_LINK);
	check8(r, OFF_CHECK, r + OFF_CHECK);
}

int
pw_event_decode(const uint8_t r[PW_EV_SIZE], struct pw_event *ev)
{
	uint8_t sum[8];

	if (memcmp(r, PW_EV_MAGIC, 4) != 0 || le32dec(r + 4) != PW_EV_SIZE)
		return (-1);
	check8(r, OFF_CHECK, sum);
	if (memcmp(sum, r + OFF_CHECK, 8) != 0 || fields_decode(r, ev) == -1)
		return (-1);
	ev->format = 2;
	memcpy(ev->link, r + OFF_LINK, PW_LINK_LEN);
	return (0);
}

int
pw_event_chains(const uint8_t *prev, const uint8_t r[PW_EV_SIZE])
{
	uint8_t c[PW_LINK_LEN];

	link_of(prev, r, c);
	return (memcmp(c, r + OFF_LINK, PW_LINK_LEN) == 0);
}

const uint8_t *
pw_event_link(const uint8_t r[PW_EV_SIZE])
{
	return (r + OFF_LINK);
}

void
pw_event_encode1(const struct pw_event *ev, uint8_t r[PW_EV1_SIZE])
{
	memset(r, 0, PW_EV1_SIZE);
	memcpy(r, PW_EV1_MAGIC, 4);
	le32enc(r + 4, PW_EV1_SIZE);
	fields_encode(ev, r);
	check8(r, LINKED, r + LINKED);
}

int
pw_event_decode1(const uint8_t r[PW_EV1_SIZE], struct pw_event *ev)
{
	uint8_t sum[8];

	if (memcmp(r, PW_EV1_MAGIC, 4) != 0 || le32dec(r + 4) != PW_EV1_SIZE)
		return (-1);
	check8(r, LINKED, sum);
	if (memcmp(sum, r + LINKED, 8) != 0 || fields_decode(r, ev) == -1)
		return (-1);
	ev->format = 1;
	return (0);
}
