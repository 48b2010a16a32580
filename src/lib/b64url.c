/*
 * base64url without padding (RFC 4648 section 5), strict, on libsodium's
 * constant-time codec: no '=', no white space, no byte outside the
 * alphabet, no impossible length, and no nonzero leftover bits (a second
 * spelling of the same bytes; RFC 4648 3.5), so exactly one encoding of
 * any bytes is valid.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "pw_crypto.h"

#define VARIANT	sodium_base64_VARIANT_URLSAFE_NO_PADDING

/*
 * libsodium 1.0.18 (Debian 12's) decodes some bytes above 0x7f as if they
 * were letters ("Zm\xc3\xa9" decodes): the alphabet is checked here first.
 */
static int
alphabet(const char *in, size_t len)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < len; i++) {
		c = in[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return (0);
	}
	return (1);
}

int
pw_b64url_decode(const char *in, size_t len, uint8_t *out, size_t outsz)
{
	size_t	 n;

	if (len / 4 > (size_t)INT_MAX / 3 - 1 || !alphabet(in, len))
		return (-1);
	/* No ignored characters, and the whole input must be consumed. */
	if (sodium_base642bin(out, outsz, in, len, NULL, &n, NULL,
	    VARIANT) != 0)
		return (-1);
	return ((int)n);
}

int
pw_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	size_t	 need;

	if (len / 3 > (size_t)INT_MAX / 4 - 1)
		return (-1);
	/* libsodium aborts on a short buffer: measure first. */
	need = sodium_base64_ENCODED_LEN(len, VARIANT);
	if (need > outsz)
		return (-1);
	(void)sodium_bin2base64(out, outsz, in, len, VARIANT);
	return ((int)(need - 1));
}
