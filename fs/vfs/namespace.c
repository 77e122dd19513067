/*
 * The *at operations that change a directory: mkdir, mknod, symlink, link, unlink,
 * rmdir and rename. Each walks to the parent, holds the parent dentry's lock around the
 * filesystem call and keeps the dentry cache in step with what the filesystem did.
 */
#include <errno.h>
#include <stdio.h> /* RENAME_* */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

/*
 * Walks to the parent for a create and checks the last component names nothing yet.
 * On success nd->cur's dentry lock is held. dir_slash: a trailing slash is fine (mkdir).
 */
static int create_begin(struct nameidata *nd, bool dir_slash)
{
	struct dentry *d;
	int err;

	err = nd_walk_parent(nd);
	if (err < 0)
		return err;
	if (nd->last_type != LAST_NORM)
		return -EEXIST;
	pthread_mutex_lock(&nd->cur.dentry->lock);
	err = d_lookup_locked(nd->cur.dentry, nd->last, nd->last_len, &d);
	if (err == 0) {
		pthread_mutex_unlock(&nd->cur.dentry->lock);
		dentry_put(d);
		return -EEXIST;
	}
	/* "name/" only ever names a directory, and only mkdir makes one */
	if (err == -ENOENT)
		err = nd->trailing_slash && !dir_slash ? -ENOENT : may_create(&nd->cur, nd->cred);
	if (err < 0) {
		pthread_mutex_unlock(&nd->cur.dentry->lock);
		return err;
	}
	return 0;
}

/* Caches inode (a +1 the fs returned, consumed) and drops the parent's lock; link: inode
 * is an existing file's new name. */
static int create_end(struct nameidata *nd, struct inode *inode, bool link)
{
	struct dentry *d = NULL;
	int err;

	err = d_add_locked(nd->cur.dentry, nd_last_name(nd), inode, &d);
	pthread_mutex_unlock(&nd->cur.dentry->lock);
	fsnotify_create(nd->cur.dentry, nd_last_name(nd), inode, link);
	inode_put(inode);
	dentry_put(d);
	/* the fs holds the new entry either way; a cache miss only costs a lookup later */
	return err == -ENOMEM ? 0 : err;
}

static uint32_t view_umask(struct fs_view *v)
{
	return __atomic_load_n(&v->umask, __ATOMIC_RELAXED);
}

int vfs_mkdirat(struct fs_view *v, const struct path *start, const char *name, uint32_t mode,
		const struct vfs_cred *c)
{
	struct nameidata nd;
	struct inode *dir, *inode;
	int err;

	err = nd_init(&nd, v, start, name, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = create_begin(&nd, true);
	if (err < 0)
		goto out_cleanup;
	dir = nd.cur.dentry->inode;
	if (!dir->iops || !dir->iops->mkdir) {
		err = -EPERM;
		goto out_unlock;
	}
	mode = S_IFDIR | ((mode & 01777) & ~view_umask(v));
	err = dir->iops->mkdir(dir, nd_last_name(&nd), mode, c, &inode);
	if (err < 0)
		goto out_unlock;
	err = create_end(&nd, inode, false);
	goto out_cleanup;
out_unlock:
	pthread_mutex_unlock(&nd.cur.dentry->lock);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}

int vfs_mknodat(struct fs_view *v, const struct path *start, const char *name, uint32_t mode,
		uint64_t dev, const struct vfs_cred *c)
{
	struct nameidata nd;
	struct inode *dir, *inode;
	int err;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (c && !c->cap_mknod)
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		dev = 0;
	err = nd_init(&nd, v, start, name, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = create_begin(&nd, false);
	if (err < 0)
		goto out_cleanup;
	dir = nd.cur.dentry->inode;
	if (!dir->iops || !dir->iops->mknod) {
		err = -EPERM;
		goto out_unlock;
	}
	mode = (mode & S_IFMT) | ((mode & 07777) & ~view_umask(v));
	err = dir->iops->mknod(dir, nd_last_name(&nd), mode, dev, c, &inode);
	if (err < 0)
		goto out_unlock;
	err = create_end(&nd, inode, false);
	goto out_cleanup;
out_unlock:
	pthread_mutex_unlock(&nd.cur.dentry->lock);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}

int vfs_symlinkat(struct fs_view *v, const char *target, const struct path *start, const char *name,
		  const struct vfs_cred *c)
{
	struct nameidata nd;
	struct inode *dir, *inode;
	int err;

	if (!target[0])
		return -ENOENT;
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	err = nd_init(&nd, v, start, name, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = create_begin(&nd, false);
	if (err < 0)
		goto out_cleanup;
	dir = nd.cur.dentry->inode;
	if (!dir->iops || !dir->iops->symlink) {
		err = -EPERM;
		goto out_unlock;
	}
	err = dir->iops->symlink(dir, nd_last_name(&nd), target, c, &inode);
	if (err < 0)
		goto out_unlock;
	err = create_end(&nd, inode, false);
	goto out_cleanup;
out_unlock:
	pthread_mutex_unlock(&nd.cur.dentry->lock);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}

int vfs_linkat(struct fs_view *v, const struct path *ostart, const char *oname,
	       const struct path *nstart, const char *nname, unsigned lookup,
	       const struct vfs_cred *c)
{
	struct nameidata nd;
	struct path old;
	struct inode *dir, *target;
	int err;

	err = vfs_walk(v, ostart, oname, lookup & (LOOKUP_FOLLOW | LOOKUP_EMPTY), c, &old);
	if (err < 0)
		return err;
	target = old.dentry->inode;
	err = nd_init(&nd, v, nstart, nname, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = create_begin(&nd, false);
	if (err < 0)
		goto out_cleanup;
	dir = nd.cur.dentry->inode;
	if (nd.cur.mnt != old.mnt) {
		err = -EXDEV;
		goto out_unlock;
	}
	if (S_ISDIR(target->mode)) {
		err = -EPERM;
		goto out_unlock;
	}
	if (!dir->iops || !dir->iops->link) {
		err = -EPERM;
		goto out_unlock;
	}
	pthread_mutex_lock(&target->lock);
	/* unlinked: no new names, but for an O_TMPFILE file opened without O_EXCL */
	err = target->nlink == 0 && !target->linkable ? -ENOENT : 0;
	pthread_mutex_unlock(&target->lock);
	if (err < 0)
		goto out_unlock;
	err = dir->iops->link(dir, nd_last_name(&nd), target);
	if (err < 0)
		goto out_unlock;
	inode_get(target);
	err = create_end(&nd, target, true);
	goto out_cleanup;
out_unlock:
	pthread_mutex_unlock(&nd.cur.dentry->lock);
out_cleanup:
	nd_cleanup(&nd);
	path_put(&old);
	return err;
}

/* unlink / rmdir of the final component, the parent's lock held. *victimp is left for
 * the caller to put once the lock is dropped (its last put takes that lock). */
static int remove_locked(struct nameidata *nd, bool rmdir, struct dentry **victimp)
{
	struct inode *dir = nd->cur.dentry->inode;
	struct dentry *victim;
	int err;

	err = d_lookup_locked(nd->cur.dentry, nd->last, nd->last_len, victimp);
	if (err < 0)
		return err;
	victim = *victimp;
	if (rmdir && !d_is_dir(victim))
		return -ENOTDIR;
	if (!rmdir && d_is_dir(victim))
		return -EISDIR;
	if (!rmdir && nd->trailing_slash)
		return -ENOTDIR;
	err = may_delete(&nd->cur, victim->inode, nd->cred);
	if (err < 0)
		return err;
	if (d_flags(victim) & DENTRY_MOUNTED)
		return -EBUSY;
	if (rmdir)
		err = dir->iops && dir->iops->rmdir ?
			      dir->iops->rmdir(dir, nd_last_name(nd), victim->inode) :
			      -EPERM;
	else
		err = dir->iops && dir->iops->unlink ?
			      dir->iops->unlink(dir, nd_last_name(nd), victim->inode) :
			      -EPERM;
	if (err == 0)
		d_unhash_locked(victim);
	return err;
}

int vfs_unlinkat(struct fs_view *v, const struct path *start, const char *name, int flags,
		 const struct vfs_cred *c)
{
	bool rmdir = flags & AT_REMOVEDIR;
	struct dentry *victim = NULL;
	struct nameidata nd;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = nd_init(&nd, v, start, name, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = nd_walk_parent(&nd);
	if (err < 0)
		goto out_cleanup;
	switch (nd.last_type) {
	case LAST_NORM:
		break;
	case LAST_DOT:
		err = rmdir ? -EINVAL : -EISDIR;
		goto out_cleanup;
	case LAST_DOTDOT:
		err = rmdir ? -ENOTEMPTY : -EISDIR;
		goto out_cleanup;
	default:
		err = rmdir ? -EBUSY : -EISDIR;
		goto out_cleanup;
	}
	if (vfs_mnt_readonly(nd.cur.mnt, nd.cur.dentry->inode)) {
		err = -EROFS;
		goto out_cleanup;
	}
	pthread_mutex_lock(&nd.cur.dentry->lock);
	err = remove_locked(&nd, rmdir, &victim);
	pthread_mutex_unlock(&nd.cur.dentry->lock);
	if (err == 0)
		fsnotify_unlink(nd.cur.dentry, nd_last_name(&nd), victim->inode);
	dentry_put(victim);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}

/* ---- rename ---- */

/* Renames are serialized by vfs_mount_lock, so any order would do; address order keeps
 * lock checkers quiet. */
static void lock_two(struct dentry *a, struct dentry *b)
{
	if (b == a) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	pthread_mutex_lock(a < b ? &a->lock : &b->lock);
	pthread_mutex_lock(a < b ? &b->lock : &a->lock);
}

static void unlock_two(struct dentry *a, struct dentry *b)
{
	if (b != a)
		pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&a->lock);
}

struct rename_ctx {
	struct nameidata o, n;
	struct dentry *od, *nd; /* nd may be NULL */
	unsigned flags;
	const struct vfs_cred *cred;
};

/* The checks and the fs call, with both parents locked and the mount lock held. */
static int rename_locked(struct rename_ctx *r, struct dentry **old_parents)
{
	struct dentry *op = r->o.cur.dentry, *np = r->n.cur.dentry;
	struct inode *odir = op->inode, *ndir = np->inode;
	bool exchange = r->flags & RENAME_EXCHANGE;
	char *oname_copy = NULL, *nname_copy = NULL;
	bool odir_is = d_is_dir(r->od);
	int err;

	/* the order of do_renameat2's checks, so the errno matches when several apply */
	if (r->nd && (r->flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (!r->nd && exchange)
		return -ENOENT;
	if (exchange && !d_is_dir(r->nd) && r->n.trailing_slash)
		return -ENOTDIR;
	/* unless the source is a directory, trailing slashes are -ENOTDIR */
	if (!odir_is && (r->o.trailing_slash || (!exchange && r->n.trailing_slash)))
		return -ENOTDIR;
	/* moving a directory under itself */
	if (d_is_ancestor(r->od, np))
		return -EINVAL;
	if (r->nd && d_is_ancestor(r->nd, op))
		return exchange ? -EINVAL : -ENOTEMPTY;
	if (r->nd && r->nd->inode == r->od->inode)
		return 0;
	err = may_delete(&r->o.cur, r->od->inode, r->cred);
	if (err < 0)
		return err;
	if (r->nd)
		err = may_delete(&r->n.cur, r->nd->inode, r->cred);
	else
		err = may_create(&r->n.cur, r->cred);
	if (err < 0)
		return err;
	/* a directory changing parents rewrites its `..` */
	if (odir_is && op != np) {
		err = vfs_permission(r->od->inode, MAY_WRITE, r->cred);
		if (err < 0)
			return err;
	}
	if (r->nd && !exchange) {
		if (odir_is && !d_is_dir(r->nd))
			return -ENOTDIR;
		if (!odir_is && d_is_dir(r->nd))
			return -EISDIR;
	}
	if (r->nd && exchange && d_is_dir(r->nd) && op != np) {
		err = vfs_permission(r->nd->inode, MAY_WRITE, r->cred);
		if (err < 0)
			return err;
	}
	if ((d_flags(r->od) & DENTRY_MOUNTED) || (r->nd && (d_flags(r->nd) & DENTRY_MOUNTED)))
		return -EBUSY;
	if (!odir->iops || !odir->iops->rename)
		return -EPERM;
	nname_copy = strdup(nd_last_name(&r->n));
	oname_copy = strdup(nd_last_name(&r->o));
	if (!nname_copy || !oname_copy) {
		err = -ENOMEM;
		goto out_free;
	}
	err = odir->iops->rename(odir, r->o.name, ndir, r->n.name, r->flags);
	if (err < 0)
		goto out_free;
	if (exchange) {
		old_parents[0] = d_move_locked(r->od, np, nname_copy);
		old_parents[1] = d_move_locked(r->nd, op, oname_copy);
		return 0;
	}
	if (r->nd)
		d_unhash_locked(r->nd);
	old_parents[0] = d_move_locked(r->od, np, nname_copy);
	free(oname_copy);
	return 0;
out_free:
	free(oname_copy);
	free(nname_copy);
	return err;
}

/* The events of a rename that happened (RENAME_EXCHANGE: two moves, nothing replaced). */
static void rename_notify(struct rename_ctx *r)
{
	struct dentry *op = r->o.cur.dentry, *np = r->n.cur.dentry;
	const char *oname = nd_last_name(&r->o), *nname = nd_last_name(&r->n);

	if (r->flags & RENAME_EXCHANGE) {
		fsnotify_rename(op, oname, np, nname, r->od->inode, NULL);
		fsnotify_rename(np, nname, op, oname, r->nd->inode, NULL);
		return;
	}
	fsnotify_rename(op, oname, np, nname, r->od->inode, r->nd ? r->nd->inode : NULL);
}

int vfs_renameat(struct fs_view *v, const struct path *ostart, const char *oname,
		 const struct path *nstart, const char *nname, unsigned flags,
		 const struct vfs_cred *c)
{
	struct dentry *old_parents[2] = { NULL, NULL };
	struct rename_ctx r = { .flags = flags, .cred = c };
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	/* whiteouts need CAP_MKNOD, then a filesystem that makes them: none here does */
	if (flags & RENAME_WHITEOUT)
		return c && !c->cap_mknod ? -EPERM : -EINVAL;
	err = nd_init(&r.o, v, ostart, oname, 0, c);
	if (err < 0)
		goto out_cleanup_old;
	err = nd_init(&r.n, v, nstart, nname, 0, c);
	if (err < 0)
		goto out_cleanup;
	err = nd_walk_parent(&r.o);
	if (err < 0)
		goto out_cleanup;
	err = nd_walk_parent(&r.n);
	if (err < 0)
		goto out_cleanup;
	if (r.o.cur.mnt != r.n.cur.mnt) {
		err = -EXDEV;
		goto out_cleanup;
	}
	if (r.o.last_type != LAST_NORM || r.n.last_type != LAST_NORM) {
		err = -EBUSY;
		goto out_cleanup;
	}
	if (vfs_mnt_readonly(r.o.cur.mnt, r.o.cur.dentry->inode)) {
		err = -EROFS;
		goto out_cleanup;
	}
	nd_last_name(&r.o);
	nd_last_name(&r.n);
	pthread_rwlock_wrlock(&vfs_mount_lock);
	lock_two(r.o.cur.dentry, r.n.cur.dentry);
	err = d_lookup_locked(r.o.cur.dentry, r.o.last, r.o.last_len, &r.od);
	if (err < 0)
		goto out_unlock;
	err = d_lookup_locked(r.n.cur.dentry, r.n.last, r.n.last_len, &r.nd);
	if (err == -ENOENT) {
		r.nd = NULL;
		err = 0;
	}
	if (err < 0)
		goto out_unlock;
	err = rename_locked(&r, old_parents);
out_unlock:
	unlock_two(r.o.cur.dentry, r.n.cur.dentry);
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (err == 0 && !(r.nd && r.nd->inode == r.od->inode))
		rename_notify(&r);
	dentry_put(old_parents[0]);
	dentry_put(old_parents[1]);
	dentry_put(r.od);
	dentry_put(r.nd);
out_cleanup:
	nd_cleanup(&r.n);
out_cleanup_old:
	nd_cleanup(&r.o);
	return err;
}
