/* procfs's superblock and its registration as mount(2)'s "proc" type. */
#include <errno.h>

#include "fs/vfs/vfs.h"

#define PROC_SUPER_MAGIC 0x9fa0
#include "sentry/procfs/procfs.h"
#include "sentry/procfs/procfs_internal.h"

int procfs_new(struct super_block **sb, struct inode **root)
{
	if (!procfs_kernel)
		return -ENODEV;
	return synth_sb_new("proc", PROC_SUPER_MAGIC, &procfs_root_ops, NULL, sb, root);
}

static int procfs_mount(const char *source, unsigned long flags, const char *data,
			struct super_block **sb, struct inode **root)
{
	(void)source;
	(void)flags;
	(void)data; /* hidepid= and friends are not supported: every task is shown */
	return procfs_new(sb, root);
}

static const struct fs_type procfs_type = {
	.name = "proc",
	.nodev = true,
	.mount = procfs_mount,
};

int procfs_init(struct kernel *k)
{
	int err;

	procfs_kernel = k;
	err = vfs_register_fstype(&procfs_type);
	return err == -EEXIST ? 0 : err;
}
