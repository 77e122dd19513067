/*
 * epoll instances: an anonymous file ("anon_inode:[eventpoll]") that watches other files
 * through their waitqs and reports which are ready, level- or edge-triggered.
 *
 * An item is keyed by (file, fd) as on Linux: closing one fd of a dup'd file keeps the
 * item; it goes when the last reference to the file goes (file_put calls
 * epoll_file_release), never through the fd table. Items hold no reference on their file.
 *
 * The syscalls (sentry/syscalls/sys_epoll.c) look fds up, copy the guest's arguments and
 * do the blocking; this module owns the items, the ready list and the file type.
 */
#ifndef FS_EPOLL_EPOLL_H
#define FS_EPOLL_EPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct pollfd;

/* The guest's struct epoll_event: packed on x86-64 (12 bytes). */
struct epoll_ev {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLIN 0x001u
#define EPOLLOUT 0x004u
#define EPOLLERR 0x008u
#define EPOLLHUP 0x010u
#define EPOLLRDHUP 0x2000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

/* Linux's EP_MAX_NESTS: the longest chain of epolls watching epolls. */
#define EPOLL_MAX_NESTS 4

/* A new epoll file owned by uid/gid. +1 file. 0 or -ENOMEM. */
int epoll_file_new(uint32_t uid, uint32_t gid, struct file **out);
bool epoll_is(const struct file *f);

/*
 * epoll_ctl on the instance ep for target (tf, fd); ev is NULL for EPOLL_CTL_DEL.
 * The caller holds references on ep and tf. 0 or -EPERM (tf cannot be polled), -EINVAL
 * (ep is no epoll, ep == tf, bad op, EPOLLEXCLUSIVE rules), -EEXIST, -ENOENT, -ELOOP,
 * -ENOMEM.
 */
int epoll_ctl(struct file *ep, int op, struct file *tf, int fd, const struct epoll_ev *ev);

/*
 * Reports up to max ready events, calling put(ctx, i, ev) for the i-th one (it copies it
 * to the guest). An event whose put fails stays queued; the count so far is returned,
 * or put's error when it is the first. Never blocks. Preconditions: epoll_is(ep).
 */
typedef int (*epoll_put_fn)(void *ctx, int i, const struct epoll_ev *ev);
int epoll_send(struct file *ep, epoll_put_fn put, void *ctx, int max);

/*
 * Host fds of watched files that have no waitq (host stdio): nothing notifies for them,
 * so a waiter polls them on the host. Fills up to max and returns how many there are;
 * *notifying says whether other items may wake a waiter through the epoll's waitq.
 */
int epoll_host_fds(struct file *ep, struct pollfd *out, int max, bool *notifying);

/* For file_put: the last reference to f is going; drops every epoll item watching it. */
void epoll_file_release(struct file *f);

#endif
