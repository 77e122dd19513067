/*
 * openat(2): the final-component logic (O_CREAT/O_EXCL, trailing symlinks and
 * O_NOFOLLOW, O_DIRECTORY, O_PATH), permission and read-only checks, O_TRUNC, and the
 * open file itself. O_CLOEXEC belongs to the fd table and is not stored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

/* Flags open(2) keeps in the file (F_GETFL); the rest only steer the open. */
#define OPEN_KEEP_MASK (~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC))

/* Creates the final component (nd->cur is its directory). -EEXIST if it appeared. */
static int open_create(struct nameidata *nd, struct fs_view *v, uint32_t mode, struct path *out)
{
	struct inode *dir = nd->cur.dentry->inode, *inode;
	const char *name = nd_last_name(nd);
	struct dentry *d;
	uint32_t umask = __atomic_load_n(&v->umask, __ATOMIC_RELAXED);
	int err;

	pthread_mutex_lock(&nd->cur.dentry->lock);
	err = d_lookup_locked(nd->cur.dentry, nd->last, nd->last_len, &d);
	if (err == 0) {
		pthread_mutex_unlock(&nd->cur.dentry->lock);
		dentry_put(d);
		return -EEXIST;
	}
	if (err != -ENOENT)
		goto out_unlock;
	err = may_create(&nd->cur, nd->cred);
	if (err < 0)
		goto out_unlock;
	if (!dir->iops || !dir->iops->create) {
		err = -EACCES;
		goto out_unlock;
	}
	err = dir->iops->create(dir, name, S_IFREG | ((mode & 07777) & ~umask), nd->cred, &inode);
	if (err < 0)
		goto out_unlock;
	err = d_add_locked(nd->cur.dentry, name, inode, &d);
	inode_put(inode);
	if (err < 0)
		goto out_unlock;
	pthread_mutex_unlock(&nd->cur.dentry->lock);
	fsnotify_create(nd->cur.dentry, name, d->inode, false);
	out->mnt = nd->cur.mnt;
	mount_get(out->mnt);
	out->dentry = d;
	return 0;
out_unlock:
	pthread_mutex_unlock(&nd->cur.dentry->lock);
	return err;
}

/* Resolves the name for open, creating it if asked. *created says it was. */
static int open_resolve(struct nameidata *nd, struct fs_view *v, int flags, uint32_t mode,
			struct path *out, bool *created)
{
	bool follow = !(flags & O_NOFOLLOW);
	struct path p;
	int err;

	*created = false;
	for (;;) {
		err = nd_walk_parent(nd);
		if (err < 0)
			return err;
		if (flags & O_CREAT) {
			if (nd->last_type != LAST_NORM || nd->trailing_slash)
				return -EISDIR;
		}
		err = nd_lookup_last(nd, &p);
		if (err == -ENOENT && (flags & O_CREAT)) {
			err = open_create(nd, v, mode, out);
			if (err == -EEXIST && !(flags & O_EXCL))
				continue; /* lost a race with another creator: open theirs */
			if (err == 0)
				*created = true;
			return err;
		}
		if (err < 0)
			return err;
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
			path_put(&p);
			return -EEXIST;
		}
		if (S_ISLNK(p.dentry->inode->mode)) {
			if (follow || nd->trailing_slash) {
				err = nd_follow_last(nd, &p);
				path_put(&p);
				if (err < 0)
					return err;
				continue;
			}
			if (!(flags & O_PATH)) {
				path_put(&p);
				return -ELOOP;
			}
		}
		if (nd->trailing_slash && !d_is_dir(p.dentry)) {
			path_put(&p);
			return -ENOTDIR;
		}
		*out = p;
		return 0;
	}
}

/* The checks between finding the inode and opening it (may_open in Linux). */
static int may_open(const struct path *p, int flags, bool created, const struct vfs_cred *c)
{
	struct inode *inode = p->dentry->inode;
	int acc = flags & O_ACCMODE, mask = 0;

	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (flags & O_TRUNC) || (flags & O_CREAT)))
		return -EISDIR;
	if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if ((S_ISCHR(inode->mode) || S_ISBLK(inode->mode)) && (p->mnt->flags & MS_NODEV))
		return -EACCES;
	if ((mask & MAY_WRITE) && S_ISREG(inode->mode) && vfs_mnt_readonly(p->mnt, inode))
		return -EROFS;
	if (created)
		return 0; /* the creator may open what it made, whatever the mode says */
	return vfs_permission(inode, mask, c);
}

int vfs_openat(struct fs_view *v, const struct path *start, const char *name, int flags,
	       uint32_t mode, const struct vfs_cred *c, struct file **out)
{
	return vfs_openat2(v, start, name, flags, mode, 0, c, out);
}

int vfs_openat2(struct fs_view *v, const struct path *start, const char *name, int flags,
		uint32_t mode, unsigned lookup, const struct vfs_cred *c, struct file **out)
{
	struct nameidata nd;
	struct path p;
	bool created;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return vfs_open_tmpfile(v, start, name, flags, mode, lookup, c, out);
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	lookup &= LOOKUP_NO_SYMLINKS | LOOKUP_NO_MAGICLINKS | LOOKUP_NO_XDEV | LOOKUP_BENEATH |
		  LOOKUP_IN_ROOT | LOOKUP_CACHED;
	err = nd_init(&nd, v, start, name, lookup, c);
	if (err < 0)
		goto out_cleanup;
	err = open_resolve(&nd, v, flags, mode, &p, &created);
	if (err < 0)
		goto out_cleanup;
	err = may_open(&p, flags, created, c);
	if (err < 0)
		goto out_put_path;
	if ((flags & O_TRUNC) && !(flags & O_PATH) && !created && S_ISREG(p.dentry->inode->mode)) {
		err = vfs_truncate(p.dentry->inode, 0);
		if (err < 0)
			goto out_put_path;
	}
	err = file_new(&p, p.dentry->inode, ((unsigned)flags & OPEN_KEEP_MASK) | O_LARGEFILE, out);
	if (err == 0)
		fsnotify_file(*out, IN_OPEN);
out_put_path:
	path_put(&p);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}
