/*
 * Waiting for files in the sentry: the gVisor pattern. File ops never block; a syscall
 * whose file op said -EAGAIN (and whose file is not O_NONBLOCK) adds a waiter to the
 * file's waitq, re-checks readiness with vfs_poll, and blocks the task with task_block
 * until a notification, the deadline or task_interrupt (exit, signals).
 *
 * Each task thread has one wait object (thread-local, so it outlives every block and
 * task_interrupt can always lock it); any number of file_waiters point at it, which is
 * how poll waits on many files at once.
 *
 * Usage for several files:
 *	task_wait_arm();                       arm first: a notify from here on counts
 *	file_waiter_add(&w[i], f[i], events);  for each file with a waitq
 *	... check readiness; if none ...
 *	task_wait_block(t, deadline);
 *	file_waiter_del(&w[i]);                for each added
 */
#ifndef SENTRY_SYSCALLS_SYS_WAIT_FILE_H
#define SENTRY_SYSCALLS_SYS_WAIT_FILE_H

#include <stdbool.h>
#include <time.h>

#include "common/waitq.h"

struct task;
struct file;

struct file_waiter {
	struct waiter w;
	struct waitq *wq; /* NULL: not added */
};

/* Forgets earlier notifications: the next task_wait_block sleeps until a new one. */
void task_wait_arm(void);
/* Adds fw to f's waitq for events (plus POLLERR and POLLHUP). Returns false (and adds
 * nothing) when f has no waitq. The caller keeps f referenced until file_waiter_del. */
bool file_waiter_add(struct file_waiter *fw, struct file *f, short events);
void file_waiter_del(struct file_waiter *fw);
/*
 * Blocks the calling task until a waiter added since task_wait_arm is notified, until
 * abstime (CLOCK_MONOTONIC; NULL = forever), or until task_interrupt. 0 (notified or
 * notified already), -ETIMEDOUT or -EINTR.
 */
int task_wait_block(struct task *t, const struct timespec *abstime);

/*
 * Waits until f is ready for events (POLLIN or POLLOUT; POLLERR and POLLHUP count too),
 * then returns 0 for the caller to retry its operation. -ETIMEDOUT, -EINTR, or -EAGAIN
 * when f has no waitq (it will never become ready by itself).
 */
int sys_wait_file(struct task *t, struct file *f, short events, const struct timespec *abstime);

#endif
