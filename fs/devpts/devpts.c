/*
 * devpts: the directory of pty replicas (/dev/pts/N, one per allocated pty, appearing
 * and going with it) and its ptmx node, plus the /dev/ptmx and /dev/tty character
 * devices. Every devpts mount shows the sandbox's one pty table (Linux's single-instance
 * behaviour): a sandbox is one container.
 *
 * Inodes are made at each lookup from the pty table (the fs keeps no dentries unused),
 * so a name disappears as soon as its master closes.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "fs/devpts/devpts.h"
#include "fs/devpts/pty.h"
#include "fs/vfs/vfs.h"

#define PTMX_INO 2
#define PTS_INO(i) ((uint64_t)(i) + 3)

static const struct inode_ops devpts_root_iops, devpts_ptmx_iops, devpts_pts_iops;
static const struct file_ops devpts_root_fops;

static struct inode *devpts_inode(struct super_block *sb, uint32_t mode, uint64_t ino)
{
	struct inode *i = inode_new(sb, mode);
	struct timespec now;

	if (!i)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	i->ino = ino;
	i->nlink = S_ISDIR(mode) ? 2 : 1;
	i->atime = i->mtime = i->ctime = i->btime = now;
	return i;
}

static int devpts_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct inode *i;
	struct pty *p;
	char *end;
	long n;

	if (!strcmp(name, "ptmx")) {
		i = devpts_inode(dir->sb, S_IFCHR | 0000, PTMX_INO);
		if (!i)
			return -ENOMEM;
		i->rdev = makedev(5, 2);
		i->iops = &devpts_ptmx_iops;
		*out = i;
		return 0;
	}
	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return -ENOENT;
	n = strtol(name, &end, 10);
	if (*end || n >= PTY_MAX)
		return -ENOENT;
	p = pty_lookup((int)n);
	if (!p)
		return -ENOENT;
	i = devpts_inode(dir->sb, 0, PTS_INO(n));
	if (i) {
		pthread_mutex_lock(&p->lock);
		i->mode = S_IFCHR | p->mode;
		i->uid = p->uid;
		i->gid = p->gid;
		pthread_mutex_unlock(&p->lock);
		i->rdev = makedev(PTY_MAJOR, (unsigned)n);
		i->iops = &devpts_pts_iops;
		i->priv = (void *)(intptr_t)n;
	}
	pty_put(p);
	if (!i)
		return -ENOMEM;
	*out = i;
	return 0;
}

struct iter_arg {
	struct dir_context *ctx;
	bool full;
};

static bool emit_pty(struct pty *p, void *arg)
{
	struct iter_arg *a = arg;
	int64_t cookie = PTS_INO(p->index);
	char name[16];
	int len;

	if (cookie < a->ctx->pos)
		return true;
	len = snprintf(name, sizeof(name), "%d", p->index);
	a->ctx->pos = cookie;
	if (!a->ctx->actor(a->ctx, name, (size_t)len, PTS_INO(p->index), DT_CHR)) {
		a->full = true;
		return false;
	}
	a->ctx->pos = cookie + 1;
	return true;
}

/* Cookies: ptmx is 2, pty N is N + 3 (its inode number). */
static int devpts_iterate(struct file *f, struct dir_context *ctx)
{
	struct iter_arg a = { ctx, false };

	if (ctx->pos <= PTMX_INO) {
		ctx->pos = PTMX_INO;
		if (!ctx->actor(ctx, "ptmx", 4, PTMX_INO, DT_CHR))
			return 0;
		ctx->pos = PTMX_INO + 1;
	}
	pty_for_each(emit_pty, &a);
	if (!a.full)
		ctx->pos = PTS_INO(PTY_MAX);
	return 0;
}

static int devpts_ptmx_open(struct inode *inode, struct file *f)
{
	return pty_open_master(f);
}

static int devpts_pts_open(struct inode *inode, struct file *f)
{
	struct pty *p = pty_lookup((int)(intptr_t)inode->priv);
	int err;

	if (!p)
		return -EIO; /* its master closed since the lookup */
	err = pty_open_replica(p, f, false);
	pty_put(p);
	return err;
}

static const struct inode_ops devpts_root_iops = {
	.lookup = devpts_lookup,
};

static const struct file_ops devpts_root_fops = {
	.iterate = devpts_iterate,
};

static const struct inode_ops devpts_ptmx_iops = {
	.open = devpts_ptmx_open,
};

static const struct inode_ops devpts_pts_iops = {
	.open = devpts_pts_open,
};

static const struct super_ops devpts_sops = { 0 };

static int devpts_mount(const char *source, unsigned long flags, const char *data,
			struct super_block **sbp, struct inode **rootp)
{
	struct super_block *sb = sb_new(&devpts_sops, "devpts", 0);
	struct inode *root;

	if (!sb)
		return -ENOMEM;
	root = devpts_inode(sb, S_IFDIR | 0755, 1);
	if (!root) {
		sb_put(sb);
		return -ENOMEM;
	}
	root->iops = &devpts_root_iops;
	root->fops = &devpts_root_fops;
	*sbp = sb;
	*rootp = root;
	return 0;
}

static const struct fs_type devpts_fs_type = {
	.name = "devpts",
	.nodev = true,
	.mount = devpts_mount,
};

/* ---- /dev/ptmx and /dev/tty (major 5) ---- */

static int ptmx_chr_open(struct inode *inode, struct file *f)
{
	return pty_open_master(f);
}

/* /dev/tty: the caller's controlling terminal, or -ENXIO without one. */
static int tty_chr_open(struct inode *inode, struct file *f)
{
	struct pty_caller c = { 0 };
	struct pty *p;
	int err;

	if (pty_jc)
		pty_jc->caller(&c);
	p = pty_ctty_of(&c);
	if (!p)
		return -ENXIO;
	/* the controlling terminal opens even while locked: it is open already */
	err = pty_open_replica(p, f, true);
	pty_put(p);
	return err;
}

static const struct file_ops ptmx_chr_fops = { .open = ptmx_chr_open };
static const struct file_ops tty_chr_fops = { .open = tty_chr_open };

static void devpts_register(void)
{
	vfs_register_fstype(&devpts_fs_type);
	vfs_chrdev_register(makedev(5, 0), &tty_chr_fops);
	vfs_chrdev_register(makedev(5, 2), &ptmx_chr_fops);
}

void devpts_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, devpts_register);
}
