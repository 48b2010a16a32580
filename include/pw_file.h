/*
 * Files opened (often as root) for the unprivileged processes: store,
 * billing log, access log, daemon log; and the pidfile's directory.
 * See playwaved(8), FILES AS ROOT.
 */
#ifndef PW_FILE_H
#define PW_FILE_H

#include <sys/types.h>

#include <stddef.h>

/* Who a file is handed to: uid (uid_t)-1 keeps the owner. */
struct pw_owner {
	uid_t	uid;
	gid_t	gid;
};

#define PW_OWNER_KEEP	((struct pw_owner){ (uid_t)-1, (gid_t)-1 })

/*
 * The directory path names, walked one component at a time from "/" (or
 * the working directory) with O_NOFOLLOW: a symbolic link is followed
 * only where it sits in a directory nobody but us can write.  With
 * PW_DIR_MAKE, the last component is created if missing, and handed to
 * owner through its descriptor; with PW_DIR_STRICT, every directory on
 * the way and the last must be ours alone (for a file only libraries
 * open by name).  The directory's descriptor, or -1 with err.
 */
#define PW_DIR_MAKE	0x1
#define PW_DIR_STRICT	0x2
int	pw_dir_open(const char *dir, int how, struct pw_owner owner,
	    char *err, size_t errlen);
/* Whether nobody but us can write into the directory open on fd. */
int	pw_dir_trusted(int fd);
/*
 * Open name in the directory dfd with O_NOFOLLOW (flags must not hold
 * O_TRUNC); it must be a regular file and, in a directory others can
 * write, have no other link.  Then it is handed to owner through the
 * descriptor.
 */
int	pw_file_openat(int dfd, const char *name, int flags, mode_t mode,
	    struct pw_owner owner, char *err, size_t errlen);
/* Both: the directory of path walked, then its last component opened. */
int	pw_file_open(const char *path, int flags, mode_t mode,
	    struct pw_owner owner, char *err, size_t errlen);
/* The directory part of path ("." for none) and its last component. */
const char *pw_file_split(const char *path, char *dir, size_t dirlen);

#endif /* PW_FILE_H */
