/*
 * Extended attributes of overlay inodes: read from the real inode, changed on the upper
 * after a copy-up, and carried along by copy-up itself. The overlay's own markers
 * (whiteouts, opacity, origins) are not xattrs, so nothing here needs hiding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/overlay/internal.h"

/* The real inode for a read (+1), taken under ns_lock so a copy-up can't swap it. */
static struct inode *real_get(struct inode *inode)
{
	struct ovl_sb *osb = OSB(inode->sb);
	struct inode *real;

	pthread_rwlock_rdlock(&osb->ns_lock);
	real = ovl_real(inode);
	inode_get(real);
	pthread_rwlock_unlock(&osb->ns_lock);
	return real;
}

ssize_t ovl_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct inode *real = real_get(inode);
	ssize_t n = real->iops && real->iops->getxattr ?
			    real->iops->getxattr(real, name, buf, size) :
			    -EOPNOTSUPP;

	inode_put(real);
	return n;
}

ssize_t ovl_listxattr(struct inode *inode, char *buf, size_t size, bool trusted)
{
	struct inode *real = real_get(inode);
	ssize_t n = real->iops && real->iops->listxattr ?
			    real->iops->listxattr(real, buf, size, trusted) :
			    -EOPNOTSUPP;

	inode_put(real);
	return n;
}

/* setxattr (value non-NULL) or removexattr on the upper copy. */
static int change(struct inode *inode, const char *name, const void *value, size_t size, int flags)
{
	struct ovl_sb *osb = OSB(inode->sb);
	struct inode *up;
	int err;

	pthread_rwlock_wrlock(&osb->ns_lock);
	err = ovl_copy_up(inode, true);
	if (err < 0)
		goto out_unlock;
	up = OI(inode)->upper;
	if (value)
		err = up->iops && up->iops->setxattr ?
			      up->iops->setxattr(up, name, value, size, flags) :
			      -EOPNOTSUPP;
	else
		err = up->iops && up->iops->removexattr ? up->iops->removexattr(up, name) :
							  -EOPNOTSUPP;
	ovl_sync_attrs(inode);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

int ovl_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags)
{
	/* a zero-length value is still a value */
	return change(inode, name, value ? value : "", size, flags);
}

int ovl_removexattr(struct inode *inode, const char *name)
{
	return change(inode, name, NULL, 0, 0);
}

/* One attribute from lower to upper; one the upper can't hold is left behind. */
static int copy_one_xattr(struct inode *lower, struct inode *upper, const char *name)
{
	ssize_t n = lower->iops->getxattr(lower, name, NULL, 0);
	char *val;
	int err;

	if (n < 0)
		return n == -ENODATA || n == -EOPNOTSUPP ? 0 : (int)n;
	val = malloc(n ? (size_t)n : 1);
	if (!val)
		return -ENOMEM;
	n = n ? lower->iops->getxattr(lower, name, val, (size_t)n) : 0;
	err = n < 0 ? (int)n : upper->iops->setxattr(upper, name, val, (size_t)n, 0);
	free(val);
	return err == -EOPNOTSUPP || err == -ENODATA || err == -ERANGE ? 0 : err;
}

int ovl_copy_xattrs(struct inode *lower, struct inode *upper)
{
	ssize_t len;
	char *list;
	int err = 0;

	if (!lower->iops || !lower->iops->listxattr || !lower->iops->getxattr || !upper->iops ||
	    !upper->iops->setxattr)
		return 0;
	len = lower->iops->listxattr(lower, NULL, 0, true);
	if (len <= 0)
		return len == 0 || len == -EOPNOTSUPP ? 0 : (int)len;
	list = malloc((size_t)len);
	if (!list)
		return -ENOMEM;
	len = lower->iops->listxattr(lower, list, (size_t)len, true);
	for (ssize_t off = 0; err == 0 && len > 0 && off < len; off += strlen(list + off) + 1)
		err = copy_one_xattr(lower, upper, list + off);
	free(list);
	/* the list changed under us: copy what there is without it */
	return len == -ERANGE ? 0 : err;
}
