/*
 * /proc/[pid]/stat, status and statm, field for field as Linux's fs/proc/array.c
 * prints them (procps parses these by position and by name).
 */
#include <errno.h>
#include <sys/resource.h>

#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/sched.h"
#include "sentry/kernel/task.h"
#include "sentry/procfs/procfs_internal.h"
#include "sentry/procfs/procfs_maps.h"

/* /proc/[pid]/stat's flags field: PF_RANDOMIZE | PF_FORKNOEXEC-free, like a normal
 * process after exec. */
#define PROCFS_TASK_FLAGS 0x00400000u

static const char *state_name(char s)
{
	switch (s) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "R (running)";
	}
}

/* Linux's task_prio(): 20 + nice for normal tasks, -1 - rt priority for real-time. */
static int task_prio(const struct procfs_task *pt)
{
	if (pt->policy == 1 || pt->policy == 2) /* SCHED_FIFO, SCHED_RR */
		return -1 - pt->rt_prio;
	return 20 + pt->nice;
}

static int stat_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_mm_stats ms;
	struct procfs_task pt;
	int err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);
	bool whole = synth_i(inode)->id[1] == 0;

	if (err)
		return err;
	err = procfs_mm_stats(pt.mm, &ms);
	if (err)
		goto out;
	synth_printf(b, "%d (%s) %c %d %d %d %d %d %u %lu %lu %lu %lu ", whole ? pt.tgid : pt.tid,
		     pt.comm, pt.state, pt.ppid, pt.pgid, pt.sid, 0 /* tty_nr */, -1 /* tpgid */,
		     PROCFS_TASK_FLAGS, 0UL, 0UL, 0UL, 0UL);
	synth_printf(b, "%llu %llu %lld %lld %d %d %d 0 %llu %llu %llu %llu ",
		     (unsigned long long)procfs_ticks(pt.utime_ns),
		     (unsigned long long)procfs_ticks(pt.stime_ns),
		     (long long)procfs_ticks(pt.cutime_ns), (long long)procfs_ticks(pt.cstime_ns),
		     task_prio(&pt), pt.nice, pt.nthreads,
		     (unsigned long long)procfs_ticks(pt.start_ns),
		     (unsigned long long)ms.vm_kb * 1024, (unsigned long long)ms.rss_kb / 4,
		     (unsigned long long)pt.rlimits[RLIMIT_RSS].rlim_cur);
	synth_printf(b, "%llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d %d %u %u 0 0 0 ",
		     (unsigned long long)ms.start_code, (unsigned long long)ms.end_code,
		     (unsigned long long)ms.start_stack,
		     (unsigned long long)(pt.sig_pending | pt.sig_shpending),
		     (unsigned long long)pt.sig_blocked, (unsigned long long)pt.sig_ignored,
		     (unsigned long long)pt.sig_caught, pt.exit_signal, 0 /* processor */,
		     (unsigned)pt.rt_prio, (unsigned)pt.policy);
	synth_printf(b, "%llu %llu %llu %llu %llu %llu %llu 0\n", (unsigned long long)ms.start_data,
		     (unsigned long long)ms.end_data, (unsigned long long)ms.start_brk,
		     (unsigned long long)ms.arg_start, (unsigned long long)ms.arg_end,
		     (unsigned long long)ms.env_start, (unsigned long long)ms.env_end);
out:
	procfs_task_put(&pt);
	return err;
}

const struct synth_ops procfs_stat_ops = { .show = stat_show };

static void show_ids(struct synth_buf *b, const struct procfs_task *pt)
{
	const struct cred *c = pt->cred;

	synth_printf(b, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid, c->fsuid);
	synth_printf(b, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid, c->fsgid);
}

static void show_mem(struct synth_buf *b, const struct procfs_mm_stats *ms)
{
	synth_printf(b,
		     "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\nVmPin:\t%8llu kB\n"
		     "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\nRssAnon:\t%8llu kB\n"
		     "RssFile:\t%8llu kB\nRssShmem:\t%8llu kB\nVmData:\t%8llu kB\n"
		     "VmStk:\t%8llu kB\nVmExe:\t%8llu kB\nVmLib:\t%8llu kB\nVmPTE:\t%8llu kB\n"
		     "VmSwap:\t%8llu kB\nHugetlbPages:\t%8llu kB\n",
		     (unsigned long long)ms->vm_kb, (unsigned long long)ms->vm_kb, 0ULL, 0ULL,
		     (unsigned long long)ms->rss_kb, (unsigned long long)ms->rss_kb,
		     (unsigned long long)ms->anon_kb, (unsigned long long)ms->file_kb, 0ULL,
		     (unsigned long long)ms->data_kb, (unsigned long long)ms->stk_kb,
		     (unsigned long long)ms->exe_kb, (unsigned long long)ms->lib_kb,
		     (unsigned long long)((ms->vm_kb >> 9) + 4), 0ULL, 0ULL);
}

static int status_show(struct inode *inode, struct synth_buf *b)
{
	bool whole = synth_i(inode)->id[1] == 0;
	struct procfs_mm_stats ms;
	struct procfs_task pt;
	uint64_t cpus;
	int fdsize = 0;
	int err = procfs_inode_task(inode, PROCFS_WANT_MM | PROCFS_WANT_FDT, &pt);

	if (err)
		return err;
	err = procfs_mm_stats(pt.mm, &ms);
	if (err)
		goto out;
	if (pt.fdt) {
		pthread_mutex_lock(&pt.fdt->lock);
		fdsize = pt.fdt->cap;
		pthread_mutex_unlock(&pt.fdt->lock);
	}
	synth_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", pt.comm, pt.umask,
		     state_name(pt.state));
	synth_printf(b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n", pt.tgid,
		     whole ? pt.tgid : pt.tid, pt.ppid, pt.tracer_pid);
	show_ids(b, &pt);
	synth_printf(b, "FDSize:\t%d\nGroups:\t", fdsize < 64 ? 64 : fdsize);
	for (uint32_t i = 0; i < pt.cred->ngroups; i++)
		synth_printf(b, "%u ", pt.cred->groups[i]);
	synth_printf(b, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", pt.tgid,
		     whole ? pt.tgid : pt.tid, pt.pgid, pt.sid);
	if (pt.mm)
		show_mem(b, &ms);
	synth_printf(b, "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%d\n", pt.nthreads);
	synth_printf(b, "SigQ:\t%d/%llu\n", pt.sig_queued,
		     (unsigned long long)pt.rlimits[RLIMIT_SIGPENDING].rlim_cur);
	synth_printf(b, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
		     (unsigned long long)pt.sig_pending, (unsigned long long)pt.sig_shpending,
		     (unsigned long long)pt.sig_blocked);
	synth_printf(b, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)pt.sig_ignored,
		     (unsigned long long)pt.sig_caught);
	synth_printf(b, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n",
		     (unsigned long long)pt.cred->cap_inheritable,
		     (unsigned long long)pt.cred->cap_permitted,
		     (unsigned long long)pt.cred->cap_effective);
	synth_printf(b, "CapBnd:\t%016llx\nCapAmb:\t%016llx\n",
		     (unsigned long long)pt.cred->cap_bounding, 0ULL);
	synth_printf(b, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", pt.no_new_privs);
	synth_puts(b, "Speculation_Store_Bypass:\tthread vulnerable\n"
		      "SpeculationIndirectBranch:\tconditional enabled\n");
	cpus = pt.affinity ? pt.affinity & sched_cpus() : sched_cpus();
	synth_printf(b, "Cpus_allowed:\t%llx\nCpus_allowed_list:\t", (unsigned long long)cpus);
	synth_print_bitlist(b, cpus);
	synth_puts(b, "\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
		      "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
out:
	procfs_task_put(&pt);
	return err;
}

const struct synth_ops procfs_status_ops = { .show = status_show };

static int statm_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_mm_stats ms;
	struct procfs_task pt;
	int err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);

	if (err)
		return err;
	err = procfs_mm_stats(pt.mm, &ms);
	if (!err)
		synth_printf(b, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)ms.vm_kb / 4,
			     (unsigned long long)ms.rss_kb / 4, (unsigned long long)ms.file_kb / 4,
			     (unsigned long long)ms.exe_kb / 4,
			     (unsigned long long)(ms.data_kb + ms.stk_kb) / 4);
	procfs_task_put(&pt);
	return err;
}

const struct synth_ops procfs_statm_ops = { .show = statm_show };
