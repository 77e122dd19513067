/*
 * procfs internals: the per-task snapshot every /proc/[pid] file is built from, and the
 * directory tables of each part of the tree.
 *
 * Inode keys (synth_inode.id): id[0] is the tgid, id[1] the tid for /proc/[pid]/task/[tid]
 * entries (0 for the process's own), id[2] an fd under fd/ and fdinfo/. A file looks its task up again each time it is
 * opened, so a gone task gives -ESRCH (as Linux's stale /proc/[pid] does), never a
 * dangling pointer.
 */
#ifndef SENTRY_PROCFS_PROCFS_INTERNAL_H
#define SENTRY_PROCFS_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/synth/synth.h"
#include "sentry/abi/linux.h"

struct kernel;
struct task;
struct cred;
struct mm;
struct fdtable;
struct fs_view;

/* The sandbox whose tasks /proc shows (one sandbox per sentry). */
extern struct kernel *procfs_kernel;

/* What a snapshot should hold references to, beyond the plain fields. */
#define PROCFS_WANT_MM (1u << 0)
#define PROCFS_WANT_FDT (1u << 1)
#define PROCFS_WANT_FS (1u << 2)

struct procfs_task {
	int tid, tgid, ppid, pgid, sid, tracer_pid;
	int nthreads;
	char comm[LINUX_TASK_COMM_LEN];
	char state; /* R, S, T, Z */
	bool group_dead; /* the whole process is a zombie */
	struct cred *cred; /* +1 */
	struct mm *mm; /* +1 or NULL (PROCFS_WANT_MM) */
	struct fdtable *fdt; /* +1 or NULL (PROCFS_WANT_FDT) */
	struct fs_view *fs; /* +1 or NULL (PROCFS_WANT_FS) */
	linux_sigset_t sig_pending, sig_shpending, sig_blocked, sig_ignored, sig_caught;
	int sig_queued;
	struct linux_rlimit rlimits[16];
	int nice, policy, rt_prio;
	uint64_t utime_ns, stime_ns, cutime_ns, cstime_ns; /* thread or process, see below */
	uint64_t start_ns; /* since boot */
	int exit_signal;
	uint64_t affinity;
	uint32_t umask;
	bool no_new_privs;
	bool dumpable;
};

/*
 * Snapshots task (tgid, tid): tid 0 = the process tgid as a whole (its leader, or a live
 * thread when the leader is gone). want: PROCFS_WANT_*. 0, or -ESRCH when no such task.
 */
int procfs_task_get(int64_t tgid, int64_t tid, unsigned want, struct procfs_task *out);
void procfs_task_put(struct procfs_task *pt);
/* The snapshot of the task an inode belongs to (its id[] key). */
int procfs_inode_task(struct inode *inode, unsigned want, struct procfs_task *out);

/* /proc/[pid]/comm writes: renames the task. 0 or -ESRCH. */
int procfs_task_set_comm(int64_t tgid, int64_t tid, const char *name);
/* Reads (get) and/or sets (set) the process's oom_score_adj. 0 or -ESRCH. */
int procfs_task_oom_adj(int64_t tgid, int *get, const int *set);

/* The calling task's pid and tid (as the sandbox numbers them), or 0 outside a task. */
int procfs_current_tgid(void);
int procfs_current_tid(void);

/* Sandbox-wide numbers for /proc/stat, loadavg, uptime. */
struct procfs_kstats {
	int nprocs, nthreads, nrunning, last_pid;
	uint64_t utime_ns, stime_ns; /* all live processes' CPU time, as last sampled */
};
void procfs_kstats(struct procfs_kstats *out);
/* Nanoseconds since the sandbox booted. */
uint64_t procfs_uptime_ns(void);
/* Every live process's tgid in increasing order (malloc'd; n is set). */
int procfs_list_tgids(int **out, int *n);
/* The thread ids of process tgid in increasing order (malloc'd). */
int procfs_list_tids(int64_t tgid, int **out, int *n);

/* Tables and ops of the parts of the tree. */
extern const struct synth_ops procfs_root_ops;
extern const struct synth_ops procfs_pid_dir_ops; /* /proc/[pid] (data: NULL) */
extern const struct synth_ops procfs_tid_dir_ops; /* /proc/[pid]/task/[tid] */
extern const struct synth_ops procfs_task_dir_ops; /* /proc/[pid]/task */
extern const struct synth_ops procfs_fd_dir_ops, procfs_fdinfo_dir_ops;
extern const struct synth_ops procfs_exe_ops, procfs_cwd_ops, procfs_root_link_ops;
extern const struct synth_ops procfs_stat_ops, procfs_status_ops, procfs_statm_ops;
extern const struct synth_ops procfs_cmdline_ops, procfs_environ_ops, procfs_comm_ops;
extern const struct synth_ops procfs_limits_ops, procfs_cgroup_ops, procfs_oom_adj_ops;
extern const struct synth_ops procfs_oom_score_ops, procfs_loginuid_ops;
extern const struct synth_ops procfs_maps_ops, procfs_smaps_ops;
extern const struct synth_ops procfs_mounts_ops, procfs_mountinfo_ops;
extern const struct synth_ops procfs_ns_dir_ops;
extern const struct synth_ops procfs_wchan_ops, procfs_auxv_ops;
extern const struct synth_table procfs_sys_table; /* /proc/sys */

/*
 * Linux's ptrace_may_access(PTRACE_MODE_READ) for what exposes a process's memory, files
 * and environment (maps, environ, auxv, the fd/exe/cwd/root links): the reader is the
 * target itself, or holds CAP_SYS_PTRACE, or shares all its uids and gids with a
 * dumpable target. 0 or -EACCES.
 */
int procfs_may_access(const struct procfs_task *pt);

/* Sets a /proc/[pid] inode's owner to the task's (euid, egid) as Linux does. */
void procfs_set_owner(struct inode *inode, const struct procfs_task *pt);

/* Clock ticks (USER_HZ) for /proc's time fields. */
#define PROCFS_HZ 100
static inline uint64_t procfs_ticks(uint64_t ns)
{
	return ns / (1000000000ULL / PROCFS_HZ);
}

#endif
