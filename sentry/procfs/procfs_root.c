/*
 * The /proc directory itself: the fixed entries (self, thread-self, the system files,
 * sys/) followed by one directory per sandbox process, named by its sandbox pid.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sentry/ipc/ipc.h"
#include "sentry/kernel/task.h"
#include "sentry/procfs/procfs_internal.h"

/* Cookies of pid directories in a /proc listing: after every fixed entry. */
#define PID_COOKIE_BASE 1024

static int self_readlink(struct inode *inode, struct synth_buf *b)
{
	int tgid = procfs_current_tgid();

	(void)inode;
	if (!tgid)
		return -ENOENT;
	synth_printf(b, "%d", tgid);
	return 0;
}

static const struct synth_ops self_ops = { .readlink = self_readlink };

static int thread_self_readlink(struct inode *inode, struct synth_buf *b)
{
	int tgid = procfs_current_tgid();

	(void)inode;
	if (!tgid)
		return -ENOENT;
	synth_printf(b, "%d/task/%d", tgid, procfs_current_tid());
	return 0;
}

static const struct synth_ops thread_self_ops = { .readlink = thread_self_readlink };

static int target_readlink(struct inode *inode, struct synth_buf *b)
{
	synth_puts(b, synth_i(inode)->data);
	return 0;
}

/* A symlink whose target is the fixed string in data. */
static const struct synth_ops fixed_link_ops = { .readlink = target_readlink };

extern const struct synth_ops procfs_meminfo_ops, procfs_cpuinfo_ops, procfs_kstat_ops,
	procfs_uptime_ops, procfs_loadavg_ops, procfs_version_ops, procfs_filesystems_ops,
	procfs_swaps_ops;

static const struct synth_entry root_entries[] = {
	{ "cpuinfo", S_IFREG | 0444, &procfs_cpuinfo_ops, NULL },
	{ "filesystems", S_IFREG | 0444, &procfs_filesystems_ops, NULL },
	{ "loadavg", S_IFREG | 0444, &procfs_loadavg_ops, NULL },
	{ "meminfo", S_IFREG | 0444, &procfs_meminfo_ops, NULL },
	{ "mounts", S_IFLNK | 0777, &fixed_link_ops, "self/mounts" },
	{ "self", S_IFLNK | 0777, &self_ops, NULL },
	{ "stat", S_IFREG | 0444, &procfs_kstat_ops, NULL },
	{ "swaps", S_IFREG | 0444, &procfs_swaps_ops, NULL },
	{ "sys", S_IFDIR | 0555, &synth_table_dir_ops, &procfs_sys_table },
	{ "sysvipc", S_IFDIR | 0555, &synth_table_dir_ops, &ipc_sysvipc_table },
	{ "thread-self", S_IFLNK | 0777, &thread_self_ops, NULL },
	{ "uptime", S_IFREG | 0444, &procfs_uptime_ops, NULL },
	{ "version", S_IFREG | 0444, &procfs_version_ops, NULL },
};

static const struct synth_table root_table = SYNTH_TABLE(root_entries);

/* A pid as /proc names it: decimal, no sign, no leading zero. 0 if name is not one. */
static int64_t parse_pid(const char *name)
{
	char *end;
	long v;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	v = strtol(name, &end, 10);
	if (*end || v <= 0 || v >= KERNEL_MAX_PID)
		return 0;
	return v;
}

static int root_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct procfs_task pt;
	int64_t id[3] = { parse_pid(name), 0, 0 };
	int err;

	err = synth_table_lookup(dir, &root_table, name, out);
	if (err != -ENOENT || !id[0])
		return err;
	if (procfs_task_get(id[0], 0, 0, &pt))
		return -ENOENT;
	*out = synth_inode_new(dir, name, S_IFDIR | 0555, &procfs_pid_dir_ops, id, NULL);
	if (*out)
		procfs_set_owner(*out, &pt);
	procfs_task_put(&pt);
	return *out ? 0 : -ENOMEM;
}

static int root_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	char name[16];
	int *pids, n, err;

	synth_table_readdir(dir, &root_table, 2, c);
	if (c->stop)
		return 0;
	err = procfs_list_tgids(&pids, &n);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", pids[i]);
		if (!synth_emit(c, PID_COOKIE_BASE + pids[i], name, synth_ino(dir, name), DT_DIR))
			break;
	}
	free(pids);
	return 0;
}

const struct synth_ops procfs_root_ops = {
	.lookup = root_lookup,
	.readdir = root_readdir,
};
