/*
 * playwaved.conf(5): the parsed configuration.
 *
 * A configuration is a flat value: parsing allocates nothing that outlives
 * pw_config_free(), and a reload parses into a fresh struct so that a bad
 * file never disturbs the running one.
 */
#ifndef PW_CONFIG_H
#define PW_CONFIG_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PW_ID_MAX	24	/* game, cafe and wallet ids: 23 bytes + NUL */
#define PW_MAX_LISTEN	8
#define PW_MAX_PROXIES	32
#define PW_MAX_NETS	32
#define PW_MAX_KEYS	4
#define PW_MAX_OFFERS	8
#define PW_MAX_GAMES	64
#define PW_GAMES_JSON_MAX 3072	/* fits the launcher start reply */
#define PW_MAX_CAFES	256
#define PW_MAX_CAFE_KEYS 2	/* launcher-key lines per cafe: rotation */
#define PW_KEY_ID_MAX	33	/* launcher-key ID: 1-32 chars + NUL */
#define PW_SECRET_MIN	16	/* shortest secret a file may set */
#define PW_MAX_CURRENCIES 32
#define PW_SECRET_MAX	128
#define PW_URL_MAX	256
#define PW_TEXT_MAX	128
#define PW_PATH_MAX	1024

/* log-format: the daemon's log lines (and the access log's) as text or JSON. */
enum pw_log_format {
	PW_LOG_TEXT = 0,
	PW_LOG_JSON
};

enum pw_fsync {
	PW_FSYNC_INTERVAL = 0,	/* fsync(2) at most once a second */
	PW_FSYNC_ALWAYS		/* fsync(2) after every append */
};

/* An address family, address and prefix length: "10.0.0.0/8", "::1/128". */
struct pw_net {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* network byte order */
	int		 prefix;
};

/* A listen address, kept as text for messages and as a sockaddr to bind. */
struct pw_listen {
	char			 text[64];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
};

/* One freeGameInfo entry of an authenticate reply (the `offer' directive). */
struct pw_offer {
	int64_t		 instance_id;
	int64_t		 offer_id;
	char		 name[PW_TEXT_MAX];
	int64_t		 rounds_awarded;
	int64_t		 rounds_remaining;
	int64_t		 cost_per_bet;
	int		 rejectable;
	char		 start[32];	/* ISO-8601 UTC, "2025-05-23T11:54:37Z" */
	char		 end[32];
};

struct pw_game {
	char		 id[PW_ID_MAX];
	uint32_t	 hash;		/* pw_config_idhash(id): stored in slots */
	char		 name[PW_TEXT_MAX];
	char		 api_keys[PW_MAX_KEYS][PW_SECRET_MAX];
	uint64_t	 api_key_h[PW_MAX_KEYS];	/* keyed hash of each */
	int		 napi_keys;
	int64_t		 price;		/* G-coin per started billing unit */
	char		 provider[PW_TEXT_MAX];
	char		 hmac_secret[PW_SECRET_MAX];
	int64_t		 min_bet, max_bet, default_bet, max_exposure;
	char		 lobby_url[PW_URL_MAX];
	char		 deposit_url[PW_URL_MAX];
	struct pw_offer	 offers[PW_MAX_OFFERS];
	int		 noffers;
};

/* A cafe's launcher key: its launchers sign session starts with it. */
struct pw_launcher_key {
	char		 id[PW_KEY_ID_MAX];	/* X-Key-Id */
	char		 secret[PW_SECRET_MAX];
};

struct pw_cafe {
	char		 id[PW_ID_MAX];
	uint32_t	 hash;
	struct pw_net	 nets[PW_MAX_NETS];
	int		 nnets;
	struct pw_launcher_key keys[PW_MAX_CAFE_KEYS];
	int		 nkeys;		/* 0: the home key works (transition) */
	int64_t		 start_quota;	/* starts per quota window */
};

struct pw_currency {
	char		 code[16];	/* lowercase */
	int64_t		 truncation;
};

struct pw_config {
	char			 path[PW_PATH_MAX];	/* "" when embedded */

	struct pw_listen	 listen[PW_MAX_LISTEN];
	int			 nlisten;
	struct pw_listen	 metrics_listen[PW_MAX_LISTEN];
	int			 nmetrics_listen;
	int			 workers;	/* default: number of CPUs */
	int			 shard;		/* 0-15, in every id minted */

	char			 store[PW_PATH_MAX];
	uint64_t		 store_slots;	/* power of two */
	char			 billing_log[PW_PATH_MAX];
	enum pw_fsync		 billing_fsync;
	uint64_t		 billing_segment_size;	/* bytes */
	char			 access_log[PW_PATH_MAX];	/* "" = off */
	char			 log_file[PW_PATH_MAX];	/* "" = syslog/stderr */
	enum pw_log_format	 log_format;
	char			 user[64];		/* "" = none */
	char			 pidfile[PW_PATH_MAX];

	int64_t			 ott_ttl;
	int64_t			 session_timeout;
	int64_t			 heartbeat_interval;
	int64_t			 charge_grace;
	int64_t			 billing_unit;
	int64_t			 launcher_timeout;

	int64_t			 max_body;
	int64_t			 max_header;
	int64_t			 header_timeout;	/* s to read a request's headers */
	int64_t			 body_timeout;		/* s to read its body */
	int64_t			 idle_timeout;		/* s a keep-alive conn. may idle */
	int64_t			 write_timeout;		/* s a reply may wait to be read */
	int64_t			 max_connections;	/* per worker */
	int64_t			 max_conn_per_source;	/* per worker, 0 = off */
	int64_t			 rate_limit;		/* req/s per API key, 0 = off */
	int64_t			 ott_per_launcher;	/* live OTTs per session */
	int64_t			 max_token_lifetime;	/* s, exp - iat */

	int64_t			 cafe_start_quota;	/* default of a cafe's */
	int64_t			 home_start_quota;	/* per /24 or /56 */
	int64_t			 home_start_total;	/* every home start */
	int			 launcher_key_required;

	char			 launcher_secret[PW_SECRET_MAX];	/* home key */
	char			 launch_secret[PW_SECRET_MAX];
	struct pw_net		 proxies[PW_MAX_PROXIES];
	int			 nproxies;
	struct pw_currency	 currencies[PW_MAX_CURRENCIES];
	int			 ncurrencies;

	/* Keys the API-key hashes: random, made when the file is read. */
	uint8_t			 key_salt[16];
	struct pw_game		 games[PW_MAX_GAMES];
	int			 ngames;
	/* The launcher start's "games" array, rendered at load. */
	char			 games_json[PW_GAMES_JSON_MAX];
	struct pw_cafe		 cafes[PW_MAX_CAFES];
	int			 ncafes;
};

/* Fill in every default of playwaved.conf(5). */
void	 pw_config_defaults(struct pw_config *);

/*
 * Parse text (not NUL-terminated; len bytes) named fname in messages.
 * Returns 0, or -1 with "fname:line: what was expected" in err.
 * The struct is reset to defaults first.
 */
int	 pw_config_parse(struct pw_config *, const char *text, size_t len,
	    const char *fname, char *err, size_t errlen);

/* Read and parse a file; -1 with a message in err on any failure. */
int	 pw_config_load(struct pw_config *, const char *path, char *err,
	    size_t errlen);
/*
 * pw_config_parse, with all: every error, not the first (see below);
 * the same first error either way.
 */
int	 pw_config_parse_all(struct pw_config *, const char *text, size_t len,
	    const char *fname, int *nerrors, char *err, size_t errlen);
/*
 * The same; with all, every error the file has (one a line in err, as
 * many as fit; *nerrors counts them all), as playwaved -n lists them.
 */
int	 pw_config_check(struct pw_config *, const char *path, int all,
	    int *nerrors, char *err, size_t errlen);
/*
 * playwaved -T: the configuration in effect, every directive with its
 * value or default, secrets shown as <set>, never their values.
 */
void	 pw_config_dump(const struct pw_config *, FILE *);

/* The configuration compiled into the daemon for development use. */
extern const char pw_config_embedded[];

/* 32-bit id hash kept in store slots; never 0. */
uint32_t pw_config_idhash(const char *id);

const struct pw_game	*pw_config_game(const struct pw_config *, const char *id);
const struct pw_game	*pw_config_game_by_hash(const struct pw_config *,
			    uint32_t);
/*
 * The game an X-Api-Key names: every configured key is compared, in time
 * independent of the keys' and the candidate's contents and lengths.
 * NULL when none matches; *index gets which of the game's keys.
 */
const struct pw_game	*pw_config_game_by_key(const struct pw_config *,
			    const char *key, size_t keylen, int *index);
/* An api-key's keyed hash (cfg->key_salt), as game_by_key compares it. */
uint64_t pw_config_key_hash(const struct pw_config *, const char *key,
	    size_t len);
/* The cafe key an X-Key-Id names, and its cafe; NULL when none. */
const struct pw_launcher_key *pw_config_launcher_key(const struct pw_config *,
			    const char *id, const struct pw_cafe **cafe);
const struct pw_cafe	*pw_config_cafe(const struct pw_config *, const char *id);
const struct pw_cafe	*pw_config_cafe_by_hash(const struct pw_config *,
			    uint32_t);
/* The cafe whose network holds the address, or NULL. */
const struct pw_cafe	*pw_config_cafe_for_addr(const struct pw_config *,
			    const struct sockaddr *);
int	 pw_config_is_proxy(const struct pw_config *, const struct sockaddr *);
/* currencyTruncation of a lowercase currency code (default 1). */
int64_t	 pw_config_truncation(const struct pw_config *, const char *code);

/*
 * Quota windows: cafe-start-quota, home-start-quota and home-start-total
 * count starts per this many seconds.
 */
#define PW_QUOTA_WINDOW	600
/*
 * The store's prefix table holds an entry per prefix that started within
 * a window: at most half full, whatever the home starts.
 */
#define PW_HOME_TOTAL_MAX	8192
/* A start may take this many store slots: nonce, session, PC, OTTs. */
#define PW_SLOTS_PER_START(cfg)	(3 + (cfg)->ott_per_launcher)

/* Parse "a.b.c.d/n" or "x::y/n" (prefix optional: host route). */
int	 pw_net_parse(struct pw_net *, const char *text);
int	 pw_net_contains(const struct pw_net *, const struct sockaddr *);
/* Whether two networks share an address. */
int	 pw_net_overlap(const struct pw_net *, const struct pw_net *);
void	 pw_net_sockaddr(const struct pw_net *, struct sockaddr_storage *);
/* Parse "host:port", "[v6]:port" or "*:port" into a listen address. */
int	 pw_listen_parse(struct pw_listen *, const char *text);

#endif /* PW_CONFIG_H */
