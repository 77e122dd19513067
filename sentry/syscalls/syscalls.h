/*
 * System call dispatch: argument access for handlers, the table (table.h) and the
 * --strace decoder.
 *
 * Handler contract: long sys_<name>(struct task *t, const struct sysargs *a) decodes and
 * checks its arguments, calls down into kernel/, mm/ or fs/, and returns >= 0 or -errno.
 * Guest pointers are uaddr_t and only ever reach memory through mm_copy_* (or the
 * task_copy_* wrappers), which return -EFAULT for a bad pointer.
 *
 * Format letters (table.h), one per argument:
 *   d int   u unsigned size   x hex   p pointer   o octal mode
 *   s path string (in)   b buffer in, length = next arg   B buffer out, length = result
 *   D dirfd (AT_FDCWD)   O open flags   P mmap prot   M mmap flags   S signal number
 *   W lseek whence   C fcntl command   v string array (argv/envp)
 */
#ifndef SENTRY_SYSCALLS_SYSCALLS_H
#define SENTRY_SYSCALLS_SYSCALLS_H

#include <stdint.h>
#include "common/util.h"

struct task;

struct sysargs {
	uint64_t a[6];
};

static inline int sysarg_int(const struct sysargs *a, int i)
{
	return (int)a->a[i];
}
static inline unsigned sysarg_uint(const struct sysargs *a, int i)
{
	return (unsigned)a->a[i];
}
static inline int64_t sysarg_long(const struct sysargs *a, int i)
{
	return (int64_t)a->a[i];
}
static inline uaddr_t sysarg_addr(const struct sysargs *a, int i)
{
	return a->a[i];
}
static inline uint64_t sysarg_size(const struct sysargs *a, int i)
{
	return a->a[i];
}

typedef long (*sys_fn)(struct task *t, const struct sysargs *a);

enum sys_support { SYS_UNIMPL = 0, SYS_PARTIAL, SYS_FULL };

struct syscall_desc {
	const char *name;
	sys_fn fn;
	enum sys_support support;
	const char *fmt;
};

#define SYSCALL_MAX 512
extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* Runs syscall nr for t (strace logging included); returns the guest-visible result
 * or a restart code the task loop turns into one. */
long syscall_dispatch(struct task *t, uint64_t nr, const struct sysargs *a);

/* strace: prints "name(args) = result" for one syscall. */
void strace_enter(struct task *t, uint64_t nr, const struct sysargs *a, char *buf, size_t len);
void strace_exit(struct task *t, uint64_t nr, const struct sysargs *a, long ret, char *buf,
		 size_t len);

/* Every handler, declared from the table. */
#define SYSCALL(nr, name, support, fmt) long sys_##name(struct task *t, const struct sysargs *a);
#include "sentry/syscalls/table.h"
#undef SYSCALL

#endif
