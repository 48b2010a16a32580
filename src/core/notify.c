/*
 * The service manager's readiness protocol (sd_notify(3)), written here
 * rather than linked from libsystemd: one datagram of "KEY=VALUE" lines
 * to the AF_UNIX socket named by $NOTIFY_SOCKET.  Without the variable
 * (no systemd, or a unit that is not Type=notify) every call is a no-op,
 * so the BSDs and a plain `playwaved -d' never notice it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"

/* $NOTIFY_SOCKET as an address: a path, or "@name" (Linux abstract). */
static int
notify_addr(const char *e, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(e);

	if (n < 2 || n >= sizeof(sun->sun_path) || (e[0] != '/' && e[0] != '@'))
		return (-1);
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, e, n);
#ifdef __linux__
	if (e[0] == '@')
		sun->sun_path[0] = '\0';
#else
	if (e[0] == '@')
		return (-1);
#endif
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (e[0] == '/'));
	return (0);
}

int
pw_notify(const char *fmt, ...)
{
	struct sockaddr_un sun;
	socklen_t len;
	const char *e;
	char msg[512];
	va_list ap;
	int fd, n, rc;

	if ((e = getenv("NOTIFY_SOCKET")) == NULL)
		return (0);
	if (notify_addr(e, &sun, &len) == -1) {
		errno = EINVAL;
		return (-1);
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		errno = EMSGSIZE;
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return (-1);
	rc = sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sun, len) ==
	    n ? 0 : -1;
	close(fd);
	return (rc);
}
