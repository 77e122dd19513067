/*
 * hostfs inodes: one host O_PATH fd per inode, reached from the parent's fd with
 * openat(O_PATH|O_NOFOLLOW) one component at a time; attributes from fstat.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fs/hostfs/hostfs.h"
#include "fs/hostfs/internal.h"

struct hostfs_sb {
	int root_fd;
};

/* Host pseudo-filesystems a guest must not see through the host root: they describe
 * the sentry (proc: its memory, fds and maps) or the host kernel's control knobs. */
static const long hidden_fs_magic[] = {
	0x9fa0, /* proc */
	0x62656572, /* sysfs */
	0x64626720, /* debugfs */
	0x74726163, /* tracefs */
	0x73636673, /* securityfs */
	0x27e0eb, /* cgroup */
	0x63677270, /* cgroup2 */
	0xcafe4a11, /* bpf */
	0x42494e4d, /* binfmt_misc */
	0x6165676c, /* pstore */
	0xde5e81e4, /* efivarfs */
	0x62656570, /* configfs */
	0x65735543, /* fusectl */
	0x1cd1, /* devpts */
};

static bool host_fd_hidden(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(hidden_fs_magic); i++) {
		if ((long)sfs.f_type == hidden_fs_magic[i])
			return true;
	}
	return false;
}

void hostfs_set_attrs(struct inode *inode, const struct stat *st)
{
	inode->ino = st->st_ino;
	inode->mode = st->st_mode;
	inode->uid = st->st_uid;
	inode->gid = st->st_gid;
	inode->nlink = st->st_nlink;
	inode->rdev = st->st_rdev;
	inode->size = st->st_size;
	inode->blocks = st->st_blocks;
	inode->atime = st->st_atim;
	inode->mtime = st->st_mtim;
	inode->ctime = st->st_ctim;
	HI(inode)->hdev = st->st_dev;
}

static void hostfs_evict(struct inode *inode)
{
	struct hostfs_inode *hi = HI(inode);

	if (!hi)
		return;
	close(hi->fd);
	inode_put(hi->parent);
	free(hi->name);
	free(hi);
}

static const struct inode_ops hostfs_iops;

/* A new inode over host fd (consumed), named name in parent (NULL for the root). */
static int hostfs_inode_new(struct super_block *sb, int fd, struct inode *parent, const char *name,
			    struct inode **out)
{
	struct hostfs_inode *hi;
	struct inode *inode;
	struct stat st;

	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	hi = calloc(1, sizeof(*hi));
	if (hi)
		hi->name = strdup(name);
	inode = hi && hi->name ? inode_new(sb, st.st_mode) : NULL;
	if (!inode) {
		if (hi)
			free(hi->name);
		free(hi);
		close(fd);
		return -ENOMEM;
	}
	hi->fd = fd;
	if (parent) {
		inode_get(parent);
		hi->parent = parent;
	}
	inode->priv = hi;
	hostfs_set_attrs(inode, &st);
	/* a directory on another host filesystem than its parent: check what it is */
	if (S_ISDIR(st.st_mode) && (!parent || HI(parent)->hidden || HI(parent)->hdev != st.st_dev))
		hi->hidden = (parent && HI(parent)->hidden) || host_fd_hidden(fd);
	inode->iops = &hostfs_iops;
	if (S_ISDIR(st.st_mode))
		inode->fops = &hostfs_dir_fops;
	else if (S_ISREG(st.st_mode))
		inode->fops = &hostfs_file_fops;
	*out = inode;
	return 0;
}

static int hostfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int fd;

	if (HI(dir)->hidden)
		return -ENOENT;
	fd = openat(HI(dir)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return hostfs_inode_new(dir->sb, fd, dir, name, out);
}

static ssize_t hostfs_readlink(struct inode *inode, char *buf, size_t len)
{
	ssize_t n = readlinkat(HI(inode)->fd, "", buf, len);

	return n < 0 ? -errno : n;
}

static int hostfs_getattr(struct inode *inode, struct kstat *st)
{
	struct stat hst;

	if (fstatat(HI(inode)->fd, "", &hst, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	pthread_mutex_lock(&inode->lock);
	hostfs_set_attrs(inode, &hst);
	pthread_mutex_unlock(&inode->lock);
	vfs_kstat_from_host(&hst, st);
	return 0;
}

static const struct inode_ops hostfs_iops = {
	.lookup = hostfs_lookup,
	.readlink = hostfs_readlink,
	.getattr = hostfs_getattr,
	.open = hostfs_file_open,
};

static int hostfs_statfs(struct super_block *sb, struct statfs *out)
{
	struct hostfs_sb *hsb = sb->priv;

	if (fstatfs(hsb->root_fd, out) < 0)
		return -errno;
	return 0;
}

static void hostfs_put_super(struct super_block *sb)
{
	struct hostfs_sb *hsb = sb->priv;

	close(hsb->root_fd);
	free(hsb);
}

static const struct super_ops hostfs_sops = {
	.put_super = hostfs_put_super,
	.statfs = hostfs_statfs,
	.evict_inode = hostfs_evict,
};

int hostfs_new(const char *host_root, struct super_block **sbp, struct inode **rootp)
{
	struct hostfs_sb *hsb;
	struct super_block *sb;
	int fd, err;

	hsb = calloc(1, sizeof(*hsb));
	if (!hsb)
		return -ENOMEM;
	hsb->root_fd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (hsb->root_fd < 0) {
		err = -errno;
		free(hsb);
		return err;
	}
	sb = sb_new(&hostfs_sops, "hostfs", MS_RDONLY);
	if (!sb) {
		close(hsb->root_fd);
		free(hsb);
		return -ENOMEM;
	}
	sb->priv = hsb;
	fd = fcntl(hsb->root_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out_put_sb;
	}
	err = hostfs_inode_new(sb, fd, NULL, "/", rootp);
	if (err < 0)
		goto out_put_sb;
	*sbp = sb;
	return 0;
out_put_sb:
	sb_put(sb);
	return err;
}
