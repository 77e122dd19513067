/*
 * Signals: generation (queues with siginfo, target selection, default actions), delivery
 * at each return to the guest (handler frames in sigframe.c, syscall restart, job-control
 * stops) and the helpers blocking syscalls use to be interruptible.
 *
 * Locking: the pending queues, t->sigmask (written), the saved mask and the job-control
 * state are under tg->sighand->lock ("siglock"), which nests inside tg->lock and outside
 * t->lock (see task.h). Neither siglock nor tg->lock is ever a task_block() mutex, so
 * task_interrupt() may be called with them held.
 *
 * Callers of sig_send*() hold no tg->lock or siglock, and keep target alive (k->lock held,
 * or target is the calling task).
 *
 * t->interrupted means "a signal to deliver, a stop, or exiting" (Linux's TIF_SIGPENDING):
 * sig_deliver recomputes it at each return to the guest, so a blocking call made after a
 * stale task_interrupt() is not failed. Code that interrupts a task for another reason
 * must record that reason where its wait loop looks (as exit does with t->exiting).
 */
#ifndef SENTRY_KERNEL_SIGNAL_H
#define SENTRY_KERNEL_SIGNAL_H

#include <stdbool.h>
#include <time.h>

#include "common/util.h"
#include "sentry/abi/linux.h"

struct task;
struct thread_group;
struct plat_fault;

#define SIG_BIT(s) (1ULL << ((s)-1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define SIG_RTMIN 32
/* Not in glibc's headers: the kernel's values. */
#define LINUX_SA_RESTORER 0x04000000
#define LINUX_SS_AUTODISARM (1U << 31)
#define LINUX_MINSIGSTKSZ 2048

/* One queued signal instance. */
struct sigqueue {
	struct sigqueue *next;
	struct linux_siginfo info;
};

/* Pending signals: the set, and the siginfo of each queued instance in arrival order. A
 * zeroed struct is an empty set. A bit may be set without a queued entry (an RT signal
 * sent past RLIMIT_SIGPENDING by kill(2)): it is then delivered with a minimal siginfo. */
struct sigpending {
	linux_sigset_t set;
	struct sigqueue *head;
};

/* restart_syscall(2): how to resume a call that returned -ERESTART_RESTARTBLOCK. */
struct sig_restart_block {
	long (*fn)(struct task *t);
	int clockid;
	struct timespec deadline; /* absolute, on clockid */
	uaddr_t rmtp;
};

/* Per task (struct task.sig). Zeroed is the initial state. */
struct sig_task {
	struct sigpending pending; /* thread-directed */
	/* sigsuspend, ppoll & co: the mask to restore after the next delivery (or at once
	 * if no handler runs); the frame's uc_sigmask takes it. */
	linux_sigset_t saved_mask;
	bool restore_mask;
	linux_sigset_t real_blocked; /* rt_sigtimedwait: the mask while it waits unblocked */
	bool stop_pending; /* must take part in the group stop in progress */
	bool in_syscall; /* regs.rax holds a syscall result that may be a restart code */
	bool sigreturned; /* rt_sigreturn replaced the registers: no restart, keep rax */
	struct sig_restart_block restart;
	/* The last fault, for the sigcontext's trapno/err/cr2 (Linux's thread.trap_nr &co). */
	uint64_t trapno, err, cr2;
};

/* Job-control reports a parent's wait can consume (WSTOPPED / WCONTINUED). */
enum { SIG_REPORT_NONE, SIG_REPORT_STOPPED, SIG_REPORT_CONTINUED };

/* Per thread group (struct thread_group.sig). Zeroed is the initial state. */
struct sig_group {
	struct sigpending pending; /* process-directed */
	int nqueued; /* queued siginfo entries, against RLIMIT_SIGPENDING */
	int stop_count; /* threads yet to stop in a group stop in progress */
	bool stopped; /* every thread stopped; SIGCONT or SIGKILL ends it */
	int stop_sig;
	int report; /* SIG_REPORT_*: what waitid(WSTOPPED/WCONTINUED) would report */
	bool notify_cont; /* continued: the next thread to run tells the parent (SIGCHLD) */
};

enum sig_default { SIG_DEF_TERM, SIG_DEF_CORE, SIG_DEF_IGNORE, SIG_DEF_STOP, SIG_DEF_CONT };

enum sig_default sig_default_action(int sig);

/* ---- generation ---- */
/* Sends sig to target (the whole thread group when group is true), with a siginfo of
 * SI_USER from no one in particular. 0 or -errno. */
int sig_send(struct task *target, int sig, bool group);
/* Sends info->si_signo with that siginfo (kill/tgkill fill si_pid/si_uid, the kernel
 * fills SIGCHLD and fault details). 0, -EINVAL (bad signal), -EAGAIN (RT queue full). */
int sig_send_info(struct task *target, const struct linux_siginfo *info, bool group);
/* Sends a synchronous fault signal to t itself (the calling task); a blocked or ignored
 * one is forced to its default action, as Linux does. */
void sig_force_fault(struct task *t, int sig, int code, uint64_t addr);
/* Turns a guest fault the platform reported into mm paging or the signal Linux sends. */
void sig_handle_fault(struct task *t, const struct plat_fault *f);
/* 0 if sender may signal target (same uid, or CAP_KILL), else -EPERM. */
int sig_check_kill(struct task *sender, struct task *target, const struct linux_siginfo *info);
/* siginfo for kill(2)-like calls from t: si_code code, si_pid and si_uid of t. */
void sig_info_from(struct task *t, int sig, int code, struct linux_siginfo *info);

/* ---- delivery (task thread only) ---- */
/* Records a syscall result in t->regs.rax; restart codes are resolved by sig_deliver. */
void sig_syscall_return(struct task *t, long ret);
/* Before returning to the guest: resolves syscall restarts, runs default actions, builds
 * handler frames, takes part in group stops. May mark the group exiting. */
void sig_deliver(struct task *t);
/* True if t has a signal to deliver or must stop or exit: a blocking call should end. */
bool sig_pending(struct task *t);
/* Replaces t's mask until the next return to the guest (sigsuspend, ppoll, pselect,
 * epoll_pwait): a handler then runs with this mask and sigreturn restores the old one. */
void sig_set_temp_mask(struct task *t, linux_sigset_t mask);
/* Ends a temporary mask at once unless the call is about to return interrupted (-EINTR
 * or a restart code): then delivery restores it after the handler frame is built. */
void sig_restore_temp_mask(struct task *t, long ret);
/* rt_sigaction: old gets the action, act (if not NULL) replaces it; ignoring a signal
 * discards its pending instances. */
void sig_set_action(struct task *t, int sig, const struct linux_sigaction *act,
		    struct linux_sigaction *old);
/* Takes the lowest pending signal of set (thread queue first) into *info; 0 if none. */
int sig_dequeue_set(struct task *t, linux_sigset_t set, struct linux_siginfo *info);
/* Sets t's signal mask (SIGKILL/SIGSTOP stay unblocked). */
void sig_set_mask(struct task *t, linux_sigset_t mask);

/* Sleeps until the deadline on clockid (absolute if abs, else relative) or a signal.
 * 0; -ERESTART_RESTARTBLOCK (relative: *rmtp gets the time left, restart_syscall resumes
 * to the same deadline) or -ERESTARTNOHAND (absolute); -EFAULT. */
long sig_nanosleep(struct task *t, int clockid, bool abs, const struct timespec *req, uaddr_t rmtp);

/* ---- for wait, exit and clone (processes) ---- */
/* Frees t's queued signals (task exit) / tg's shared ones (process release). */
void sig_task_release(struct task *t);
void sig_group_release(struct thread_group *tg);
/* waitid(WSTOPPED): the signal that stopped tg, or 0; consume clears the report. */
int sig_wait_stopped(struct thread_group *tg, bool consume);
/* waitid(WCONTINUED): true if tg was continued since the last report. */
bool sig_wait_continued(struct thread_group *tg, bool consume);
/* True if tg's threads are all stopped by a group stop. */
bool sig_group_is_stopped(struct thread_group *tg);
/* The parent's SIGCHLD disposition: children reaped without a zombie (SA_NOCLDWAIT or
 * SIG_IGN), and no SIGCHLD for stop/continue (SA_NOCLDSTOP). */
bool sig_parent_nocldwait(struct thread_group *parent);
bool sig_parent_nocldstop(struct thread_group *parent);

#endif
