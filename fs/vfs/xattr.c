/*
 * Extended attributes: the generic checks of Linux's xattr_permission (namespace,
 * capability, file type, sticky directories, then mode bits) in front of the
 * filesystem's inode ops.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

enum xattr_ns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_SYSTEM, XNS_UNKNOWN };

static enum xattr_ns ns_of(const char *name)
{
	static const struct {
		const char *prefix;
		enum xattr_ns ns;
	} known[] = {
		{ "user.", XNS_USER },
		{ "trusted.", XNS_TRUSTED },
		{ "security.", XNS_SECURITY },
		{ "system.", XNS_SYSTEM },
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		size_t n = strlen(known[i].prefix);

		if (!strncmp(name, known[i].prefix, n))
			return known[i].ns;
	}
	return XNS_UNKNOWN;
}

static int xattr_permission(struct inode *inode, const char *name, int mask,
			    const struct vfs_cred *c)
{
	switch (ns_of(name)) {
	case XNS_UNKNOWN:
	case XNS_SYSTEM: /* POSIX ACLs: none of our filesystems has them */
		return -EOPNOTSUPP;
	case XNS_TRUSTED:
		if (c && !c->cap_sys_admin)
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	case XNS_SECURITY:
		/* commoncap: only CAP_SYS_ADMIN writes security labels */
		if ((mask & MAY_WRITE) && c && !c->cap_sys_admin)
			return -EPERM;
		return 0;
	case XNS_USER:
		if (!S_ISREG(inode->mode) && !S_ISDIR(inode->mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (S_ISDIR(inode->mode) && (inode->mode & S_ISVTX) && (mask & MAY_WRITE) &&
		    !cred_owns(c, inode))
			return -EPERM;
		break;
	}
	return vfs_permission(inode, mask, c);
}

/* A bare namespace prefix ("user.") names no attribute: -EINVAL, after the checks. */
static int xattr_check(struct inode *inode, const char *name, int mask, const struct vfs_cred *c)
{
	int err = xattr_permission(inode, name, mask, c);

	if (err < 0)
		return err;
	return name[strcspn(name, ".") + 1] ? 0 : -EINVAL;
}

ssize_t vfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size,
		     const struct vfs_cred *c)
{
	int err = xattr_check(inode, name, MAY_READ, c);

	if (err < 0)
		return err;
	if (!inode->iops || !inode->iops->getxattr)
		return -EOPNOTSUPP;
	return inode->iops->getxattr(inode, name, buf, size);
}

ssize_t vfs_listxattr(struct inode *inode, char *buf, size_t size, const struct vfs_cred *c)
{
	/* listing needs no permission; trusted.* names show to CAP_SYS_ADMIN only */
	if (!inode->iops || !inode->iops->listxattr)
		return 0;
	return inode->iops->listxattr(inode, buf, size, !c || c->cap_sys_admin);
}

static int may_write_xattr(struct mount *mnt, struct inode *inode, const char *name,
			   const struct vfs_cred *c)
{
	if (mnt && vfs_mnt_readonly(mnt, inode))
		return -EROFS;
	return xattr_check(inode, name, MAY_WRITE, c);
}

int vfs_setxattr(struct mount *mnt, struct inode *inode, const char *name, const void *value,
		 size_t size, int flags, const struct vfs_cred *c)
{
	int err = may_write_xattr(mnt, inode, name, c);

	if (err < 0)
		return err;
	if (!inode->iops || !inode->iops->setxattr)
		return -EOPNOTSUPP;
	err = inode->iops->setxattr(inode, name, value, size, flags);
	if (err == 0) {
		pthread_mutex_lock(&inode->lock);
		clock_gettime(CLOCK_REALTIME, &inode->ctime);
		pthread_mutex_unlock(&inode->lock);
		fsnotify_inode(inode, IN_ATTRIB);
	}
	return err;
}

int vfs_removexattr(struct mount *mnt, struct inode *inode, const char *name,
		    const struct vfs_cred *c)
{
	int err = may_write_xattr(mnt, inode, name, c);

	if (err < 0)
		return err;
	if (!inode->iops || !inode->iops->removexattr)
		return -EOPNOTSUPP;
	err = inode->iops->removexattr(inode, name);
	if (err == 0) {
		pthread_mutex_lock(&inode->lock);
		clock_gettime(CLOCK_REALTIME, &inode->ctime);
		pthread_mutex_unlock(&inode->lock);
		fsnotify_inode(inode, IN_ATTRIB);
	}
	return err;
}
