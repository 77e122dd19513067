/* The seal commands of fcntl(2) (F_ADD_SEALS, F_GET_SEALS), for sys_fcntl. */
#ifndef SENTRY_SYSCALLS_SYS_MEMFD_H
#define SENTRY_SYSCALLS_SYS_MEMFD_H

#include <stdint.h>

struct task;
struct file;

/* F_GET_SEALS: the seals; F_ADD_SEALS: 0. -EINVAL on a file without seals (not tmpfs),
 * -EPERM, -EBUSY (see memfd_add_seals). */
long sys_memfd_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
