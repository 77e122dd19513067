/*
 * Robust futex lists (set_robust_list): when a thread dies holding robust mutexes, their
 * futex words get FUTEX_OWNER_DIED and a waiter is woken, so the next locker sees
 * EOWNERDEAD instead of hanging.
 */
#ifndef SENTRY_KERNEL_ROBUST_H
#define SENTRY_KERNEL_ROBUST_H

struct task;

#define ROBUST_LIST_LIMIT 2048 /* Linux's bound on the entries walked */

/*
 * Walks t's robust list (t->robust_list) and its list_op_pending entry, marking the
 * futexes t still owns. Call from the exiting thread (and at exec) while t->mm is still
 * held, before the CLONE_CHILD_CLEARTID wake. A corrupt list ends the walk; never fails.
 */
void futex_exit_robust(struct task *t);

#endif
