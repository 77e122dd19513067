/*
 * Tasks (threads), thread groups (processes), credentials and the sandbox kernel.
 *
 * One host thread per task (the task thread) runs task_run(): switch to the guest,
 * handle the trap (syscall, fault, interrupt), deliver pending signals, repeat.
 *
 * Lock order: kernel->lock (task/pid tables, parent/child links) -> tg->lock ->
 * tg->sighand->lock (signal state, see signal.h) -> t->lock -> mm locks -> fs locks.
 * Outside that chain: a futex bucket lock comes before kernel->lock (PI owner lookup)
 * and mm locks; the timer lock (timer.h) before tg->lock and the signal locks, never
 * taken with kernel->lock, tg->lock or a signal lock held.
 */
#ifndef SENTRY_KERNEL_TASK_H
#define SENTRY_KERNEL_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "common/ref.h"
#include "platform/platform.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/signal.h"

struct mm;
struct fdtable;
struct fs_view;
struct vfs_cred;
struct file;
struct umem;
struct waitq;
struct vfork_done;
struct ipc_ns;

#define KERNEL_MAX_PID 32768 /* the sandbox's pid space, like pid_max */
#define CRED_MAX_GROUPS 65536

struct cred {
	struct ref ref;
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding;
	uint32_t ngroups;
	uint32_t groups[]; /* sorted */
};

struct sighand {
	struct ref ref;
	pthread_mutex_t lock;
	struct linux_sigaction action[LINUX_NSIG]; /* index signo - 1 */
};

/* A process. */
struct thread_group {
	struct ref ref;
	struct kernel *k;
	int tgid;
	int pgid, sid;
	struct task *leader;
	struct list_head tasks; /* struct task.tg_node */
	int ntasks;
	struct sighand *sighand;
	struct linux_rlimit rlimits[16];
	struct thread_group *parent; /* NULL for the sandbox's init */
	struct list_head children; /* struct thread_group.sibling */
	struct list_head sibling;
	bool exiting; /* exit_group or a fatal signal started */
	int exit_status; /* wait status (W_EXITCODE / signal) once exiting */
	bool zombie;
	bool dumpable;
	bool child_subreaper;
	struct sig_group sig; /* signal.h: shared pending queue, job control; siglock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* CPU accounting (rusage.c) and timers (timer.c, itimer.c), under tg->lock. */
	uint64_t utime_base_ns; /* guest CPU time of address spaces left behind (exec) */
	uint64_t utime_seen_ns; /* the most the current address space's clock has shown */
	int acct_clock; /* host clock id of that clock (plat_as_cpu_clock), 0 = not known */
	uint64_t dead_stime_ns; /* sentry time of exited threads */
	uint64_t maxrss_kb, cutime_ns, cstime_ns, cmaxrss_kb; /* c*: reaped children */
	struct timer_set *timers; /* NULL until the first timer; freed by timer_task_exit */
	/* Process tree (process.h), under k->lock unless said otherwise. */
	pthread_cond_t child_cv; /* with proc_wait_lock: a child or a thread changed state */
	uint64_t child_gen; /* under proc_wait_lock, bumped with child_cv */
	int exit_signal; /* sent to the parent at exit: SIGCHLD, another, or 0 */
	int parent_thread; /* tid of the parent thread that made it (PR_SET_PDEATHSIG) */
	bool reaped; /* gone from the tree; pidfds may still hold it */
	struct task *exec_task; /* in execve, waiting for the other threads to die */
	struct waitq *pidfd_wq; /* pidfd pollers (POLLIN at exit), NULL until a pidfd */
	bool did_exec; /* since fork: its parent may no longer setpgid it (EACCES) */
	int oom_score_adj; /* /proc/[pid]/oom_score_adj, under tg->lock; inherited */
	/* A process the runtime started (spawn.h) has no parent to wait for it: this is
	 * told its wait status once its last thread is gone (called without locks). */
	void (*exit_hook)(void *arg, int wait_status);
	void *exit_hook_arg;
};

struct task {
	struct kernel *k;
	int tid;
	struct thread_group *tg;
	struct list_head tg_node;
	struct mm *mm; /* +1 */
	struct fdtable *fdt; /* +1 */
	struct fs_view *fs; /* +1 */
	struct cred *cred; /* +1, replaced (RCU-style) not mutated */
	struct plat_ctx *ctx;
	struct plat_regs regs;
	uaddr_t clear_child_tid;
	uaddr_t robust_list;
	uint64_t robust_list_len;
	linux_sigset_t sigmask;
	char comm[LINUX_TASK_COMM_LEN];
	struct timespec start_time; /* CLOCK_MONOTONIC at creation (/proc/[pid]/stat) */
	pthread_t thread;
	pthread_mutex_t lock;
	bool exiting;
	int exit_code;
	uint64_t syscalls; /* count, for rusage-ish reporting */
	struct {
		uaddr_t sp;
		uint64_t size;
		int flags; /* SS_DISABLE, SS_AUTODISARM */
	} altstack;
	bool no_new_privs;
	int pdeathsig;
	/* Blocking in the sentry (task_block): what to poke to wake this task. */
	pthread_mutex_t *block_mu;
	pthread_cond_t *block_cv;
	bool interrupted;
	struct sig_task sig; /* signal.h: pending queue, saved mask, restart; siglock */
	/* Scheduling view (sched.c): recorded, inherited by clone; the host schedules. */
	struct task_sched {
		int policy; /* SCHED_OTHER (0) ... */
		int prio; /* rt priority: 1..99 for FIFO/RR, else 0 */
		int nice; /* -20..19 */
		uint64_t affinity; /* sandbox CPUs (bit i = CPU i); 0 = all of them */
	} sched;
	/* Process tree (process.h). */
	bool zombie; /* an exited leader, kept for its tgid until the group is reaped */
	struct vfork_done *vfork_done; /* CLONE_VFORK child: completed at exec or exit */
	struct plat_fpregs *fp_init; /* a clone's first FPU state (its parent's); task_run
				       * loads it into the new ctx and frees it */
	uint8_t *xstate_init; /* the same for the whole XSAVE area (AVX and up), if the
			       * platform carries it: plat_xstate_size() bytes */
};

/* The sandbox: every task and process, the platform, and how the sandbox ended. */
struct kernel {
	struct platform *platform;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct task *pid_table[KERNEL_MAX_PID]; /* tid -> task (leaders double as tgid) */
	int last_pid;
	int ntasks;
	int nr_live; /* tasks not yet exited (process.h): the task limit, init's end */
	struct thread_group *init; /* pid 1 */
	bool init_exited;
	int init_status; /* wait status of init */
	bool strace;
	int strace_fd;
	int max_tasks; /* the sandbox's task limit (fork/clone fail with EAGAIN beyond) */
	char hostname[65];
	char domainname[65];
	struct timespec boot_time; /* CLOCK_MONOTONIC at sandbox start */
	struct fs_view *container_root; /* the mount tree processes the runtime starts see */
	bool started; /* init released (the runtime's start gate open) */
	struct ipc_ns *ipc; /* System V IPC objects (sentry/ipc), NULL until the first */
};

/* ---- tasks ---- */
/* The calling task thread's task (set by task_run). */
struct task *task_current(void);
/* Allocates a pid in k (-EAGAIN when the pid space is full). */
int kernel_alloc_pid(struct kernel *k, struct task *t);
void kernel_free_pid(struct kernel *k, int pid);
struct task *kernel_find_task(struct kernel *k, int tid); /* under k->lock */

/* Starts a task thread for t: it runs the guest from t->regs. */
int task_start(struct task *t);
/* The task thread's main loop. */
void *task_run(void *arg);
/* Ends the calling task: code is the exit status for exit(2). Does not return. */
__attribute__((noreturn)) void task_exit(struct task *t);
/* exit_group: marks the whole thread group exiting with wait status st. */
void task_group_exit(struct task *t, int wait_status);

/*
 * Blocks the calling task on cv (mu held by the caller, as for pthread_cond_wait) until
 * woken, until abstime (CLOCK_MONOTONIC; NULL = forever) or until task_interrupt().
 * Returns 0 (woken: the caller rechecks its condition), -ETIMEDOUT or -EINTR.
 */
int task_block(struct task *t, pthread_mutex_t *mu, pthread_cond_t *cv,
	       const struct timespec *abstime);
/* Makes t's current or next task_block return -EINTR (exit, signals). Any thread. */
void task_interrupt(struct task *t);

/* ---- credentials ---- */
struct cred *cred_new_root(void); /* uid 0 with full capabilities, +1 */
void cred_get(struct cred *c);
void cred_put(struct cred *c);
/* A private copy of c with room for ngroups groups (copied if the count is c's). +1. */
struct cred *cred_dup(const struct cred *c, uint32_t ngroups);
bool cred_capable(const struct cred *c, int cap);
/* Makes n (+1, taken over) t's creds; fix_caps applies the uid-change capability rules.
 * Others read t->cred under k->lock: it is swapped under it. */
void task_commit_cred(struct task *t, struct cred *n, bool fix_caps);
/* The fs view of t's creds (pointers valid while t->cred is held). */
void task_vfs_cred(struct task *t, struct vfs_cred *out);
/* Gives t a private copy of its fd table if it shares one (unshare(CLONE_FILES),
 * CLOSE_RANGE_UNSHARE, exec). 0 or -ENOMEM. */
int task_unshare_files(struct task *t);

/* ---- guest memory helpers (wrap mm_copy_* on t->mm) ---- */
int task_copy_in(struct task *t, uaddr_t src, void *dst, size_t n);
int task_copy_out(struct task *t, uaddr_t dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most max bytes (incl. NUL) into buf (size max).
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
long task_strncpy_in(struct task *t, uaddr_t src, char *buf, size_t max);
/* Copies a guest path (PATH_MAX) into a new malloc'd string. 0/-EFAULT/-ENAMETOOLONG/-ENOMEM. */
int task_path_in(struct task *t, uaddr_t src, char **out);
/* The fs-layer view of guest memory for ioctl & co. */
void task_umem(struct task *t, struct umem *um);

#endif
