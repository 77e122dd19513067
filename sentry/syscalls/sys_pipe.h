/* The pipe commands of fcntl(2), for sys_fcntl, and the FIFO open wait, for open(2). */
#ifndef SENTRY_SYSCALLS_SYS_PIPE_H
#define SENTRY_SYSCALLS_SYS_PIPE_H

#include <stdint.h>

struct task;
struct file;

/* F_GETPIPE_SZ / F_SETPIPE_SZ on f: the size in bytes, or -EBADF when f is no pipe (as
 * Linux), -EINVAL, -EPERM, -EBUSY, -ENOMEM (see pipe_set_size). */
long sys_pipe_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);

/* After opening f: a FIFO end opened without O_NONBLOCK waits here for its partner (a
 * reader for a writer and the other way round). 0 at once for every other file;
 * -ERESTARTSYS when interrupted (the caller puts f, which undoes the open). */
long sys_pipe_open_wait(struct task *t, struct file *f);

#endif
