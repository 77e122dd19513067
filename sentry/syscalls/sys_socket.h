/*
 * Helpers shared by the socket system calls (sys_socket.c: data; sys_sockopt.c: options
 * and names).
 */
#ifndef SENTRY_SYSCALLS_SYS_SOCKET_H
#define SENTRY_SYSCALLS_SYS_SOCKET_H

#include "common/util.h"

struct task;
struct file;

/* The socket behind fd, +1; NULL with *err -EBADF, or -ENOTSOCK for another kind of
 * file. */
struct file *sys_sock_get(struct task *t, int fd, long *err);

/*
 * move_addr_to_user for an unnamed AF_UNIX address of klen bytes (0, or just the
 * family): copies at most *ulen bytes of it to uaddr and stores klen in *ulen. 0,
 * -EINVAL (a negative *ulen), -EFAULT.
 */
int sys_sock_addr_out(struct task *t, uaddr_t uaddr, uaddr_t ulen, int klen);

#endif
