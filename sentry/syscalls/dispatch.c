/* Syscall dispatch: table lookup, --strace, and ENOSYS (logged once) for the rest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

static uint8_t warned[SYSCALL_MAX];

static long unimplemented(uint64_t nr)
{
	if (nr < SYSCALL_MAX && !__atomic_exchange_n(&warned[nr], 1, __ATOMIC_RELAXED)) {
		const char *name = syscall_table[nr].name;

		log_debug("unsupported syscall %s (%lu): ENOSYS", name ? name : "?",
			  (unsigned long)nr);
	}
	return -ENOSYS;
}

static void strace_emit(struct task *t, const char *line, size_t n)
{
	int fd = t->k->strace_fd >= 0 ? t->k->strace_fd : 2;

	if (write(fd, line, n) < 0)
		return;
}

long syscall_dispatch(struct task *t, uint64_t nr, const struct sysargs *a)
{
	const struct syscall_desc *d = nr < SYSCALL_MAX ? &syscall_table[nr] : NULL;
	char buf[1024];
	long ret;

	if (!t->k->strace) {
		if (!d || !d->fn)
			return unimplemented(nr);
		return d->fn(t, a);
	}
	/* Calls that may not return print their line on entry. */
	if (nr == __NR_exit || nr == __NR_exit_group || nr == __NR_execve) {
		strace_enter(t, nr, a, buf, sizeof(buf));
		strace_emit(t, buf, strlen(buf));
	}
	ret = (!d || !d->fn) ? unimplemented(nr) : d->fn(t, a);
	if (nr == __NR_exit || nr == __NR_exit_group)
		return ret; /* already printed, and it does not return to the guest */
	strace_exit(t, nr, a, ret, buf, sizeof(buf));
	strace_emit(t, buf, strlen(buf));
	return ret;
}
