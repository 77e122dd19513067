/* The minimal /sys: CPU topology (the sandbox's CPUs) and the cgroup mount point. */
#include <errno.h>
#include <sys/stat.h>

#include "fs/synth/synth.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/sched.h"
#include "sentry/sysfs/sysfs.h"

#define SYSFS_MAGIC 0x62656572

/* The sandbox's CPUs, as the kernel's cpumask lists print them ("0-1"). */
static int cpu_list_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	synth_print_bitlist(b, sched_cpus());
	synth_puts(b, "\n");
	return 0;
}

static const struct synth_ops cpu_list_ops = { .show = cpu_list_show };

static const struct synth_entry cpu_entries[] = {
	{ "online", S_IFREG | 0444, &cpu_list_ops, NULL },
	{ "possible", S_IFREG | 0444, &cpu_list_ops, NULL },
	{ "present", S_IFREG | 0444, &cpu_list_ops, NULL },
};
static const struct synth_table cpu_table = SYNTH_TABLE(cpu_entries);

static const struct synth_entry system_entries[] = {
	{ "cpu", S_IFDIR | 0555, &synth_table_dir_ops, &cpu_table },
};
static const struct synth_table system_table = SYNTH_TABLE(system_entries);

static const struct synth_entry devices_entries[] = {
	{ "system", S_IFDIR | 0555, &synth_table_dir_ops, &system_table },
};
static const struct synth_table devices_table = SYNTH_TABLE(devices_entries);

/* fs/cgroup is where a cgroup2 view would be mounted; the sandbox has none to show. */
static const struct synth_table empty_table = { .e = NULL, .n = 0 };

static const struct synth_entry fs_entries[] = {
	{ "cgroup", S_IFDIR | 0555, &synth_table_dir_ops, &empty_table },
};
static const struct synth_table fs_table = SYNTH_TABLE(fs_entries);

static const struct synth_entry root_entries[] = {
	{ "devices", S_IFDIR | 0555, &synth_table_dir_ops, &devices_table },
	{ "fs", S_IFDIR | 0555, &synth_table_dir_ops, &fs_table },
};
static const struct synth_table root_table = SYNTH_TABLE(root_entries);

int sysfs_new(struct super_block **sb, struct inode **root)
{
	return synth_sb_new("sysfs", SYSFS_MAGIC, &synth_table_dir_ops, &root_table, sb, root);
}

static int sysfs_mount(const char *source, unsigned long flags, const char *data,
		       struct super_block **sb, struct inode **root)
{
	(void)source;
	(void)flags;
	(void)data;
	return sysfs_new(sb, root);
}

static const struct fs_type sysfs_type = {
	.name = "sysfs",
	.nodev = true,
	.mount = sysfs_mount,
};

int sysfs_init(void)
{
	int err = vfs_register_fstype(&sysfs_type);

	return err == -EEXIST ? 0 : err;
}
