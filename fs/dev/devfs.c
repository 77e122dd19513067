/* Builds the /dev tree on a tmpfs: device nodes, the fd symlinks, /dev/shm. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/dev/devfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/vfs.h"

#define DEVFS_SIZE (64ULL << 20) /* /dev/shm's share, like a container runtime's default */

static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 },
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
	err = tmpfs_new(&sb, &root, 0755, DEVFS_SIZE);
	if (err < 0)
		return err;
	for (i = 0; i < ARRAY_SIZE(dev_nodes) && err == 0; i++) {
		err = root->iops->mknod(root, dev_nodes[i].name, S_IFCHR | 0666,
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
