/*
 * Networks ("10.0.0.0/8", "2001:db8::/32") and listen addresses
 * ("127.0.0.1:8080", "[::1]:8080", "*:8080").  Numeric only: a config
 * check must not depend on DNS, and neither may a reload.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "pw_config.h"

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Digits only (no sign, no space) from min to max, or -1. */
static long long
plain_number(const char *s, long long min, long long max)
{
	const char	*errstr;
	long long	 n;
	size_t		 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return (-1);
	if (i == 0)
		return (-1);
	n = strtonum(s, min, max, &errstr);
	return (errstr == NULL ? n : -1);
}

/* Clear every bit past the prefix. */
static void
mask_host(uint8_t *a, size_t len, int prefix)
{
	size_t	 i;
	int	 bits;

	for (i = 0; i < len; i++) {
		bits = prefix - (int)i * 8;
		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

static int
prefix_equal(const uint8_t *a, const uint8_t *b, int prefix)
{
	int	 full = prefix / 8, rest = prefix % 8;
	uint8_t	 m;

	if (memcmp(a, b, (size_t)full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	m = (uint8_t)(0xff << (8 - rest));
	return ((a[full] & m) == (b[full] & m));
}

/*
 * Sockets of an AF_INET6 listener see IPv4 clients as ::ffff:a.b.c.d;
 * keep both as plain IPv4 so one IPv4 network matches them all.
 */
static void
unmap_v4(struct pw_net *n)
{
	if (n->af != AF_INET6 || n->prefix < 96 ||
	    memcmp(n->addr, v4mapped, sizeof(v4mapped)) != 0)
		return;
	memmove(n->addr, n->addr + 12, 4);
	memset(n->addr + 4, 0, 12);
	n->af = AF_INET;
	n->prefix -= 96;
}

int
pw_net_parse(struct pw_net *net, const char *text)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*slash;
	size_t		 hlen;
	long long	 prefix;
	int		 af, max;

	memset(net, 0, sizeof(*net));
	slash = strchr(text, '/');
	hlen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (hlen == 0 || hlen >= sizeof(host))
		return (-1);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	af = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	max = af == AF_INET6 ? 128 : 32;
	if (inet_pton(af, host, net->addr) != 1)
		return (-1);
	prefix = max;
	if (slash != NULL && (prefix = plain_number(slash + 1, 0, max)) == -1)
		return (-1);
	net->af = af;
	net->prefix = (int)prefix;
	mask_host(net->addr, sizeof(net->addr), net->prefix);
	unmap_v4(net);
	return (0);
}

/* The address of sa as bytes, an IPv4-mapped IPv6 one as IPv4. */
static int
sockaddr_bytes(const struct sockaddr *sa, uint8_t *a)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		memcpy(a, &sin->sin_addr, 4);
		return (AF_INET);
	}
	if (sa->sa_family != AF_INET6)
		return (-1);
	sin6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (memcmp(sin6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0) {
		memcpy(a, sin6->sin6_addr.s6_addr + 12, 4);
		return (AF_INET);
	}
	memcpy(a, sin6->sin6_addr.s6_addr, 16);
	return (AF_INET6);
}

int
pw_net_contains(const struct pw_net *net, const struct sockaddr *sa)
{
	uint8_t	 a[16];

	if (sa == NULL || sockaddr_bytes(sa, a) != net->af)
		return (0);
	return (prefix_equal(a, net->addr, net->prefix));
}

int
pw_net_overlap(const struct pw_net *a, const struct pw_net *b)
{
	if (a->af != b->af)
		return (0);
	/* Two prefixes share an address iff the shorter contains the other. */
	return (prefix_equal(a->addr, b->addr, a->prefix < b->prefix ?
	    a->prefix : b->prefix));
}

static int
listen_v4(struct pw_listen *l, const char *host, int port)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (strcmp(host, "*") == 0)
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return (-1);
#ifdef SIN6_LEN
	sin.sin_len = sizeof(sin);
#endif
	memcpy(&l->ss, &sin, sizeof(sin));
	l->sslen = sizeof(sin);
	return (0);
}

static int
listen_v6(struct pw_listen *l, const char *host, int port)
{
	struct sockaddr_in6	 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
		return (-1);
#ifdef SIN6_LEN
	sin6.sin6_len = sizeof(sin6);
#endif
	memcpy(&l->ss, &sin6, sizeof(sin6));
	l->sslen = sizeof(sin6);
	return (0);
}

int
pw_listen_parse(struct pw_listen *l, const char *text)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*hstart, *hend, *port;
	long long	 n;
	size_t		 hlen;
	int		 v6 = text[0] == '[';

	memset(l, 0, sizeof(*l));
	if (strlen(text) >= sizeof(l->text))
		return (-1);
	if (v6) {
		hstart = text + 1;
		if ((hend = strchr(hstart, ']')) == NULL || hend[1] != ':')
			return (-1);
		port = hend + 2;
	} else {
		hstart = text;
		if ((hend = strrchr(text, ':')) == NULL)
			return (-1);
		port = hend + 1;
	}
	hlen = (size_t)(hend - hstart);
	if (hlen == 0 || hlen >= sizeof(host))
		return (-1);
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	if ((n = plain_number(port, 1, 65535)) == -1)
		return (-1);
	if ((v6 ? listen_v6(l, host, (int)n) : listen_v4(l, host, (int)n)) ==
	    -1) {
		memset(l, 0, sizeof(*l));
		return (-1);
	}
	(void)strlcpy(l->text, text, sizeof(l->text));
	return (0);
}

/* The network's first address as a socket address. */
void
pw_net_sockaddr(const struct pw_net *n, struct sockaddr_storage *ss)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	memset(ss, 0, sizeof(*ss));
	if (n->af == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, n->addr, 4);
		memcpy(ss, &sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, n->addr, 16);
		memcpy(ss, &sin6, sizeof(sin6));
	}
}
