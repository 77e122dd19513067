/*
 * Builds the /dev tree on a tmpfs: device nodes with Linux's modes and numbers, the fd
 * symlinks, the pts and shm directories, and mounts a tmpfs of its own on /dev/shm and
 * devpts on /dev/pts.
 *
 * /dev/ptmx opens a new pty master and /dev/tty the caller's controlling terminal
 * (fs/devpts); /dev/console opens with -ENXIO (tmpfs_special_open): the sandbox has no
 * console.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/dev/devfs.h"
#include "fs/devpts/devpts.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/vfs.h"

#define DEVFS_SIZE (64ULL << 20) /* /dev/shm's share, like a container runtime's default */

/* As devtmpfs creates them (drivers/char/mem.c, drivers/tty/tty_io.c). */
static const struct {
	const char *name;
	unsigned major, minor;
	uint32_t mode;
} dev_nodes[] = {
	{ "null", 1, 3, 0666 },	   { "zero", 1, 5, 0666 },    { "full", 1, 7, 0666 },
	{ "random", 1, 8, 0666 },  { "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },
	{ "console", 5, 1, 0600 }, { "ptmx", 5, 2, 0666 },
};

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

static const struct {
	const char *name;
	uint32_t mode;
} dev_dirs[] = {
	{ "shm", 01777 },
	{ "pts", 0755 },
};

int devfs_new(struct super_block **sbp, struct inode **rootp)
{
	struct inode *root, *inode;
	struct super_block *sb;
	size_t i;
	int err;

	devfs_register_devices();
	devpts_init();
	err = tmpfs_new(&sb, &root, 0755, DEVFS_SIZE);
	if (err < 0)
		return err;
	for (i = 0; i < ARRAY_SIZE(dev_nodes) && err == 0; i++) {
		err = root->iops->mknod(root, dev_nodes[i].name, S_IFCHR | dev_nodes[i].mode,
					makedev(dev_nodes[i].major, dev_nodes[i].minor), NULL,
					&inode);
		if (err == 0)
			inode_put(inode);
	}
	for (i = 0; i < ARRAY_SIZE(dev_links) && err == 0; i++) {
		err = root->iops->symlink(root, dev_links[i].name, dev_links[i].target, NULL,
					  &inode);
		if (err == 0)
			inode_put(inode);
	}
	for (i = 0; i < ARRAY_SIZE(dev_dirs) && err == 0; i++) {
		err = root->iops->mkdir(root, dev_dirs[i].name, S_IFDIR | dev_dirs[i].mode, NULL,
					&inode);
		if (err == 0)
			inode_put(inode);
	}
	if (err < 0) {
		inode_put(root);
		sb_put(sb);
		return err;
	}
	*sbp = sb;
	*rootp = root;
	return 0;
}

int devfs_mount_shm(struct fs_view *v, const char *where)
{
	struct path p;
	struct super_block *sb;
	struct inode *root;
	int err;

	err = vfs_walk(v, NULL, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, NULL, &p);
	if (err)
		return err;
	err = tmpfs_new(&sb, &root, 01777, DEVFS_SIZE);
	if (!err) {
		err = vfs_mount_at(&p, sb, root, MS_NOSUID | MS_NODEV);
		inode_put(root);
		sb_put(sb);
	}
	path_put(&p);
	return err;
}

int devfs_mount_pts(struct fs_view *v, const char *dev)
{
	char where[PATH_MAX];
	struct path p;
	int err;

	if (snprintf(where, sizeof(where), "%s/pts", dev) >= (int)sizeof(where))
		return -ENAMETOOLONG;
	err = vfs_walk(v, NULL, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, NULL, &p);
	if (err)
		return err;
	err = vfs_mount_fstype(&p, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
			       vfs_mount_flags(&p, MS_NOSUID | MS_NOEXEC), NULL);
	path_put(&p);
	return err;
}
