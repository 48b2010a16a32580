/*
 * Identifiers, HMAC-SHA256 and HS256 JWTs.
 *
 * SHA-256 itself comes from libmd's <sha2.h> (the OS library); HMAC,
 * SipHash, base64url and the constant-time compare from libsodium.  Every
 * comparison of a secret or a signature is constant-time.
 */
#ifndef PW_CRYPTO_H
#define PW_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <sodium/crypto_auth_hmacsha256.h>

#define PW_UUID_LEN	16
#define PW_UUID_STRLEN	36	/* 8-4-4-4-12, without NUL */
#define PW_SHA256_LEN	32

/*
 * Random bytes from arc4random_buf(3), drawn a pool at a time: libbsd's
 * arc4random checks for a fork with a getpid(2) on every call, which
 * would be a system call per id on the request path.  A pool belongs to
 * one process: whoever forks resets it in the child (pw_store_set_cell
 * does, for the store handle's pool) before drawing from it.
 */
struct pw_rand {
	uint8_t		 buf[4096];
	size_t		 left;
};
void	 pw_rand_reset(struct pw_rand *);
void	 pw_rand_bytes(struct pw_rand *, void *out, size_t n);
/* A random v4 UUID from the pool, or with NULL from arc4random_buf(3). */
void	 pw_uuid_new(struct pw_rand *, uint8_t out[PW_UUID_LEN]);
/*
 * The shard digit: the UUID's last hex digit, random bits of its node
 * field, so the UUID stays a valid v4 (see "Beyond one host").
 */
#define PW_SHARD_MAX	15
void	 pw_uuid_set_shard(uint8_t u[PW_UUID_LEN], unsigned shard);
unsigned pw_uuid_shard(const uint8_t u[PW_UUID_LEN]);
/* Parse exactly 36 chars of 8-4-4-4-12 hex, any case; 0 or -1. */
int	 pw_uuid_parse(const char *s, size_t len, uint8_t out[PW_UUID_LEN]);
/*
 * An API id: prefix + uuid ("gs_...", "ls_...", "pt_..."), or for an OTT
 * "playwave_" + uuid where the prefix may be left out (optional != 0).
 * Returns the uuid part of s, or NULL when s is not such an id.
 */
const char *pw_id_parse(const char *s, const char *prefix, int optional,
	    uint8_t out[PW_UUID_LEN]);
/* Lowercase 8-4-4-4-12 plus NUL into out[37]. */
void	 pw_uuid_format(const uint8_t in[PW_UUID_LEN], char *out);

/* The value of one hex digit of either case, or -1. */
int	 pw_hex_digit(unsigned char c);
/* Lowercase hex of n bytes plus NUL into out[2n+1]. */
void	 pw_hex_encode(const uint8_t *in, size_t n, char *out);
/* Decode exactly 2*n hex digits of either case into out[n]; 0 or -1. */
int	 pw_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n);

void	 pw_sha256(const void *msg, size_t len, uint8_t out[PW_SHA256_LEN]);

/*
 * Streaming HMAC-SHA256 for messages that come in pieces.  A state
 * initialised with a key may be copied and the copies finished apart:
 * the key's pads are hashed once.
 */
struct pw_hmac {
	crypto_auth_hmacsha256_state st;
};
void	 pw_hmac_init(struct pw_hmac *, const void *key, size_t keylen);
void	 pw_hmac_update(struct pw_hmac *, const void *msg, size_t len);
void	 pw_hmac_final(struct pw_hmac *, uint8_t out[PW_SHA256_LEN]);
void	 pw_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t len, uint8_t out[PW_SHA256_LEN]);
/*
 * 0 when the n bytes at a and b are equal, in time independent of their
 * contents (libsodium's sodium_memcmp: timingsafe_bcmp(3) is missing
 * from libbsd before 0.12, which Debian 12 ships).
 */
int	 pw_timingsafe_bcmp(const void *a, const void *b, size_t n);
/* 1 when hex (64 digits, either case) equals mac, constant time; else 0. */
int	 pw_mac_equal_hex(const uint8_t mac[PW_SHA256_LEN], const char *hex,
	    size_t hexlen);

/*
 * base64url (RFC 4648 section 5) without padding, strict: no '=', no
 * white space, no non-alphabet byte, no impossible length, zero unused
 * bits.  Returns the decoded length or -1.
 */
int	 pw_b64url_decode(const char *in, size_t len, uint8_t *out,
	    size_t outsz);
/* Encode; returns the length written (plus NUL) or -1 if it won't fit. */
int	 pw_b64url_encode(const uint8_t *in, size_t len, char *out,
	    size_t outsz);

/*
 * Launcher request signatures, contract v3 (launcher_sig.c).
 *
 * A session start is signed with a start key (a cafe's launcher-key,
 * named by X-Key-Id, or the home key): hex HMAC-SHA256 of METHOD \n PATH
 * \n X-Timestamp \n X-Nonce \n body, the timestamp within
 * PW_LAUNCHER_SKEW of the server's clock and the nonce fresh.
 *
 * Every later request of that session is signed with the session key the
 * start handed out: hex HMAC-SHA256 of METHOD \n PATH \n X-Seq \n body,
 * X-Seq a number the replay window accepts once.
 */
#define PW_LAUNCHER_SKEW	300	/* s either side of the server clock */
#define PW_NONCE_MIN		16
#define PW_NONCE_MAX		64
#define PW_SESSION_KEY_LEN	32
#define PW_SESSION_KEY_TEXT	43	/* base64url of 32 bytes, unpadded */

/* A session start as signed; a missing header is NULL. */
struct pw_lsig_start {
	const char	*method;	/* upper case: "POST" */
	const char	*path;		/* request target as sent */
	const char	*ts;		/* X-Timestamp */
	const char	*nonce;		/* X-Nonce */
	const char	*sig;		/* X-Signature, hex */
	const void	*body;
	size_t		 len;
};

/* A session request as signed; a missing header is NULL. */
struct pw_lsig_session {
	const char	*method;
	const char	*path;
	const char	*seq;		/* X-Seq, as sent */
	const char	*sig;		/* X-Signature, hex */
	const void	*body;
	size_t		 len;
};

/* X-Nonce: 16 to 64 letters, digits, '_' or '-'. */
int	 pw_launcher_nonce_ok(const char *nonce);
/* X-Seq: 1 to 2^32 - 1, plain decimal, no sign, no leading zero; or 0. */
uint32_t pw_launcher_seq(const char *seq);
/* X-Key-Id: 1 to 32 letters, digits, '_' or '-'. */
int	 pw_launcher_key_id_ok(const char *id);
void	 pw_launcher_start_mac(const void *key, size_t keylen,
	    const struct pw_lsig_start *, uint8_t mac[PW_SHA256_LEN]);
/*
 * Whether every part is present and well-formed, the timestamp within
 * PW_LAUNCHER_SKEW of now and the signature right (constant time).
 * Whether the nonce was seen before is the replay cache's question.
 */
int	 pw_launcher_start_ok(const void *key, size_t keylen,
	    const struct pw_lsig_start *, int64_t now);
void	 pw_launcher_session_mac(const uint8_t key[PW_SESSION_KEY_LEN],
	    const struct pw_lsig_session *, uint8_t mac[PW_SHA256_LEN]);
/* The signature alone (the seq's freshness is the window's question). */
int	 pw_launcher_session_ok(const uint8_t key[PW_SESSION_KEY_LEN],
	    const struct pw_lsig_session *);

/*
 * Session keys: HMAC-SHA256(k_session, launcher_session_id), k_session
 * derived under its own label from the store's random secret.  The
 * derivation's keyed state is made once per process and copied per key.
 */
void	 pw_session_kdf_init(struct pw_hmac *kdf, const uint8_t *secret,
	    size_t len);
void	 pw_session_key(const struct pw_hmac *kdf, const char *ls_id,
	    size_t len, uint8_t out[PW_SESSION_KEY_LEN]);

#define PW_CLAIM_MAX	64

struct pw_jwt_claims {
	char		 sub[PW_CLAIM_MAX];
	char		 game[PW_CLAIM_MAX];
	char		 provider[PW_CLAIM_MAX];
	char		 brand[PW_CLAIM_MAX];
	char		 currency[16];
	char		 jti[PW_CLAIM_MAX];	/* "" when absent */
	int64_t		 exp;
	int64_t		 iat;
};

enum pw_jwt_result {
	PW_JWT_OK = 0,
	PW_JWT_INVALID,		/* malformed, wrong alg, bad signature, bad claims */
	PW_JWT_EXPIRED		/* valid signature, exp <= now */
};

/*
 * Verify an HS256 compact JWT against secret at time now (unix seconds):
 * header alg exactly "HS256" (typ, if present, "JWT"), signature over
 * "header.payload", claims sub, game, provider, brand, currency (strings),
 * exp and iat (integers) present; iat more than 60 s in the future is
 * INVALID; exp <= now is EXPIRED (checked only after the signature).
 */
enum pw_jwt_result pw_jwt_verify(const char *tok, size_t len,
	    const void *secret, size_t secretlen, int64_t now,
	    struct pw_jwt_claims *out);

#endif /* PW_CRYPTO_H */
