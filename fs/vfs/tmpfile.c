/*
 * O_TMPFILE: an unnamed regular file in a directory's filesystem. It starts with no
 * link (nlink 0) and, unless O_EXCL was given, linkat(fd, "", ..., AT_EMPTY_PATH) may
 * give it a name later (the inode's linkable flag, Linux's I_LINKABLE).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

/* What an open file keeps of the open flags (as vfs_openat). */
#define TMPFILE_KEEP_MASK (~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC))

int vfs_open_tmpfile(struct fs_view *v, const struct path *start, const char *name, int flags,
		     uint32_t mode, unsigned lookup, const struct vfs_cred *c, struct file **out)
{
	struct inode *dir, *inode;
	struct dentry *d;
	struct path p;
	char dname[32];
	int err;

	if ((flags & O_ACCMODE) != O_WRONLY && (flags & O_ACCMODE) != O_RDWR)
		return -EINVAL;
	/* O_TMPFILE is __O_TMPFILE | O_DIRECTORY; O_CREAT or O_PATH with it make no sense */
	if (flags & (O_PATH | O_CREAT))
		return -EINVAL;
	lookup = (lookup & ~LOOKUP_PARENT) | LOOKUP_DIRECTORY;
	if (!(flags & O_NOFOLLOW))
		lookup |= LOOKUP_FOLLOW;
	err = vfs_walk(v, start, name, lookup, c, &p);
	if (err < 0)
		return err;
	dir = p.dentry->inode;
	err = vfs_permission(dir, MAY_WRITE | MAY_EXEC, c);
	if (err < 0)
		goto out_put_path;
	if (!dir->iops || !dir->iops->tmpfile) {
		err = -EOPNOTSUPP;
		goto out_put_path;
	}
	if (vfs_mnt_readonly(p.mnt, dir)) {
		err = -EROFS;
		goto out_put_path;
	}
	mode = S_IFREG | ((mode & 07777) & ~__atomic_load_n(&v->umask, __ATOMIC_RELAXED));
	err = dir->iops->tmpfile(dir, mode, c, &inode);
	if (err < 0)
		goto out_put_path;
	pthread_mutex_lock(&inode->lock);
	inode->linkable = !(flags & O_EXCL);
	pthread_mutex_unlock(&inode->lock);
	/* a dentry outside the parent's children, as Linux's "/#ino (deleted)" */
	snprintf(dname, sizeof(dname), "#%llu", (unsigned long long)inode->ino);
	d = d_alloc(p.dentry, dname, strlen(dname), inode);
	inode_put(inode);
	if (!d) {
		err = -ENOMEM;
		goto out_put_path;
	}
	d_set_flag(d, DENTRY_UNHASHED);
	dentry_put(p.dentry);
	p.dentry = d;
	err = file_new(&p, d->inode, ((unsigned)flags & TMPFILE_KEEP_MASK) | O_LARGEFILE, out);
out_put_path:
	path_put(&p);
	return err;
}
