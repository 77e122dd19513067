/*
 * The smaller /proc/[pid] files: cmdline, environ and auxv (read from the process's
 * memory), comm and oom_score_adj (writable), limits, cgroup, oom_score, loginuid, wchan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs_internal.h"

/* Reads guest range [start, end) of mm into b, stopping at the first unmapped page. */
static void read_guest(struct mm *mm, uaddr_t start, uaddr_t end, struct synth_buf *b)
{
	char chunk[512];

	while (start < end) {
		size_t n = end - start < sizeof(chunk) ? end - start : sizeof(chunk);

		if (mm_copy_in(mm, start, chunk, n))
			break;
		synth_write(b, chunk, n);
		start += n;
	}
}

static int show_area(struct inode *inode, struct synth_buf *b, bool env)
{
	struct mm_exe_info ei = { 0 };
	struct procfs_task pt;
	int err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);

	if (err)
		return err;
	err = procfs_may_access(&pt);
	if (!err && pt.mm) {
		mm_get_exe_info(pt.mm, &ei);
		if (env)
			read_guest(pt.mm, ei.env_start, ei.env_end, b);
		else
			read_guest(pt.mm, ei.arg_start, ei.arg_end, b);
		if (ei.exe)
			file_put(ei.exe);
	}
	procfs_task_put(&pt);
	return err;
}

static int cmdline_show(struct inode *inode, struct synth_buf *b)
{
	return show_area(inode, b, false);
}

static int environ_show(struct inode *inode, struct synth_buf *b)
{
	return show_area(inode, b, true);
}

const struct synth_ops procfs_cmdline_ops = { .show = cmdline_show };
const struct synth_ops procfs_environ_ops = { .show = environ_show };

/* The auxv pairs the loader left above argv and envp on the initial stack. */
static int auxv_show(struct inode *inode, struct synth_buf *b)
{
	struct mm_exe_info ei = { 0 };
	struct procfs_task pt;
	uint64_t w[2], argc;
	uaddr_t p;
	int err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);

	if (err)
		return err;
	err = procfs_may_access(&pt);
	if (err || !pt.mm)
		goto out;
	mm_get_exe_info(pt.mm, &ei);
	if (ei.exe)
		file_put(ei.exe);
	p = ei.start_stack;
	if (!p || mm_copy_in(pt.mm, p, &argc, sizeof(argc)) || argc > (1u << 20))
		goto out;
	p += (argc + 2) * sizeof(uint64_t); /* argc, argv[], NULL */
	for (int i = 0; i < (1 << 20); i++, p += sizeof(uint64_t)) {
		if (mm_copy_in(pt.mm, p, w, sizeof(w[0])))
			goto out;
		if (!w[0])
			break;
	}
	p += sizeof(uint64_t);
	for (int i = 0; i < 64; i++, p += sizeof(w)) {
		if (mm_copy_in(pt.mm, p, w, sizeof(w)))
			break;
		synth_write(b, w, sizeof(w));
		if (w[0] == 0)
			break;
	}
out:
	procfs_task_put(&pt);
	return err;
}

const struct synth_ops procfs_auxv_ops = { .show = auxv_show };

static int comm_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, 0, &pt);

	if (err)
		return err;
	synth_printf(b, "%s\n", pt.comm);
	procfs_task_put(&pt);
	return 0;
}

/* Like Linux, a write sets the name to its first 15 bytes, up to a newline. */
static ssize_t comm_store(struct inode *inode, const char *buf, size_t len)
{
	struct synth_inode *si = synth_i(inode);
	char name[LINUX_TASK_COMM_LEN];
	size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;
	int err;

	memcpy(name, buf, n);
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	err = procfs_task_set_comm(si->id[0], si->id[1], name);
	return err ? err : (ssize_t)len;
}

const struct synth_ops procfs_comm_ops = { .show = comm_show, .store = comm_store };

static int oom_adj_show(struct inode *inode, struct synth_buf *b)
{
	int v, err = procfs_task_oom_adj(synth_i(inode)->id[0], &v, NULL);

	if (err)
		return err;
	synth_printf(b, "%d\n", v);
	return 0;
}

/* Linux's oom_score_adj_write(): a decimal in [-1000, 1000], surrounding space allowed;
 * lowering it below the current value takes CAP_SYS_RESOURCE. */
static ssize_t oom_adj_store(struct inode *inode, const char *buf, size_t len)
{
	struct task *t = task_current();
	char *end;
	long v;
	int cur, set, err;

	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (end == buf || *end || errno)
		return -EINVAL;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	err = procfs_task_oom_adj(synth_i(inode)->id[0], &cur, NULL);
	if (err)
		return err;
	if (v < cur && t && !cred_capable(t->cred, 24 /* CAP_SYS_RESOURCE */))
		return -EACCES;
	set = (int)v;
	err = procfs_task_oom_adj(synth_i(inode)->id[0], NULL, &set);
	return err ? err : (ssize_t)len;
}

const struct synth_ops procfs_oom_adj_ops = { .show = oom_adj_show, .store = oom_adj_store };

/* The badness Linux would report with no memory pressure: the adjustment alone, scaled
 * from [-1000, 1000] to [0, 2000] as oom_badness() clamps it. */
static int oom_score_show(struct inode *inode, struct synth_buf *b)
{
	int v, err = procfs_task_oom_adj(synth_i(inode)->id[0], &v, NULL);

	if (err)
		return err;
	synth_printf(b, "%d\n", v > 0 ? v : 0);
	return 0;
}

const struct synth_ops procfs_oom_score_ops = { .show = oom_score_show };

static const struct {
	const char *name, *unit;
} limit_names[16] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void show_limit_value(struct synth_buf *b, uint64_t v)
{
	if (v == (uint64_t)RLIM_INFINITY)
		synth_printf(b, "%-20s ", "unlimited");
	else
		synth_printf(b, "%-20llu ", (unsigned long long)v);
}

static int limits_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, 0, &pt);

	if (err)
		return err;
	synth_puts(b, "Limit                     Soft Limit           Hard Limit           "
		      "Units     \n");
	for (int i = 0; i < RLIM_NLIMITS && i < 16; i++) {
		synth_printf(b, "%-25s ", limit_names[i].name);
		show_limit_value(b, pt.rlimits[i].rlim_cur);
		show_limit_value(b, pt.rlimits[i].rlim_max);
		if (limit_names[i].unit)
			synth_printf(b, "%-10s", limit_names[i].unit);
		synth_puts(b, "\n");
	}
	procfs_task_put(&pt);
	return 0;
}

const struct synth_ops procfs_limits_ops = { .show = limits_show };

/* The sandbox is one cgroup (v2), its root as the sandbox sees it. */
static int cgroup_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, 0, &pt);

	if (err)
		return err;
	procfs_task_put(&pt);
	synth_puts(b, "0::/\n");
	return 0;
}

const struct synth_ops procfs_cgroup_ops = { .show = cgroup_show };

/* No audit login session in the sandbox: (uid_t)-1, as for a task never logged in. */
static int loginuid_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, 0, &pt);

	if (err)
		return err;
	procfs_task_put(&pt);
	synth_puts(b, "4294967295");
	return 0;
}

const struct synth_ops procfs_loginuid_ops = { .show = loginuid_show };

/* Kernel addresses are never shown (kptr_restrict): "0", as Linux prints then. */
static int wchan_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, 0, &pt);

	if (err)
		return err;
	procfs_task_put(&pt);
	synth_puts(b, "0");
	return 0;
}

const struct synth_ops procfs_wchan_ops = { .show = wchan_show };
