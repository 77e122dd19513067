/*
 * tmpfs as a mount(2) filesystem type: each mount is a fresh instance shaped by the
 * options string (tmpfs_parse_opts) and mount(2)'s superblock flags.
 */
#include <errno.h>
#include <sys/mount.h>

#include "fs/tmpfs/fstype.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/vfs.h"

static int tmpfs_fs_mount(const char *source, unsigned long flags, const char *data,
			  struct super_block **sb, struct inode **root)
{
	struct tmpfs_opts o;
	int err;

	(void)source; /* tmpfs has no backing: the source is only a name for /proc/mounts */
	err = tmpfs_parse_opts(data, &o);
	if (err)
		return err;
	err = tmpfs_new_opts(&o, sb, root);
	if (err)
		return err;
	if (flags & MS_RDONLY)
		(*sb)->flags |= MS_RDONLY;
	return 0;
}

static const struct fs_type tmpfs_fs_type = {
	.name = "tmpfs",
	.nodev = true,
	.mount = tmpfs_fs_mount,
};

int tmpfs_register_fstype(void)
{
	return vfs_register_fstype(&tmpfs_fs_type);
}
