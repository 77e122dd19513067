/* The syscall table, built from table.h: unimplemented lines bind no handler. */
#include "sentry/syscalls/syscalls.h"

#define SYS_FN_FULL(name) sys_##name
#define SYS_FN_PARTIAL(name) sys_##name
#define SYS_FN_UNIMPL(name) NULL

const struct syscall_desc syscall_table[SYSCALL_MAX] = {
#define SYSCALL(nr, name, support, fmt) \
	[nr] = { #name, SYS_FN_##support(name), SYS_##support, fmt },
#include "sentry/syscalls/table.h"
#undef SYSCALL
};
