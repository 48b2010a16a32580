/*
 * An LD_PRELOAD shim for the integration tests: counts the calls of
 * malloc, calloc and realloc each process makes, in a shared file named
 * by $PW_MCOUNT (an array of pid, count pairs indexed by pid), so that a
 * test can read how many allocations a worker made while it served.
 * glibc only (it calls __libc_malloc and friends); a test skips without.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define SLOTS	4096

struct slot {
	_Atomic int32_t	 pid;
	_Atomic int32_t	 pad;
	_Atomic uint64_t count;
};

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);

static struct slot *table;
static _Atomic int32_t mypid;

static void
child(void)
{
	atomic_store(&mypid, (int32_t)getpid());
}

__attribute__((constructor)) static void
mcount_init(void)
{
	const char *path = getenv("PW_MCOUNT");
	int fd;
	void *p;

	atomic_store(&mypid, (int32_t)getpid());
	(void)pthread_atfork(NULL, NULL, child);
	if (path == NULL || (fd = open(path, O_RDWR)) == -1)
		return;
	p = mmap(NULL, SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	(void)close(fd);
	if (p != MAP_FAILED)
		table = p;
}

static void
count(void)
{
	struct slot *s;
	int32_t pid;

	if (table == NULL)
		return;
	pid = atomic_load(&mypid);
	s = &table[(uint32_t)pid % SLOTS];
	atomic_store(&s->pid, pid);
	atomic_fetch_add(&s->count, 1);
}

void *
malloc(size_t n)
{
	count();
	return (__libc_malloc(n));
}

void *
calloc(size_t n, size_t m)
{
	count();
	return (__libc_calloc(n, m));
}

void *
realloc(void *p, size_t n)
{
	count();
	return (__libc_realloc(p, n));
}
