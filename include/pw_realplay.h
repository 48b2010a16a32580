/*
 * Real-play sessions in the store, independent of HTTP: the
 * player tokens that POST /v1/authenticate issues, and the X-Request-ID
 * records that make a repeated authenticate return the same token.
 */
#ifndef PW_REALPLAY_H
#define PW_REALPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "pw_config.h"
#include "pw_store.h"

enum pw_rp_result {
	PW_RP_NEW,		/* a new player token was issued */
	PW_RP_REPLAY,		/* same request id and body, or same launch
				   token: the token issued before */
	PW_RP_CONFLICT,		/* same request id, another body */
	PW_RP_FULL		/* no free slot */
};

/* One authenticate that passed every check. */
struct pw_rp_login {
	const char	*game;		/* namespace of the request ids */
	uint32_t	 game_hash;	/* pw_config_idhash(game) */
	const char	*rid;		/* the client's X-Request-ID */
	const void	*body;		/* the raw request body */
	size_t		 len;
	const char	*token;		/* the launch token as sent */
	size_t		 toklen;
	const char	*sub;		/* the launch token's subject */
	uint64_t	 exp;		/* launch token's expiry, unix s; within
					   max-token-lifetime of now */
	uint64_t	 now_ms;	/* the store clock */
};

/* The key of the request-id record of (game, X-Request-ID). */
void	 pw_rp_reqid_key(uint8_t key[PW_KEY_LEN], const char *game,
	    const char *rid);

/*
 * Issue a player token for a login, or find the one an earlier login with
 * the same game, request id and body, or with the same launch token under
 * any request id, was given (then nothing is stored).  Of any number of
 * concurrent identical logins, in any processes, exactly one issues a
 * token and all return it.  pt gets the token's key on NEW and REPLAY.
 */
enum pw_rp_result pw_rp_login(struct pw_store *, const struct pw_rp_login *,
	    uint8_t pt[PW_KEY_LEN]);

/* The live player-token slot of a key, or NULL. */
struct pw_slot	*pw_pt_find(struct pw_store *,
		    const uint8_t pt[PW_KEY_LEN]);

/*
 * 1 when the reaper may free this request-id or player-token slot; *due
 * lowered to when it next may (pw_session.h).
 */
int	 pw_rp_expire(const struct pw_config *, struct pw_slot *, uint64_t w,
	    uint64_t wall_s, uint64_t now_ms, uint64_t *due);

#endif /* PW_REALPLAY_H */
