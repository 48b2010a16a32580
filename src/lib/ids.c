/*
 * Random v4 UUIDs and hexadecimal.
 *
 * Identifiers are accepted in any case and always emitted lowercase, so
 * a client may echo back what it was given in whatever case it likes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pw_crypto.h"

static const char hexdigits[] = "0123456789abcdef";

int
pw_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Two hex digits at s into *out; 0 or -1. */
static int
hexbyte(const char *s, uint8_t *out)
{
	int	 hi, lo;

	hi = pw_hex_digit((unsigned char)s[0]);
	lo = pw_hex_digit((unsigned char)s[1]);
	if (hi < 0 || lo < 0)
		return (-1);
	*out = (uint8_t)(hi << 4 | lo);
	return (0);
}

/* Whether a hyphen belongs at offset i of the 8-4-4-4-12 form. */
static int
uuid_hyphen_at(size_t i)
{
	return (i == 8 || i == 13 || i == 18 || i == 23);
}

void
pw_rand_reset(struct pw_rand *r)
{
	explicit_bzero(r->buf, sizeof(r->buf));
	r->left = 0;
}

void
pw_rand_bytes(struct pw_rand *r, void *out, size_t n)
{
	uint8_t *p;

	if (n > sizeof(r->buf)) {
		arc4random_buf(out, n);
		return;
	}
	if (r->left < n) {
		arc4random_buf(r->buf, sizeof(r->buf));
		r->left = sizeof(r->buf);
	}
	p = r->buf + sizeof(r->buf) - r->left;
	memcpy(out, p, n);
	/* Bytes handed out are not kept: the rest stay unpredictable. */
	explicit_bzero(p, n);
	r->left -= n;
}

void
pw_uuid_new(struct pw_rand *r, uint8_t out[PW_UUID_LEN])
{
	if (r != NULL)
		pw_rand_bytes(r, out, PW_UUID_LEN);
	else
		arc4random_buf(out, PW_UUID_LEN);
	/* RFC 9562: version 4 in the high nibble of byte 6, variant 10xx. */
	out[6] = (out[6] & 0x0f) | 0x40;
	out[8] = (out[8] & 0x3f) | 0x80;
}

/*
 * A proxy routes on the last character of an id's text: no field of a
 * v4 UUID but the random ones changes, and the store hashes the first
 * bytes, so a fixed digit here leaves keys as spread as before.
 */
void
pw_uuid_set_shard(uint8_t u[PW_UUID_LEN], unsigned shard)
{
	u[PW_UUID_LEN - 1] = (uint8_t)((u[PW_UUID_LEN - 1] & 0xf0) |
	    (shard & 0x0f));
}

unsigned
pw_uuid_shard(const uint8_t u[PW_UUID_LEN])
{
	return (u[PW_UUID_LEN - 1] & 0x0f);
}

/*
 * The version and variant bits are not checked: any well-formed UUID is
 * a valid key, and an identifier we never issued simply won't be found.
 */
int
pw_uuid_parse(const char *s, size_t len, uint8_t out[PW_UUID_LEN])
{
	size_t	 i, n;

	if (s == NULL || len != PW_UUID_STRLEN)
		return (-1);
	for (i = 0; i < len; i++)
		if (uuid_hyphen_at(i) != (s[i] == '-'))
			return (-1);
	for (i = 0, n = 0; i < len; i += 2, n++) {
		if (uuid_hyphen_at(i))
			i++;
		if (hexbyte(s + i, &out[n]) == -1)
			return (-1);
	}
	return (0);
}

void
pw_uuid_format(const uint8_t in[PW_UUID_LEN], char *out)
{
	size_t	 i, o;

	for (i = 0, o = 0; i < PW_UUID_LEN; i++) {
		if (uuid_hyphen_at(o))
			out[o++] = '-';
		out[o++] = hexdigits[in[i] >> 4];
		out[o++] = hexdigits[in[i] & 0x0f];
	}
	out[o] = '\0';
}

void
pw_hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
pw_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
	size_t	 i;

	/* Written as a division so that a huge n cannot overflow 2 * n. */
	if (hexlen % 2 != 0 || hexlen / 2 != n)
		return (-1);
	for (i = 0; i < n; i++)
		if (hexbyte(hex + 2 * i, &out[i]) == -1)
			return (-1);
	return (0);
}

const char *
pw_id_parse(const char *s, const char *prefix, int optional,
    uint8_t out[PW_UUID_LEN])
{
	size_t plen;

	plen = strlen(prefix);
	if (strncmp(s, prefix, plen) == 0)
		s += plen;
	else if (!optional)
		return (NULL);
	return (pw_uuid_parse(s, strlen(s), out) == 0 ? s : NULL);
}
