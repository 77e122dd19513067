/*
 * Reading and changing attributes: stat, access, readlink, chdir, chmod, utimens,
 * truncate, statfs, with Linux's ownership and permission rules.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <dirent.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

#ifndef ST_VALID
#define ST_VALID 0x0020 /* f_flags is meaningful (Linux's statfs) */
#endif

unsigned vfs_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DT_REG;
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

void vfs_fill_kstat(struct inode *inode, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&inode->lock);
	st->dev = inode->sb->dev;
	st->ino = inode->ino;
	st->nlink = inode->nlink;
	st->rdev = inode->rdev;
	st->mode = inode->mode;
	st->uid = inode->uid;
	st->gid = inode->gid;
	st->blksize = 4096;
	st->size = inode->size;
	st->blocks = inode->blocks;
	st->atime = inode->atime;
	st->mtime = inode->mtime;
	st->ctime = inode->ctime;
	st->btime = inode->btime;
	pthread_mutex_unlock(&inode->lock);
}

static int inode_stat(struct mount *mnt, struct inode *inode, struct kstat *st)
{
	int err;

	vfs_fill_kstat(inode, st);
	if (inode->iops && inode->iops->getattr) {
		err = inode->iops->getattr(inode, st);
		if (err < 0)
			return err;
	}
	st->mnt_id = mnt ? mnt->id : 0;
	return 0;
}

int vfs_fstat(struct file *f, struct kstat *st)
{
	return inode_stat(f->path.mnt, f->inode, st);
}

int vfs_statat(struct fs_view *v, const struct path *start, const char *name, unsigned lookup,
	       const struct vfs_cred *c, struct kstat *st)
{
	struct path p;
	int err;

	err = vfs_walk(v, start, name, lookup, c, &p);
	if (err < 0)
		return err;
	err = inode_stat(p.mnt, p.dentry->inode, st);
	path_put(&p);
	return err;
}

int vfs_accessat(struct fs_view *v, const struct path *start, const char *name, int mode,
		 unsigned lookup, const struct vfs_cred *c)
{
	struct inode *inode;
	struct path p;
	int err, mask = 0;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	err = vfs_walk(v, start, name, lookup, c, &p);
	if (err < 0)
		return err;
	inode = p.dentry->inode;
	if (mode & R_OK)
		mask |= MAY_READ;
	if (mode & W_OK)
		mask |= MAY_WRITE;
	if (mode & X_OK)
		mask |= MAY_EXEC;
	if ((mask & MAY_WRITE) && vfs_mnt_readonly(p.mnt, inode) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode) || S_ISLNK(inode->mode)))
		err = -EROFS;
	else if ((mask & MAY_EXEC) && S_ISREG(inode->mode) && (p.mnt->flags & MS_NOEXEC))
		err = -EACCES; /* nothing on a noexec mount runs, whatever its mode says */
	else if (mask)
		err = vfs_permission(inode, mask, c);
	path_put(&p);
	return err;
}

ssize_t vfs_readlinkat(struct fs_view *v, const struct path *start, const char *name, char *buf,
		       size_t len, const struct vfs_cred *c)
{
	struct inode *inode;
	struct path p;
	ssize_t ret;

	ret = vfs_walk(v, start, name, LOOKUP_EMPTY, c, &p);
	if (ret < 0)
		return ret;
	inode = p.dentry->inode;
	if (!S_ISLNK(inode->mode) || !inode->iops || !inode->iops->readlink)
		ret = name[0] ? -EINVAL : -ENOENT;
	else
		ret = inode->iops->readlink(inode, buf, len);
	path_put(&p);
	return ret;
}

int vfs_chdir(struct fs_view *v, const struct path *p, const struct vfs_cred *c)
{
	struct path old;
	int err;

	if (!d_is_dir(p->dentry))
		return -ENOTDIR;
	err = vfs_permission(p->dentry->inode, MAY_EXEC, c);
	if (err < 0)
		return err;
	path_get(p);
	pthread_mutex_lock(&v->lock);
	old = v->cwd;
	v->cwd = *p;
	pthread_mutex_unlock(&v->lock);
	path_put(&old);
	return 0;
}

/* The event an attribute change makes, as Linux's fsnotify_change. */
static uint32_t setattr_event(unsigned valid)
{
	uint32_t mask = 0;

	if (valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if (valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	return mask;
}

int vfs_setattr(struct inode *inode, const struct iattr *ia)
{
	uint32_t mask;
	int err;

	if (!inode->iops || !inode->iops->setattr)
		return -EPERM;
	err = inode->iops->setattr(inode, ia);
	mask = setattr_event(ia->valid);
	if (err == 0 && mask)
		fsnotify_inode(inode, mask);
	return err;
}

/* What truncate(2) refuses before any permission check: a negative size, a directory,
 * anything but a regular file. */
static int truncate_valid(const struct inode *inode, int64_t size)
{
	if (size < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	return S_ISREG(inode->mode) ? 0 : -EINVAL;
}

int vfs_truncate(struct inode *inode, int64_t size)
{
	struct iattr ia = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size };
	int err = truncate_valid(inode, size);

	if (err < 0)
		return err;
	vfs_now(&ia.mtime);
	ia.ctime = ia.mtime;
	return vfs_setattr(inode, &ia);
}

int vfs_truncate_checked(struct mount *mnt, struct inode *inode, int64_t size,
			 const struct vfs_cred *c)
{
	int err = truncate_valid(inode, size);

	if (err < 0)
		return err;
	if (vfs_mnt_readonly(mnt, inode))
		return -EROFS;
	err = vfs_permission(inode, MAY_WRITE, c);
	if (err < 0)
		return err;
	return vfs_truncate(inode, size);
}

int vfs_chmod(struct mount *mnt, struct inode *inode, uint32_t mode, const struct vfs_cred *c)
{
	struct iattr ia = { .valid = ATTR_MODE | ATTR_CTIME };

	if (vfs_mnt_readonly(mnt, inode))
		return -EROFS;
	if (!cred_owns(c, inode))
		return -EPERM;
	mode &= 07777;
	/* Only a member of the group (or CAP_FSETID) may leave a file set-group-ID. */
	if (c && !S_ISDIR(inode->mode) && !cred_in_group(c, inode->gid) && !c->cap_fsetid)
		mode &= ~(uint32_t)S_ISGID;
	ia.mode = (inode->mode & S_IFMT) | mode;
	vfs_now(&ia.ctime);
	return vfs_setattr(inode, &ia);
}

int vfs_chown(struct mount *mnt, struct inode *inode, uint32_t uid, uint32_t gid,
	      const struct vfs_cred *c)
{
	struct iattr ia = { .valid = ATTR_CTIME };
	uint32_t mode = inode->mode;

	if (vfs_mnt_readonly(mnt, inode))
		return -EROFS;
	if (uid != (uint32_t)-1) {
		/* only CAP_CHOWN gives a file away; "changing" to the same owner is fine */
		if (c && !c->cap_chown && !(uid == inode->uid && c->fsuid == inode->uid))
			return -EPERM;
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		/* the owner may pick any group it is in */
		if (c && !c->cap_chown &&
		    !(c->fsuid == inode->uid && (gid == inode->gid || cred_in_group(c, gid))))
			return -EPERM;
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if ((ia.valid & (ATTR_UID | ATTR_GID)) && !S_ISDIR(mode) && (mode & (S_ISUID | S_ISGID))) {
		mode &= ~(uint32_t)S_ISUID;
		/* set-group-ID without group execute is mandatory locking, not privilege */
		if (mode & S_IXGRP)
			mode &= ~(uint32_t)S_ISGID;
		ia.valid |= ATTR_MODE;
		ia.mode = mode;
	}
	vfs_now(&ia.ctime);
	return vfs_setattr(inode, &ia);
}

int vfs_utimens(struct mount *mnt, struct inode *inode, const struct timespec *ts,
		const struct vfs_cred *c)
{
	struct iattr ia = { .valid = ATTR_CTIME };
	struct timespec now;
	bool to_now;
	int err;

	if (ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		return 0;
	if (vfs_mnt_readonly(mnt, inode))
		return -EROFS;
	to_now = !ts || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW);
	if (!cred_owns(c, inode)) {
		/* "now" needs only write access; explicit times need ownership */
		if (!to_now)
			return -EPERM;
		err = vfs_permission(inode, MAY_WRITE, c);
		if (err < 0)
			return err;
	}
	vfs_now(&now);
	ia.ctime = now;
	for (int i = 0; i < 2; i++) {
		struct timespec t = ts ? ts[i] : now;

		if (t.tv_nsec == UTIME_OMIT)
			continue;
		if (t.tv_nsec == UTIME_NOW)
			t = now;
		if (i == 0) {
			ia.valid |= ATTR_ATIME;
			ia.atime = t;
		} else {
			ia.valid |= ATTR_MTIME;
			ia.mtime = t;
		}
	}
	return vfs_setattr(inode, &ia);
}

int vfs_statfs(struct mount *mnt, struct inode *inode, struct statfs *out)
{
	struct super_block *sb = inode->sb;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->f_bsize = 4096;
	out->f_frsize = 4096;
	out->f_namelen = NAME_MAX;
	if (sb->ops && sb->ops->statfs)
		err = sb->ops->statfs(sb, out);
	if (err < 0)
		return err;
	out->f_flags |= ST_VALID;
	if (vfs_mnt_readonly(mnt, inode))
		out->f_flags |= ST_RDONLY;
	if (mnt && (mnt->flags & MS_NOSUID))
		out->f_flags |= ST_NOSUID;
	if (mnt && (mnt->flags & MS_NODEV))
		out->f_flags |= ST_NODEV;
	if (mnt && (mnt->flags & MS_NOEXEC))
		out->f_flags |= ST_NOEXEC;
	return 0;
}

void vfs_kstat_from_host(const struct stat *h, struct kstat *st)
{
	st->dev = h->st_dev;
	st->ino = h->st_ino;
	st->nlink = h->st_nlink;
	st->rdev = h->st_rdev;
	st->mode = h->st_mode;
	st->uid = h->st_uid;
	st->gid = h->st_gid;
	st->blksize = (uint32_t)h->st_blksize;
	st->size = h->st_size;
	st->blocks = h->st_blocks;
	st->atime = h->st_atim;
	st->mtime = h->st_mtim;
	st->ctime = h->st_ctim;
}
