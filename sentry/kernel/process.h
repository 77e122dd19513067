/*
 * The process tree: clone (clone.c), exit and reaping (exit.c), wait (wait.c), sessions
 * and process groups (pgrp.c).
 *
 * Locking: k->lock guards the pid table, parent/child links, zombie/reaped state, the
 * wait reports (stop_report, cont_report) and every task's cred pointer as seen from
 * another task. Waiters never block on k->lock (task_interrupt takes a block mutex and
 * is called with k->lock held): they block on proc_wait_lock, a leaf lock, with a
 * generation count (tg->child_gen) checked under it, so a notification between their
 * scan under k->lock and their sleep is never lost.
 *
 * Lifetime: a thread group is held (+1) by the process tree until it is reaped, and by
 * each pidfd. A leader that exits before its other threads stays in the pid table as a
 * zombie task (t->zombie) until its group is reaped, so the tgid is never reused early.
 */
#ifndef SENTRY_KERNEL_PROCESS_H
#define SENTRY_KERNEL_PROCESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/util.h"

struct task;
struct thread_group;
struct kernel;
struct linux_rusage;

/* The default sandbox-wide task limit (k->max_tasks, `warden do --max-tasks`): a fork bomb
 * gets -EAGAIN and the sandbox stays killable, like a pids cgroup. */
#define KERNEL_MAX_TASKS 4096

extern pthread_mutex_t proc_wait_lock;

/* clone(2)/clone3(2) arguments, decoded. */
struct clone_params {
	uint64_t flags; /* CLONE_* without the exit signal */
	int exit_signal;
	uaddr_t stack; /* the child's rsp; 0 keeps the parent's */
	uaddr_t tls;
	uaddr_t parent_tid, child_tid, pidfd;
	int set_tid; /* the pid the child must get (clone3 set_tid), 0 any */
};

/* Creates a thread or process as clone3 would. The child's tid, or -errno: -EINVAL
 * (flag combinations Linux rejects), -EAGAIN (RLIMIT_NPROC, the sandbox task limit),
 * -ENOMEM, -EFAULT (pidfd), -EEXIST (set_tid taken), -EINTR (the caller is dying). */
long task_clone(struct task *t, const struct clone_params *p);

/* Called by task_exit once t's resources are released: unlinks t, makes a zombie of the
 * group when t is its last thread (reparenting, SIGCHLD, reaping), ends the host thread. */
__attribute__((noreturn)) void proc_exit_task(struct task *t);

/* Frees a reaped (or never-started) thread group's last reference. */
/* A new, empty thread group of k (+1): no tasks, no signal handlers, zeroed limits. */
struct thread_group *tg_new(struct kernel *k);
void tg_get(struct thread_group *tg);
void tg_put(struct thread_group *tg);

/* Wakes whoever waits on tg's children (wait) or on its threads (execve); the _locked
 * form with proc_wait_lock held. */
void proc_wake(struct thread_group *tg);
void proc_wake_locked(struct thread_group *tg);
/*
 * Blocks t until *gen differs from the generation it saw (tg's child_gen) or t is
 * interrupted. killable: only an exit interrupts (the vfork and exec waits).
 * 0, or -EINTR.
 */
int proc_wait_gen(struct task *t, struct thread_group *tg, uint64_t gen, bool killable);

/* Job control: the signal code records a stop/continue report (sig_group.report) and
 * calls proc_wake(tg->parent) so that a waiting parent sees it. */

/* Reaps tg (zombie, k->lock held): out of the tree and the pid table, last ref put. */
void proc_reap_locked(struct thread_group *tg);

/* execve: the handlers become the process's own if shared with another process
 * (CLONE_SIGHAND without CLONE_THREAD). Only the exec'ing thread is left. 0 or -ENOMEM. */
int proc_unshare_sighand(struct thread_group *tg);

/* A vfork child let go of its parent's memory (exec or exit): wakes the parent. */
void proc_vfork_release(struct task *c);

/* execve's de_thread: kills t's other threads, waits for them, makes t the leader
 * (taking the tgid as its tid). 0, or -EINTR if the group is exiting. */
int proc_exec_dethread(struct task *t);

/* An orphaned process group check after tg left (exit) or moved (setpgid): called with
 * k->lock held. */
void pgrp_check_orphaned(struct kernel *k, int pgid, struct thread_group *gone);

/* Whether group pgid is orphaned (no member has a parent in the same session but
 * another group). Takes k->lock: call it with no tg or signal lock held. */
bool pgrp_is_orphaned(struct kernel *k, int pgid);

/* The pidfd file type: a +1 reference to tg. fd or -errno. */
int pidfd_create(struct task *t, struct thread_group *tg, unsigned flags);
/* The thread group of a pidfd (+1), or NULL and *err = -EBADF (no fd, or not a pidfd). */
struct thread_group *pidfd_tg(struct task *t, int fd, int *err);

/* kernel_alloc_pid with k->lock held (kernel.c). */
int kernel_alloc_pid_locked(struct kernel *k, struct task *t);

/* The number of tasks (threads, zombies included) whose real uid is uid. k->lock held. */
int proc_count_uid(struct kernel *k, uint32_t uid);

#endif
