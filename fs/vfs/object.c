/*
 * Lifetimes of the VFS's refcounted objects other than dentries and mounts: inodes,
 * superblocks, open files and fs views, plus the live-object counters that the leak
 * tests read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fs/epoll/epoll.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

static long live_inodes, live_sbs;
long vfs_live_dentries, vfs_live_mounts, vfs_live_files;

void vfs_count(long *counter, long delta)
{
	__atomic_add_fetch(counter, delta, __ATOMIC_RELAXED);
}

void vfs_live_counts(struct vfs_live *out)
{
	/* what only the cache holds is not live: what stays is referenced by someone */
	dcache_shrink(NULL);
	out->inodes = __atomic_load_n(&live_inodes, __ATOMIC_RELAXED);
	out->dentries = __atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED);
	out->mounts = __atomic_load_n(&vfs_live_mounts, __ATOMIC_RELAXED);
	out->files = __atomic_load_n(&vfs_live_files, __ATOMIC_RELAXED);
	out->sbs = __atomic_load_n(&live_sbs, __ATOMIC_RELAXED);
}

void vfs_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

uint64_t vfs_anon_dev(void)
{
	static unsigned next_minor;

	return makedev(0, __atomic_add_fetch(&next_minor, 1, __ATOMIC_RELAXED));
}

/* ---- superblocks ---- */

struct super_block *sb_new(const struct super_ops *ops, const char *fstype, unsigned flags)
{
	struct super_block *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	ref_init(&sb->ref);
	sb->ops = ops;
	sb->fstype = fstype;
	sb->flags = flags;
	sb->dev = vfs_anon_dev();
	vfs_count(&live_sbs, 1);
	return sb;
}

void sb_get(struct super_block *sb)
{
	ref_get(&sb->ref);
}

void sb_put(struct super_block *sb)
{
	if (!sb || !ref_put(&sb->ref))
		return;
	if (sb->ops && sb->ops->put_super)
		sb->ops->put_super(sb);
	free(sb);
	vfs_count(&live_sbs, -1);
}

/* ---- inodes ---- */

struct inode *inode_new(struct super_block *sb, uint32_t mode)
{
	struct inode *i = calloc(1, sizeof(*i));

	if (!i)
		return NULL;
	ref_init(&i->ref);
	sb_get(sb);
	i->sb = sb;
	i->mode = mode;
	pthread_mutex_init(&i->lock, NULL);
	vfs_count(&live_inodes, 1);
	return i;
}

void inode_get(struct inode *i)
{
	ref_get(&i->ref);
}

void inode_put(struct inode *i)
{
	struct super_block *sb;

	if (!i || !ref_put(&i->ref))
		return;
	sb = i->sb;
	if (sb->ops && sb->ops->evict_inode)
		sb->ops->evict_inode(i);
	pthread_mutex_destroy(&i->lock);
	free(i);
	vfs_count(&live_inodes, -1);
	sb_put(sb);
}

/* ---- paths ---- */

void path_get(const struct path *p)
{
	if (p->mnt)
		mount_get(p->mnt);
	if (p->dentry)
		dentry_get(p->dentry);
}

void path_put(const struct path *p)
{
	if (p->dentry)
		dentry_put(p->dentry);
	if (p->mnt)
		mount_put(p->mnt);
}

bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

/* ---- open files ---- */

/* O_PATH files: every operation but fstat, fchdir and use as a dirfd is -EBADF, which
 * the generic layer enforces before reaching these (empty) ops. */
const struct file_ops vfs_opath_fops = { 0 };

int file_new(const struct path *path, struct inode *inode, unsigned flags, struct file **out)
{
	struct file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	ref_init(&f->ref);
	if (path)
		f->path = *path;
	path_get(&f->path);
	inode_get(inode);
	f->inode = inode;
	f->flags = flags & ~(unsigned)O_CLOEXEC;
	pthread_mutex_init(&f->pos_lock, NULL);
	list_init(&f->ep_links);
	vfs_count(&vfs_live_files, 1);
	if (flags & O_PATH) {
		f->ops = &vfs_opath_fops;
	} else {
		f->ops = inode->fops;
		if (inode->iops && inode->iops->open) {
			err = inode->iops->open(inode, f);
			if (err < 0) {
				/* release is for opened files only */
				f->ops = NULL;
				file_put(f);
				return err;
			}
		}
	}
	*out = f;
	return 0;
}

void file_get(struct file *f)
{
	ref_get(&f->ref);
}

void file_put(struct file *f)
{
	if (!f || !ref_put(&f->ref))
		return;
	epoll_file_release(f); /* as Linux's __fput: items go with the file, not an fd */
	vfs_locks_file_release(f);
	fsnotify_close(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	pthread_mutex_destroy(&f->pos_lock);
	inode_put(f->inode);
	path_put(&f->path);
	free(f);
	vfs_count(&vfs_live_files, -1);
}

/* ---- fs views ---- */

struct fs_view *fs_view_new(const struct path *root, const struct path *cwd)
{
	struct fs_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	ref_init(&v->ref);
	v->root = *root;
	v->cwd = *cwd;
	path_get(&v->root);
	path_get(&v->cwd);
	v->umask = 022;
	pthread_mutex_init(&v->lock, NULL);
	return v;
}

struct fs_view *fs_view_copy(struct fs_view *v)
{
	struct fs_view *n;
	struct path root, cwd;

	pthread_mutex_lock(&v->lock);
	root = v->root;
	cwd = v->cwd;
	path_get(&root);
	path_get(&cwd);
	pthread_mutex_unlock(&v->lock);
	n = fs_view_new(&root, &cwd);
	if (n)
		n->umask = __atomic_load_n(&v->umask, __ATOMIC_RELAXED);
	path_put(&root);
	path_put(&cwd);
	return n;
}

void fs_view_put(struct fs_view *v)
{
	if (!v || !ref_put(&v->ref))
		return;
	path_put(&v->root);
	path_put(&v->cwd);
	pthread_mutex_destroy(&v->lock);
	free(v);
}
