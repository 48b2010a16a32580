/*
 * playwaved.conf(5) tokens and directive arguments.
 *
 * The grammar has no statement terminator: every directive takes a fixed
 * number of arguments, so newlines are plain white space and a missing
 * argument shows up as the next directive's name being read in its place.
 * Messages therefore always say what was expected and what came instead.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

/* How much of an offending token a message quotes. */
#define GOT_MAX		48

/*
 * The first error, or with p->all every error, one a line, in err; a
 * message that no longer fits is counted, not cut in half.
 */
int
cf_error(struct cf_parser *p, int line, const char *fmt, ...)
{
	char	 msg[512], full[1200];
	va_list	 ap;
	int	 n;

	p->err_line = line;
	if (p->nerrors++ > 0 && !p->all)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(full, sizeof(full), "%s%s:%d: %s", p->errused > 0 ?
	    "\n" : "", p->fname, line, msg);
	if (p->err == NULL || p->errlen == 0 || n < 0)
		return (-1);
	if (p->errused == 0 || p->errused + (size_t)n < p->errlen) {
		(void)strlcpy(p->err + p->errused, full,
		    p->errlen - p->errused);
		p->errused += strlen(p->err + p->errused);
	}
	return (-1);
}

/* Put the token just read back, to be read again. */
static void
unread(struct cf_parser *p)
{
	p->cur = p->tok_start;
	p->line = p->tok.line;
}

void
cf_resync(struct cf_parser *p)
{
	int	 depth = 0, line = p->err_line;

	/*
	 * A missing argument reads the next line's directive in its
	 * place: give that directive back rather than lose it.
	 */
	if (p->tok_ok && p->tok_first && p->tok_start != p->stmt_start &&
	    p->tok_start != p->resync_at && (p->tok.type == TOK_WORD ||
	    p->tok.type == TOK_RBRACE)) {
		unread(p);
		p->resync_at = p->cur;
		return;
	}
	/* The byte the lexer stopped at is reported: step over it. */
	if (!p->tok_ok && p->cur < p->end && *p->cur++ == '\n')
		p->line++;
	while (p->cur < p->end) {
		if (cf_lex(p) == -1) {
			/* Reported; never stuck on the byte it stopped at. */
			if (p->cur == p->tok_start && p->cur < p->end &&
			    *p->cur++ == '\n')
				p->line++;
			continue;
		}
		if (p->tok.type == TOK_EOF)
			return;
		if (p->tok.type == TOK_LBRACE) {
			depth++;
			continue;
		}
		if (p->tok.type == TOK_RBRACE) {
			if (depth == 0) {
				unread(p);	/* it closes an enclosing block */
				p->resync_at = p->cur;
				return;
			}
			if (--depth == 0 && p->tok.line > line)
				return;
			continue;
		}
		if (depth == 0 && p->tok.line > line) {
			unread(p);
			p->resync_at = p->cur;
			return;
		}
	}
}

static int
is_blank(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v');
}

static int
is_control(unsigned char c)
{
	return (c < 0x20 || c == 0x7f);
}

/* Skip white space and comments, counting lines. */
static void
skip_blank(struct cf_parser *p)
{
	while (p->cur < p->end) {
		if (*p->cur == '#') {
			while (p->cur < p->end && *p->cur != '\n')
				p->cur++;
		} else if (is_blank((unsigned char)*p->cur)) {
			if (*p->cur == '\n')
				p->line++;
			p->cur++;
		} else
			break;
	}
}

static int
append(struct cf_parser *p, struct cf_token *t, char c)
{
	if (t->len + 1 >= sizeof(t->text))
		return (cf_error(p, t->line, "token longer than %zu bytes",
		    sizeof(t->text) - 1));
	t->text[t->len++] = c;
	t->text[t->len] = '\0';
	return (0);
}

/*
 * A quoted string ends on its line: a newline inside one is reported as
 * an unterminated string at the line it began, which is where the
 * mistake is, instead of wherever the next quote happens to be.
 */
static int
lex_quoted(struct cf_parser *p, struct cf_token *t)
{
	unsigned char	 c;

	t->type = TOK_STRING;
	p->cur++;
	for (;;) {
		if (p->cur == p->end || *p->cur == '\n')
			return (cf_error(p, t->line, "unterminated quoted "
			    "string: expected a closing '\"' on this line"));
		c = (unsigned char)*p->cur++;
		if (c == '"')
			return (0);
		if (c == '\\') {
			if (p->cur == p->end || *p->cur == '\n')
				continue;	/* reported as unterminated */
			c = (unsigned char)*p->cur++;
			if (c != '"' && c != '\\')
				return (cf_error(p, t->line, "expected \\\" or "
				    "\\\\ in a quoted string, got '\\%c'",
				    is_control(c) ? '?' : c));
		} else if (is_control(c))
			return (cf_error(p, t->line, "control character 0x%02x "
			    "in a quoted string", c));
		if (append(p, t, (char)c) == -1)
			return (-1);
	}
}

static int
lex_word(struct cf_parser *p, struct cf_token *t)
{
	unsigned char	 c;

	t->type = TOK_WORD;
	while (p->cur < p->end) {
		c = (unsigned char)*p->cur;
		if (is_blank(c) || c == '#' || c == '"' || c == '{' || c == '}')
			break;
		if (is_control(c))
			return (cf_error(p, p->line, "control character 0x%02x "
			    "in the file", c));
		if (append(p, t, (char)c) == -1)
			return (-1);
		p->cur++;
	}
	return (0);
}

/* Read the next token into p->tok; TOK_EOF at the end of the text. */
int
cf_lex(struct cf_parser *p)
{
	struct cf_token	*t = &p->tok;

	skip_blank(p);
	t->len = 0;
	t->text[0] = '\0';
	p->tok_ok = 0;
	p->tok_start = p->cur;
	p->tok_first = p->line != t->line || t->type == TOK_EOF;
	/*
	 * Whatever is missing at the end of the file was missing after the
	 * last thing in it, not on the blank lines that may follow.
	 */
	if (p->cur == p->end) {
		t->type = TOK_EOF;
		t->line = p->last_line;
		p->tok_ok = 1;
		return (0);
	}
	t->line = p->last_line = p->line;
	switch (*p->cur) {
	case '{':
	case '}':
		t->type = *p->cur == '{' ? TOK_LBRACE : TOK_RBRACE;
		t->text[0] = *p->cur++;
		t->text[1] = '\0';
		t->len = 1;
		break;
	case '"':
		if (lex_quoted(p, t) == -1)
			return (-1);
		break;
	default:
		if (lex_word(p, t) == -1)
			return (-1);
		break;
	}
	p->tok_ok = 1;
	return (0);
}

/* The token as a message shows it: "end of file", 'word', "string". */
const char *
cf_got(const struct cf_token *t, char *buf, size_t size)
{
	const char	*more = t->len > GOT_MAX ? "..." : "";

	switch (t->type) {
	case TOK_EOF:
		return ("end of file");
	case TOK_STRING:
		(void)snprintf(buf, size, "\"%.*s%s\"", GOT_MAX, t->text, more);
		break;
	default:
		(void)snprintf(buf, size, "'%.*s%s'", GOT_MAX, t->text, more);
		break;
	}
	return (buf);
}

/* Read an argument of the current directive: a word or a string. */
int
cf_arg(struct cf_parser *p, const char *what)
{
	char	 got[GOT_MAX + 8];

	if (cf_lex(p) == -1)
		return (-1);
	if (p->tok.type == TOK_WORD || p->tok.type == TOK_STRING)
		return (0);
	return (cf_error(p, p->tok.line, "expected %s after '%s', got %s",
	    what, p->dir, cf_got(&p->tok, got, sizeof(got))));
}

/* A non-empty string argument that fits dst with its NUL. */
int
cf_string(struct cf_parser *p, char *dst, size_t size)
{
	if (cf_arg(p, "a string") == -1)
		return (-1);
	if (p->tok.len == 0)
		return (cf_error(p, p->tok.line, "expected a non-empty string "
		    "after '%s'", p->dir));
	if (p->tok.len >= size)
		return (cf_error(p, p->tok.line, "expected a string of at most "
		    "%zu bytes after '%s', got %zu bytes", size - 1, p->dir,
		    p->tok.len));
	memcpy(dst, p->tok.text, p->tok.len + 1);
	return (0);
}

/*
 * strtonum(3) alone would take a sign and leading white space; a count
 * in a config file is plain digits.
 */
int
cf_number(struct cf_parser *p, long long min, long long max, int64_t *out)
{
	char		 got[GOT_MAX + 8];
	const char	*errstr;
	long long	 n;
	size_t		 i;

	if (cf_arg(p, "a number") == -1)
		return (-1);
	for (i = 0; i < p->tok.len; i++)
		if (!isdigit((unsigned char)p->tok.text[i]))
			break;
	if (p->tok.len == 0 || i < p->tok.len)
		return (cf_error(p, p->tok.line, "expected a number after "
		    "'%s', got %s", p->dir, cf_got(&p->tok, got, sizeof(got))));
	n = strtonum(p->tok.text, min, max, &errstr);
	if (errstr != NULL)
		return (cf_error(p, p->tok.line, "expected a number from %lld "
		    "to %lld after '%s', got %s", min, max, p->dir,
		    cf_got(&p->tok, got, sizeof(got))));
	*out = n;
	return (0);
}

/*
 * A fixed keyword inside a long directive (`offer'); it becomes the
 * context of the messages about the value that follows it.
 */
int
cf_keyword(struct cf_parser *p, const char *kw)
{
	char	 got[GOT_MAX + 8];

	if (cf_lex(p) == -1)
		return (-1);
	if (p->tok.type != TOK_WORD || strcmp(p->tok.text, kw) != 0)
		return (cf_error(p, p->tok.line, "expected '%s' in '%s', "
		    "got %s", kw, p->stmt, cf_got(&p->tok, got, sizeof(got))));
	p->dir = kw;
	return (0);
}

const struct cf_directive *
cf_find(const struct cf_directive *tab, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return (&tab[i]);
	return (NULL);
}

/*
 * Apply the directive just read (p->tok is its name) to obj.  seen holds
 * the line of its first use in this block, to refuse a repeated setting
 * that would otherwise silently override the first.
 */
int
cf_apply(struct cf_parser *p, const struct cf_directive *d, void *obj,
    int *seen)
{
	char	*field = (char *)obj + d->off;
	int64_t	 n;

	p->stmt_start = p->tok_start;
	if (!d->repeat && *seen != 0)
		return (cf_error(p, p->tok.line, "'%s' given twice, first at "
		    "line %d", d->name, *seen));
	*seen = p->tok.line;
	p->stmt = p->dir = d->name;
	switch (d->kind) {
	case CF_I64:
		return (cf_number(p, d->min, d->max, (int64_t *)(void *)field));
	case CF_INT:
		if (cf_number(p, d->min, d->max, &n) == -1)
			return (-1);
		*(int *)(void *)field = (int)n;
		return (0);
	case CF_STR:
		return (cf_string(p, field, d->size));
	case CF_FN:
		return (d->fn(p, obj));
	}
	return (-1);
}
