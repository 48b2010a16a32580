/*
 * Chunked request bodies (RFC 9112 7.1), decoded in place and resumable
 * across reads.  Chunk framing is where request smuggling hides (two
 * parsers that read a chunk-size differently see two different
 * requests), so nothing lenient is taken: a size is 1 to 8 hex digits and
 * nothing else ("0x57", " 57", "+5" and "57 " are refused), an extension
 * is bounded and has no control byte, every line ends in CRLF exactly,
 * and trailer fields are checked like header fields and dropped.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pw_crypto.h"
#include "pw_frame.h"

#define SIZE_DIGITS	8	/* 4 GiB: far past any max-body */
#define EXT_MAX		256	/* chunk extensions: bytes on a size line */
#define TRAILER_MAX	4096	/* one trailer line */

enum {
	C_SIZE,		/* hex digits of a chunk-size */
	C_EXT,		/* ";..." after it, to the CR */
	C_SIZE_LF,	/* the LF of the size line */
	C_DATA,		/* the chunk's data */
	C_DATA_CR,	/* the CRLF after the data */
	C_DATA_LF,
	C_TRAILER,	/* a trailer line, or the empty line that ends all */
	C_TRAILER_LF,
	C_END_LF,	/* the LF of the last, empty line */
	C_DONE
};

void
pw_chunked_init(struct pw_chunked *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->st = C_SIZE;
	c->max = max;
}

static enum pw_chunk_rc
bad(struct pw_chunked *c, const char *why)
{
	c->why = why;
	return (PW_CHUNK_BAD);
}

/* A byte of the size line: digits, then an extension, then CR. */
static enum pw_chunk_rc
size_byte(struct pw_chunked *c, unsigned char b)
{
	int v;

	if (c->st == C_SIZE && (v = pw_hex_digit(b)) >= 0) {
		if (++c->digits > SIZE_DIGITS)
			return (bad(c, "chunk size too long"));
		c->size = c->size << 4 | (uint32_t)v;
		return (PW_CHUNK_MORE);
	}
	if (c->st == C_SIZE && c->digits == 0)
		return (bad(c, "chunk size is not hex digits"));
	if (c->st == C_SIZE && b != ';' && b != '\r')
		return (bad(c, "chunk size is not hex digits"));
	if (b == '\r') {
		c->st = C_SIZE_LF;
		return (PW_CHUNK_MORE);
	}
	/* An extension: any visible byte or blank, bounded. */
	c->st = C_EXT;
	if ((b < 0x20 && b != '\t') || b == 0x7f)
		return (bad(c, "control character in a chunk extension"));
	if (++c->extlen > EXT_MAX)
		return (bad(c, "chunk extension too long"));
	return (PW_CHUNK_MORE);
}

static enum pw_chunk_rc
size_end(struct pw_chunked *c)
{
	if (c->size == 0) {
		c->st = C_TRAILER;
		c->tlen = 0;
		return (PW_CHUNK_MORE);
	}
	if (c->size > c->max - c->data)
		return (PW_CHUNK_TOO_LARGE);
	c->left = c->size;
	c->st = C_DATA;
	return (PW_CHUNK_MORE);
}

/*
 * A byte of the trailer section: field lines as strict as a head's
 * (name, colon, value with no control byte), each ending in CRLF, and
 * the empty line that ends the body.
 */
static enum pw_chunk_rc
trailer_byte(struct pw_chunked *c, unsigned char b)
{
	if (c->st == C_TRAILER_LF || c->st == C_END_LF) {
		if (b != '\n')
			return (bad(c, "bare CR in the chunk trailers"));
		if (c->st == C_END_LF) {
			c->st = C_DONE;
			return (PW_CHUNK_DONE);
		}
		c->st = C_TRAILER;
		c->tlen = 0;
		return (PW_CHUNK_MORE);
	}
	if (b == '\r') {
		if (c->tlen > 0 && c->extlen == 0)
			return (bad(c, "trailer line without a colon"));
		c->st = c->tlen == 0 ? C_END_LF : C_TRAILER_LF;
		return (PW_CHUNK_MORE);
	}
	if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f)
		return (bad(c, "control character in the chunk trailers"));
	if (c->tlen == 0) {
		c->extlen = 0;		/* counts colons seen in this line */
		if (b == ' ' || b == '\t' || b == ':')
			return (bad(c, "bad trailer field name"));
	}
	if (b == ':' && c->extlen == 0) {
		c->extlen = 1;
	} else if (c->extlen == 0 && (b == ' ' || b == '\t'))
		return (bad(c, "whitespace before a colon in a trailer"));
	if (++c->tlen > TRAILER_MAX)
		return (bad(c, "chunk trailer line too long"));
	return (PW_CHUNK_MORE);
}

enum pw_chunk_rc
pw_chunked_feed(struct pw_chunked *c, char *buf, size_t n, size_t *in,
    size_t *out)
{
	enum pw_chunk_rc rc = PW_CHUNK_MORE;
	unsigned char b;
	size_t k;

	while (*in < n && rc == PW_CHUNK_MORE) {
		if (c->st == C_DATA) {
			k = n - *in < c->left ? n - *in : c->left;
			memmove(buf + *out, buf + *in, k);
			*in += k;
			*out += k;
			c->left -= (uint32_t)k;
			c->data += k;
			if (c->left == 0)
				c->st = C_DATA_CR;
			continue;
		}
		b = (unsigned char)buf[(*in)++];
		switch (c->st) {
		case C_SIZE:
		case C_EXT:
			rc = size_byte(c, b);
			break;
		case C_SIZE_LF:
			rc = b == '\n' ? size_end(c) : bad(c, "bare CR after "
			    "a chunk size");
			break;
		case C_DATA_CR:
			if (b != '\r')
				rc = bad(c, "chunk data longer than its size");
			else
				c->st = C_DATA_LF;
			break;
		case C_DATA_LF:
			if (b != '\n')
				rc = bad(c, "bare CR after chunk data");
			else {
				c->st = C_SIZE;
				c->size = 0;
				c->digits = c->extlen = 0;
			}
			break;
		case C_DONE:
			rc = PW_CHUNK_DONE;
			(*in)--;
			break;
		default:
			rc = trailer_byte(c, b);
			break;
		}
	}
	if (c->st == C_DONE)
		rc = PW_CHUNK_DONE;
	return (rc);
}
