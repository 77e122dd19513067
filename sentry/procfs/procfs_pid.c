/*
 * The directories under /proc/[pid]: the process directory and its per-thread twin
 * (task/[tid]), task/ itself, and ns/. Their files live in procfs_pid_*.c,
 * procfs_fd.c and procfs_maps.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "sentry/kernel/task.h"
#include "sentry/procfs/procfs_internal.h"

/* ---- ns/ ---- */

/* The sandbox has one namespace of each kind; these are the numbers Linux gives the
 * initial ones, so tools comparing ns links (lsns, "same namespace?") work. */
static const struct {
	const char *name, *type;
	unsigned long ino;
} ns_kinds[] = {
	{ "cgroup", "cgroup", 4026531835UL }, { "ipc", "ipc", 4026531839UL },
	{ "mnt", "mnt", 4026531841UL },	      { "net", "net", 4026531840UL },
	{ "pid", "pid", 4026531836UL },	      { "pid_for_children", "pid", 4026531836UL },
	{ "time", "time", 4026531834UL },     { "time_for_children", "time", 4026531834UL },
	{ "user", "user", 4026531837UL },     { "uts", "uts", 4026531838UL },
};

static int ns_readlink(struct inode *inode, struct synth_buf *b)
{
	size_t i = (size_t)synth_i(inode)->id[2];

	synth_printf(b, "%s:[%lu]", ns_kinds[i].type, ns_kinds[i].ino);
	return 0;
}

static const struct synth_ops ns_link_ops = { .readlink = ns_readlink };

static int ns_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct synth_inode *d = synth_i(dir);

	for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++) {
		int64_t id[3] = { d->id[0], d->id[1], (int64_t)i };

		if (strcmp(ns_kinds[i].name, name))
			continue;
		*out = synth_inode_new(dir, name, S_IFLNK | 0777, &ns_link_ops, id, NULL);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int ns_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
		if (!synth_emit(c, 2 + (int64_t)i, ns_kinds[i].name,
				synth_ino(dir, ns_kinds[i].name), DT_LNK))
			break;
	return 0;
}

const struct synth_ops procfs_ns_dir_ops = {
	.lookup = ns_lookup,
	.readdir = ns_readdir,
};

/* ---- /proc/[pid] and /proc/[pid]/task/[tid] ---- */

#define DIR_ENTRY(name, ops)                    \
	{                                       \
		name, S_IFDIR | 0555, ops, NULL \
	}
#define PRIV_DIR(name, ops)                     \
	{                                       \
		name, S_IFDIR | 0500, ops, NULL \
	}
#define FILE_RO(name, ops)                      \
	{                                       \
		name, S_IFREG | 0444, ops, NULL \
	}
#define FILE_PRIV(name, ops)                    \
	{                                       \
		name, S_IFREG | 0400, ops, NULL \
	}
#define FILE_RW(name, ops)                      \
	{                                       \
		name, S_IFREG | 0644, ops, NULL \
	}
#define LINK(name, ops)                         \
	{                                       \
		name, S_IFLNK | 0777, ops, NULL \
	}

/* The entries a process directory shares with a thread directory, in name order up to
 * "status": the process directory alone adds "task" between "status" and "wchan". */
/* clang-format off */
#define TASK_COMMON_ENTRIES                                 \
	FILE_PRIV("auxv", &procfs_auxv_ops),                \
	FILE_RO("cgroup", &procfs_cgroup_ops),              \
	FILE_RO("cmdline", &procfs_cmdline_ops),            \
	FILE_RW("comm", &procfs_comm_ops),                  \
	LINK("cwd", &procfs_cwd_ops),                       \
	FILE_PRIV("environ", &procfs_environ_ops),          \
	LINK("exe", &procfs_exe_ops),                       \
	PRIV_DIR("fd", &procfs_fd_dir_ops),                 \
	PRIV_DIR("fdinfo", &procfs_fdinfo_dir_ops),         \
	FILE_RO("limits", &procfs_limits_ops),              \
	FILE_RO("loginuid", &procfs_loginuid_ops),          \
	FILE_RO("maps", &procfs_maps_ops),                  \
	FILE_RO("mountinfo", &procfs_mountinfo_ops),        \
	FILE_RO("mounts", &procfs_mounts_ops),              \
	{ "ns", S_IFDIR | 0511, &procfs_ns_dir_ops, NULL }, \
	FILE_RO("oom_score", &procfs_oom_score_ops),        \
	FILE_RW("oom_score_adj", &procfs_oom_adj_ops),      \
	LINK("root", &procfs_root_link_ops),                \
	FILE_RO("smaps", &procfs_smaps_ops),                \
	FILE_RO("stat", &procfs_stat_ops),                  \
	FILE_RO("statm", &procfs_statm_ops),                \
	FILE_RO("status", &procfs_status_ops)
/* clang-format on */

static const struct synth_entry pid_entries[] = {
	TASK_COMMON_ENTRIES,
	DIR_ENTRY("task", &procfs_task_dir_ops),
	FILE_RO("wchan", &procfs_wchan_ops),
};

/* The per-thread subset (Linux's tid_base_stuff without the process-only entries). */
static const struct synth_entry tid_entries[] = {
	TASK_COMMON_ENTRIES,
	FILE_RO("wchan", &procfs_wchan_ops),
};

static const struct synth_table procfs_pid_table = SYNTH_TABLE(pid_entries);
static const struct synth_table procfs_tid_table = SYNTH_TABLE(tid_entries);

/* A task directory's children exist only while its task does: once it is gone, a
 * lookup in a directory still held open fails with -ESRCH, as Linux's does. */
static int task_dir_lookup(struct inode *dir, const struct synth_table *t, const char *name,
			   struct inode **out)
{
	struct procfs_task pt;
	int err = procfs_inode_task(dir, 0, &pt);

	if (err)
		return err;
	procfs_task_put(&pt);
	return synth_table_lookup(dir, t, name, out);
}

static int pid_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return task_dir_lookup(dir, &procfs_pid_table, name, out);
}

static int pid_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	return synth_table_readdir(dir, &procfs_pid_table, 2, c);
}

const struct synth_ops procfs_pid_dir_ops = {
	.lookup = pid_lookup,
	.readdir = pid_readdir,
};

static int tid_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return task_dir_lookup(dir, &procfs_tid_table, name, out);
}

static int tid_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	return synth_table_readdir(dir, &procfs_tid_table, 2, c);
}

const struct synth_ops procfs_tid_dir_ops = {
	.lookup = tid_lookup,
	.readdir = tid_readdir,
};

/* ---- /proc/[pid]/task ---- */

static int task_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct synth_inode *d = synth_i(dir);
	struct procfs_task pt;
	char *end;
	long tid = strtol(name, &end, 10);
	int64_t id[3] = { d->id[0], tid, 0 };

	if (name[0] < '1' || name[0] > '9' || *end || tid <= 0 || tid >= KERNEL_MAX_PID)
		return -ENOENT;
	if (procfs_task_get(d->id[0], tid, 0, &pt))
		return -ENOENT;
	*out = synth_inode_new(dir, name, S_IFDIR | 0555, &procfs_tid_dir_ops, id, NULL);
	if (*out)
		procfs_set_owner(*out, &pt);
	procfs_task_put(&pt);
	return *out ? 0 : -ENOMEM;
}

static int task_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	char name[16];
	int *tids, n, err;

	err = procfs_list_tids(synth_i(dir)->id[0], &tids, &n);
	if (err)
		return err == -ESRCH ? 0 : err;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", tids[i]);
		if (!synth_emit(c, 2 + tids[i], name, synth_ino(dir, name), DT_DIR))
			break;
	}
	free(tids);
	return 0;
}

const struct synth_ops procfs_task_dir_ops = {
	.lookup = task_lookup,
	.readdir = task_readdir,
};
