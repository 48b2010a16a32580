/*
 * Internals of the playwaved.conf(5) parser, shared by config.c (global
 * directives), config_block.c (game and cafe blocks) and config_lex.c
 * (tokens and argument readers).  Not part of any public interface.
 */
#ifndef CONFIG_PARSE_H
#define CONFIG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "pw_config.h"

/* Longest token: room for the longest string field and then some. */
#define CF_TOKEN_MAX	2048

#define CF_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Largest start quota per window (a cafe's, a prefix's, all home). */
#define CF_QUOTA_MAX	1000000LL

/* Largest amount of money (G-coin or minor units) accepted anywhere. */
#define CF_AMOUNT_MAX	1000000000000000LL

/*
 * The built-in development configuration's keys (config_embedded.c):
 * printed at start and in the manual, so refused in a file.
 */
#define CF_DEV_LAUNCHER_SECRET	"dev-launcher-secret"
#define CF_DEV_LAUNCH_SECRET	"dev-launch-secret"
#define CF_DEV_API_KEY		"dev-game-key"
#define CF_DEV_HMAC_SECRET	"dev-hmac-secret"
#define CF_DEV_CAFE_KEY_ID	"dev"
#define CF_DEV_CAFE_KEY		"dev-cafe-key"

enum cf_toktype {
	TOK_EOF = 0,
	TOK_WORD,		/* bare word */
	TOK_STRING,		/* "double-quoted string", escapes undone */
	TOK_LBRACE,
	TOK_RBRACE
};

struct cf_token {
	enum cf_toktype	 type;
	int		 line;
	size_t		 len;
	char		 text[CF_TOKEN_MAX];
};

struct cf_parser {
	const char		*cur;		/* next byte to read */
	const char		*end;
	int			 line;		/* line of cur */
	int			 last_line;	/* of the last token */
	const char		*fname;
	char			*err;
	size_t			 errlen;
	struct pw_config	*cfg;
	const char		*stmt;		/* directive being read */
	const char		*dir;		/* it, or its keyword */
	int			 listen_given;	/* default listen replaced */
	int			 file;		/* text of a file (-f) */
	struct cf_token		 tok;		/* the token just read */
	const char		*tok_start;	/* its first byte */
	int			 tok_first;	/* the first on its line */
	int			 tok_ok;	/* read whole (no lexer error) */
	const char		*stmt_start;	/* the directive's name */
	const char		*resync_at;	/* where the last resync left */
	/* Errors: every one (pw_config_check) or only the first. */
	int			 all;
	int			 nerrors;
	int			 err_line;	/* of the last error */
	size_t			 errused;
	/* Top-level directives, for the blocks' "not valid inside" error. */
	const struct cf_directive *globals;
	size_t			 nglobals;
};

enum cf_kind {
	CF_I64,			/* int64_t from min to max */
	CF_INT,			/* int from min to max */
	CF_STR,			/* non-empty string shorter than size */
	CF_FN			/* fn reads its own arguments */
};

/*
 * One directive of a block (the global scope is a block too): simple
 * ones are stored at off into the struct the block fills.
 */
struct cf_directive {
	const char	*name;
	enum cf_kind	 kind;
	size_t		 off;
	size_t		 size;
	long long	 min, max;
	int		 repeat;	/* may be given more than once */
	int		(*fn)(struct cf_parser *, void *);
};

/* config_lex.c */
int	 cf_error(struct cf_parser *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * After an error, when every error is wanted: skip the rest of the
 * statement (the error's line, and a block opened on it), so that the
 * next directive is read as one.
 */
void	 cf_resync(struct cf_parser *);
/* Stop at the first error, or go on to the next statement. */
#define CF_GO_ON(p)	((p)->all && (cf_resync(p), 1))
int	 cf_lex(struct cf_parser *);
const char *cf_got(const struct cf_token *, char *, size_t);
int	 cf_arg(struct cf_parser *, const char *);
int	 cf_string(struct cf_parser *, char *, size_t);
int	 cf_number(struct cf_parser *, long long, long long, int64_t *);
int	 cf_keyword(struct cf_parser *, const char *);
const struct cf_directive *cf_find(const struct cf_directive *, size_t,
	    const char *);
int	 cf_apply(struct cf_parser *, const struct cf_directive *, void *,
	    int *);

/* config_block.c */
int	 cf_game(struct cf_parser *, void *);
int	 cf_cafe(struct cf_parser *, void *);
const char *cf_block_of(const char *);

/* config_secret.c */
int	 cf_secret(struct cf_parser *, char *, size_t, const char *);
int	 cf_secret_distinct(struct cf_parser *, const char *value,
	    const char *self, const char (*others)[PW_SECRET_MAX], int n,
	    const char *block);
int	 cf_launcher_secret(struct cf_parser *, void *);
int	 cf_launch_secret(struct cf_parser *, void *);
int	 cf_hmac_secret(struct cf_parser *, void *);

/* config.c */

/* config_games.c */
int	 cf_games_json(struct cf_parser *);

#endif /* CONFIG_PARSE_H */
