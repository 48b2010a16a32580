/*
 * Opening files as root in directories the service user may write, the
 * way OpenBSD's daemons do: never follow a link the service user could
 * have planted, check what was opened with fstat(2) before using it, and
 * change ownership through the descriptor, never by name.  A directory is
 * reached one component at a time by openat(2) from a descriptor already
 * checked, so no name the service user controls is resolved twice.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw.h"
#include "pw_file.h"

#ifndef O_DIRECTORY
#define O_DIRECTORY	0
#endif

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)

int
pw_dir_trusted(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return (0);
	return (sb.st_uid == geteuid() &&
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) == 0);
}

/* A link where O_NOFOLLOW refused to go: ELOOP; EMLINK on FreeBSD. */
static int
is_link_error(int e)
{
	return (e == ELOOP || e == EMLINK);
}

static int
fail(char *err, size_t errlen, const char *what, const char *why)
{
	snprintf(err, errlen, "%s: %s", what, why);
	return (-1);
}

/* One step down from fd; it is closed. */
static int
step(int fd, const char *name, int last, int how, struct pw_owner owner,
    const char *path, char *err, size_t errlen)
{
	struct stat sb;
	int trusted = pw_dir_trusted(fd), nfd, made = 0, e, link;

	if ((how & PW_DIR_STRICT) && !trusted) {
		close(fd);
		return (fail(err, errlen, path, "on a path through a "
		    "directory others can write"));
	}
	if (strcmp(name, "..") == 0 && !trusted) {
		close(fd);
		return (fail(err, errlen, path, "\"..\" out of a directory "
		    "others can write"));
	}
	if (last && (how & PW_DIR_MAKE) && mkdirat(fd, name, 0750) == 0)
		made = 1;
	nfd = openat(fd, name, DIR_FLAGS | O_NOFOLLOW);
	e = errno;
	/* With O_DIRECTORY, Linux says ENOTDIR of a link: ask what it is. */
	link = nfd == -1 && (is_link_error(e) || e == ENOTDIR) &&
	    fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(sb.st_mode);
	if (link && trusted &&
	    (nfd = openat(fd, name, DIR_FLAGS)) == -1)	/* our own link */
		e = errno;
	close(fd);
	if (nfd == -1)
		return (fail(err, errlen, path, link && !trusted ?
		    "a symbolic link in a directory others can write" :
		    strerror(e)));
	if (made && owner.uid != (uid_t)-1 &&
	    fchown(nfd, owner.uid, owner.gid) == -1) {
		e = errno;
		close(nfd);
		return (fail(err, errlen, path, strerror(e)));
	}
	return (nfd);
}

/* As pw_dir_open, naming `shown' in messages. */
static int
walk(const char *dir, const char *shown, int how, struct pw_owner owner,
    char *err, size_t errlen)
{
	char buf[1024], *p, *name, *next;
	int fd;

	if (strlcpy(buf, dir, sizeof(buf)) >= sizeof(buf))
		return (fail(err, errlen, shown, "path too long"));
	if ((fd = open(buf[0] == '/' ? "/" : ".", DIR_FLAGS)) == -1)
		return (fail(err, errlen, shown, strerror(errno)));
	for (p = buf; p != NULL; p = next) {
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		while (next != NULL && *next == '/')
			next++;
		name = p;
		if (*name == '\0' || strcmp(name, ".") == 0)
			continue;
		if ((fd = step(fd, name, next == NULL || *next == '\0', how,
		    owner, shown, err, errlen)) == -1)
			return (-1);
	}
	if ((how & PW_DIR_STRICT) && !pw_dir_trusted(fd)) {
		close(fd);
		return (fail(err, errlen, shown, "others can write it"));
	}
	return (fd);
}

int
pw_dir_open(const char *dir, int how, struct pw_owner owner, char *err,
    size_t errlen)
{
	return (walk(dir, dir, how, owner, err, errlen));
}

static int
check_file(int fd, int trusted, const char *name, char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return (fail(err, errlen, name, strerror(errno)));
	if (!S_ISREG(sb.st_mode))
		return (fail(err, errlen, name, "not a regular file"));
	if (trusted)
		return (0);
	/* A hard link there could be to any file of ours. */
	if (sb.st_nlink != 1)
		return (fail(err, errlen, name, "has other hard links"));
	return (0);
}

/* As pw_file_openat, naming the file `shown' in messages. */
static int
open_in(int dfd, const char *name, const char *shown, int flags,
    mode_t mode, struct pw_owner owner, char *err, size_t errlen)
{
	int fd, fl, e;

	/* Nonblocking, so that a FIFO planted there cannot hang us. */
	fd = openat(dfd, name, (flags & ~O_TRUNC) | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK, mode);
	if (fd == -1)
		return (fail(err, errlen, shown, is_link_error(errno) ?
		    "is a symbolic link" : strerror(errno)));
	if (check_file(fd, pw_dir_trusted(dfd), shown, err, errlen) == -1)
		goto bad;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    (owner.uid != (uid_t)-1 &&
	    fchown(fd, owner.uid, owner.gid) == -1)) {
		fail(err, errlen, shown, strerror(errno));
		goto bad;
	}
	return (fd);
bad:
	e = errno;
	close(fd);
	errno = e;
	return (-1);
}

int
pw_file_openat(int dfd, const char *name, int flags, mode_t mode,
    struct pw_owner owner, char *err, size_t errlen)
{
	return (open_in(dfd, name, name, flags, mode, owner, err, errlen));
}

const char *
pw_file_split(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		strlcpy(dir, ".", dirlen);
		return (path);
	}
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1;		/* "/name" */
	if (n >= dirlen)
		n = dirlen - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return (slash + 1);
}

int
pw_file_open(const char *path, int flags, mode_t mode, struct pw_owner owner,
    char *err, size_t errlen)
{
	char dir[1024];
	const char *name;
	int dfd, fd, e;

	name = pw_file_split(path, dir, sizeof(dir));
	if (*name == '\0')
		return (fail(err, errlen, path, "names a directory"));
	if ((dfd = walk(dir, path, 0, PW_OWNER_KEEP, err, errlen)) == -1)
		return (-1);
	fd = open_in(dfd, name, path, flags, mode, owner, err, errlen);
	e = errno;
	close(dfd);
	errno = e;
	return (fd);
}
