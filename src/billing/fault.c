/*
 * A test-only fault: the billing log's disk is full.  Built into the
 * daemon only with -DPW_TEST_FAULTS (the fault-injection build the
 * integration tests make apart, never `make' or a package): then, while
 * the file named by $PLAYWAVED_FAULT_ENOSPC exists, every write(2) and
 * fsync(2) of the log fails with ENOSPC; while the one named by
 * $PLAYWAVED_FAULT_FSYNC exists, every fsync(2) does (the write went to
 * the page cache, the blocks could not be had: thin provisioning, a
 * delayed allocation).  The test makes room again by removing the file.
 * Without PW_TEST_FAULTS these are the plain system calls.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "pw_billing.h"

#ifdef PW_TEST_FAULTS
static int
disk_full(const char *var)
{
	const char *flag;
	struct stat sb;

	if ((flag = getenv(var)) == NULL || stat(flag, &sb) == -1)
		return (0);
	errno = ENOSPC;
	return (1);
}
#else
static int
disk_full(const char *var)
{
	(void)var;
	return (0);
}
#endif

ssize_t
pw_fault_write(int fd, const void *buf, size_t n)
{
	return (disk_full("PLAYWAVED_FAULT_ENOSPC") ? -1 : write(fd, buf, n));
}

int
pw_fault_fsync(int fd)
{
	return (disk_full("PLAYWAVED_FAULT_ENOSPC") ||
	    disk_full("PLAYWAVED_FAULT_FSYNC") ? -1 : fsync(fd));
}
