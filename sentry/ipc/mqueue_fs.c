/*
 * The mqueue filesystem: one flat directory of message queues per IPC namespace. mq_open
 * and mq_unlink work on the namespace's internal mount of it; mount -t mqueue shows the
 * same queues, where open(O_CREAT), unlink, ls and cat (the queue's status line) work.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "sentry/ipc/internal.h"
#include "sentry/ipc/mqueue_internal.h"
#include "sentry/kernel/task.h"

#define MQUEUE_MAGIC 0x19800202
#define CAP_SYS_RESOURCE 24

struct mq_dirent {
	struct list_head node;
	struct inode *inode; /* +1 */
	int64_t cookie;
	char name[];
};

static const struct inode_ops mq_dir_iops;
static const struct file_ops mq_dir_fops;

static struct mq_sb *mq_sb_of(struct super_block *sb)
{
	return sb->priv;
}

static void mq_put_super(struct super_block *sb)
{
	struct mq_sb *ms = mq_sb_of(sb);

	free(ms);
}

static void mq_evict_inode(struct inode *inode)
{
	if (S_ISREG(inode->mode) && inode->priv)
		mq_queue_free(inode->priv);
	inode->priv = NULL;
}

static int mq_statfs(struct super_block *sb, struct statfs *out)
{
	(void)sb;
	memset(out, 0, sizeof(*out));
	out->f_type = MQUEUE_MAGIC;
	out->f_bsize = 4096;
	out->f_namelen = 255;
	return 0;
}

static const struct super_ops mq_super_ops = {
	.put_super = mq_put_super,
	.statfs = mq_statfs,
	.evict_inode = mq_evict_inode,
};

static void mq_inode_times(struct inode *inode)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	inode->atime = inode->mtime = inode->ctime = inode->btime = now;
}

static struct mq_dirent *mq_find_locked(struct mq_sb *ms, const char *name)
{
	struct mq_dirent *e;

	list_for_each_entry(e, &ms->entries, node)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static int mq_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct mq_sb *ms = mq_sb_of(dir->sb);
	struct mq_dirent *e;
	int err = -ENOENT;

	pthread_mutex_lock(&ms->lock);
	e = mq_find_locked(ms, name);
	if (e) {
		inode_get(e->inode);
		*out = e->inode;
		err = 0;
	}
	pthread_mutex_unlock(&ms->lock);
	return err;
}

/* Linux's rules for a queue name: getname's (empty: -ENOENT), then lookup_one_len's. */
static int mq_name_check(const char *name)
{
	if (!name[0])
		return -ENOENT;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	return 0;
}

/* Checks attr against the limits (the capability raises them to the hard ones). */
static int mq_attr_check(const struct linux_mq_attr *a)
{
	struct task *t = task_current();
	bool cap = t && cred_capable(t->cred, CAP_SYS_RESOURCE);

	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (a->mq_maxmsg > (cap ? MQ_HARD_MSGMAX : MQ_MSG_MAX) ||
	    a->mq_msgsize > (cap ? MQ_HARD_MSGSIZEMAX : MQ_MSGSIZE_MAX))
		return -EINVAL;
	return 0;
}

/* Adds a queue called name (not there yet) with attr (NULL = defaults). +1 inode. */
static int mq_add_locked(struct inode *dir, const char *name, uint32_t mode,
			 const struct vfs_cred *c, const struct linux_mq_attr *attr,
			 struct inode **out)
{
	static const struct linux_mq_attr defaults = {
		.mq_maxmsg = MQ_MSG_DEFAULT,
		.mq_msgsize = MQ_MSGSIZE_DEFAULT,
	};
	struct mq_sb *ms = mq_sb_of(dir->sb);
	struct task *t = task_current();
	struct mq_dirent *e;
	int err;

	err = mq_attr_check(attr ? attr : &defaults);
	if (err)
		return err;
	if (ms->nqueues >= MQ_QUEUES_MAX && !(t && cred_capable(t->cred, CAP_SYS_RESOURCE)))
		return -ENOSPC;
	e = malloc(sizeof(*e) + strlen(name) + 1);
	if (!e)
		return -ENOMEM;
	strcpy(e->name, name);
	err = mq_inode_new(dir->sb, S_IFREG | (mode & 07777), c, attr ? attr : &defaults,
			   &e->inode);
	if (err) {
		free(e);
		return err;
	}
	e->inode->ino = ++ms->next_ino;
	e->cookie = ms->next_cookie++;
	list_add_tail(&e->node, &ms->entries);
	ms->nqueues++;
	inode_get(e->inode);
	*out = e->inode;
	mq_inode_times(dir);
	return 0;
}

/* open(O_CREAT) in a mounted mqueue fs: a queue with the default attributes. */
static int mq_create(struct inode *dir, const char *name, uint32_t mode, const struct vfs_cred *c,
		     struct inode **out)
{
	struct mq_sb *ms = mq_sb_of(dir->sb);
	int err;

	pthread_mutex_lock(&ms->lock);
	err = mq_add_locked(dir, name, mode, c, NULL, out);
	pthread_mutex_unlock(&ms->lock);
	return err;
}

static int mq_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	struct mq_sb *ms = mq_sb_of(dir->sb);
	struct mq_dirent *e;

	pthread_mutex_lock(&ms->lock);
	e = mq_find_locked(ms, name);
	if (!e || e->inode != victim) {
		pthread_mutex_unlock(&ms->lock);
		return -ENOENT;
	}
	list_del(&e->node);
	ms->nqueues--;
	victim->nlink = 0;
	mq_inode_times(dir);
	pthread_mutex_unlock(&ms->lock);
	/* open descriptors keep the queue until they close */
	inode_put(e->inode);
	free(e);
	return 0;
}

static int mq_iterate(struct file *f, struct dir_context *ctx)
{
	struct mq_sb *ms = mq_sb_of(f->inode->sb);
	struct mq_dirent *e;

	pthread_mutex_lock(&ms->lock);
	list_for_each_entry(e, &ms->entries, node) {
		if (e->cookie < ctx->pos)
			continue;
		ctx->pos = e->cookie;
		if (!ctx->actor(ctx, e->name, strlen(e->name), e->inode->ino, DT_REG))
			break;
		ctx->pos = e->cookie + 1;
	}
	pthread_mutex_unlock(&ms->lock);
	return 0;
}

static const struct inode_ops mq_dir_iops = {
	.lookup = mq_lookup,
	.create = mq_create,
	.unlink = mq_unlink,
};

static const struct file_ops mq_dir_fops = {
	.iterate = mq_iterate,
};

static int mq_fs_new(struct super_block **sbp, struct inode **rootp)
{
	struct super_block *sb = sb_new(&mq_super_ops, "mqueue", 0);
	struct mq_sb *ms = calloc(1, sizeof(*ms));
	struct inode *root;

	if (!sb || !ms) {
		free(ms);
		if (sb)
			sb_put(sb);
		return -ENOMEM;
	}
	pthread_mutex_init(&ms->lock, NULL);
	list_init(&ms->entries);
	ms->next_cookie = 2;
	ms->next_ino = 1;
	sb->priv = ms;
	root = inode_new(sb, S_IFDIR | 01777);
	if (!root) {
		sb_put(sb);
		return -ENOMEM;
	}
	root->ino = 1;
	root->nlink = 2;
	root->iops = &mq_dir_iops;
	root->fops = &mq_dir_fops;
	mq_inode_times(root);
	*sbp = sb;
	*rootp = root;
	return 0;
}

/* An instance the sandbox's boot mounts made before any task ran (an OCI config's
 * /dev/mqueue): the first namespace adopts it, so mq_open's queues show there. One
 * sandbox per sentry process makes "the first namespace" the sandbox's. */
static pthread_mutex_t mq_boot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct super_block *mq_boot_sb; /* +1 */
static struct inode *mq_boot_root; /* +1 */

static int mq_boot_instance(struct super_block **sb, struct inode **root)
{
	int err = 0;

	pthread_mutex_lock(&mq_boot_lock);
	if (!mq_boot_sb)
		err = mq_fs_new(&mq_boot_sb, &mq_boot_root);
	if (!err) {
		*sb = mq_boot_sb;
		*root = mq_boot_root;
		sb_get(*sb);
		inode_get(*root);
	}
	pthread_mutex_unlock(&mq_boot_lock);
	return err;
}

/* The namespace's instance, made (or adopted from the boot mounts) on first use. */
static int mq_ns_mount(struct ipc_ns *ns)
{
	struct super_block *sb;
	struct inode *root;
	int err = 0;

	pthread_mutex_lock(&ns->lock);
	if (!ns->mq_mnt) {
		pthread_mutex_lock(&mq_boot_lock);
		if (mq_boot_sb) {
			sb = mq_boot_sb;
			root = mq_boot_root;
			mq_boot_sb = NULL;
			mq_boot_root = NULL;
		} else {
			err = mq_fs_new(&sb, &root);
		}
		pthread_mutex_unlock(&mq_boot_lock);
		if (!err) {
			err = vfs_mount_root(sb, root, &ns->mq_mnt);
			inode_put(root);
			sb_put(sb);
		}
	}
	pthread_mutex_unlock(&ns->lock);
	return err;
}

int mq_ns_root(struct task *t, struct path *out)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	int err;

	if (!ns)
		return -ENOMEM;
	err = mq_ns_mount(ns);
	if (err)
		return err;
	out->mnt = ns->mq_mnt;
	out->dentry = ns->mq_mnt->root;
	path_get(out);
	return 0;
}

/* mount -t mqueue: the caller's namespace's queues (Linux's mq_internal_mount too). */
static int mq_fstype_mount(const char *source, unsigned long flags, const char *data,
			   struct super_block **sb, struct inode **root)
{
	struct task *t = task_current();
	struct path p;
	int err;

	(void)source;
	(void)flags;
	(void)data;
	if (!t)
		return mq_boot_instance(sb, root);
	err = mq_ns_root(t, &p);
	if (err)
		return err;
	*sb = p.mnt->sb;
	sb_get(*sb);
	*root = p.dentry->inode;
	inode_get(*root);
	path_put(&p);
	return 0;
}

static const struct fs_type mq_fs_type = {
	.name = "mqueue",
	.nodev = true,
	.mount = mq_fstype_mount,
};

int mqueue_register_fstype(void)
{
	return vfs_register_fstype(&mq_fs_type);
}

/*
 * mq_open and mq_unlink work on the namespace's queue list directly rather than through
 * a path walk: the file's dentry is an anonymous one (vfs_anon_path), so no dentry of
 * the internal mount stays in the dcache to outlive an unlink made through a mount of
 * the filesystem.
 */
int mqueue_open(struct task *t, const char *name, int oflag, uint32_t mode,
		const struct linux_mq_attr *attr, struct file **out)
{
	static const int acc[3] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE };
	struct inode *dir, *inode = NULL;
	struct mq_dirent *e;
	struct vfs_cred c;
	struct path root, p;
	struct mq_sb *ms;
	int err;

	err = mq_name_check(name);
	if (err)
		return err;
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	err = mq_ns_root(t, &root);
	if (err)
		return err;
	task_vfs_cred(t, &c);
	dir = root.dentry->inode;
	ms = mq_sb_of(dir->sb);
	pthread_mutex_lock(&ms->lock);
	e = mq_find_locked(ms, name);
	if (e) {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			err = -EEXIST;
		else
			err = vfs_permission(e->inode, acc[oflag & O_ACCMODE], &c);
		if (!err) {
			inode = e->inode;
			inode_get(inode);
		}
	} else if (!(oflag & O_CREAT)) {
		err = -ENOENT;
	} else {
		err = vfs_permission(dir, MAY_WRITE | MAY_EXEC, &c);
		if (!err)
			err = mq_add_locked(
				dir, name, mode & ~__atomic_load_n(&t->fs->umask, __ATOMIC_RELAXED),
				&c, attr, &inode);
	}
	pthread_mutex_unlock(&ms->lock);
	if (err)
		goto out_put_root;
	err = vfs_anon_path(root.mnt, name, inode, &p);
	if (!err) {
		err = file_new(&p, inode, oflag & (O_ACCMODE | O_NONBLOCK), out);
		path_put(&p);
	}
	inode_put(inode);
out_put_root:
	path_put(&root);
	return err;
}

int mqueue_unlink(struct task *t, const char *name)
{
	struct mq_dirent *e;
	struct vfs_cred c;
	struct inode *dir;
	struct path root;
	struct mq_sb *ms;
	int err;

	err = mq_name_check(name);
	if (err)
		return err;
	err = mq_ns_root(t, &root);
	if (err)
		return err;
	task_vfs_cred(t, &c);
	dir = root.dentry->inode;
	ms = mq_sb_of(dir->sb);
	pthread_mutex_lock(&ms->lock);
	e = mq_find_locked(ms, name);
	if (!e) {
		err = -ENOENT;
		goto out_unlock;
	}
	/* may_delete's rules: write on the directory, the sticky bit's owners */
	err = vfs_permission(dir, MAY_WRITE | MAY_EXEC, &c);
	if (!err && (dir->mode & S_ISVTX) && c.fsuid != e->inode->uid && c.fsuid != dir->uid &&
	    !c.cap_fowner)
		err = -EPERM;
	if (!err) {
		list_del(&e->node);
		ms->nqueues--;
		e->inode->nlink = 0;
		mq_inode_times(dir);
	}
out_unlock:
	pthread_mutex_unlock(&ms->lock);
	if (!err) {
		inode_put(e->inode); /* open descriptors keep the queue until they close */
		free(e);
	}
	path_put(&root);
	return err;
}
