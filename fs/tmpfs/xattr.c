/*
 * tmpfs extended attributes: a per-inode list of (name, value) kept sorted by name, as
 * Linux's simple_xattr tree lists them, under inode->lock. The VFS has already checked
 * the name's namespace and the caller's permission (fs/vfs/xattr.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "fs/tmpfs/internal.h"

struct tmpfs_xattr {
	struct tmpfs_xattr *next;
	size_t size;
	char *value;
	char name[];
};

/* The link that points at name's entry, or at where it would go. Under inode->lock. */
static struct tmpfs_xattr **xattr_link(struct tmpfs_node *n, const char *name)
{
	struct tmpfs_xattr **pp = &n->xattrs;

	while (*pp && strcmp((*pp)->name, name) < 0)
		pp = &(*pp)->next;
	return pp;
}

static bool is_name(const struct tmpfs_xattr *x, const char *name)
{
	return x && !strcmp(x->name, name);
}

ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct tmpfs_xattr *x;
	ssize_t ret;

	pthread_mutex_lock(&inode->lock);
	x = *xattr_link(TNODE(inode), name);
	if (!is_name(x, name)) {
		ret = -ENODATA;
	} else if (size && size < x->size) {
		ret = -ERANGE;
	} else {
		if (size)
			memcpy(buf, x->value, x->size);
		ret = (ssize_t)x->size;
	}
	pthread_mutex_unlock(&inode->lock);
	return ret;
}

static bool listed(const struct tmpfs_xattr *x, bool trusted)
{
	return trusted || strncmp(x->name, "trusted.", 8);
}

ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool trusted)
{
	struct tmpfs_xattr *x;
	size_t total = 0;
	ssize_t ret;

	pthread_mutex_lock(&inode->lock);
	for (x = TNODE(inode)->xattrs; x; x = x->next) {
		if (listed(x, trusted))
			total += strlen(x->name) + 1;
	}
	ret = (ssize_t)total;
	if (size && size < total) {
		ret = -ERANGE;
	} else if (size) {
		char *p = buf;

		for (x = TNODE(inode)->xattrs; x; x = x->next) {
			size_t len = strlen(x->name) + 1;

			if (!listed(x, trusted))
				continue;
			memcpy(p, x->name, len);
			p += len;
		}
	}
	pthread_mutex_unlock(&inode->lock);
	return ret;
}

int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags)
{
	size_t nlen = strlen(name) + 1;
	struct tmpfs_xattr **pp, *x;
	char *copy = malloc(size ? size : 1);
	int err = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, value, size);
	pthread_mutex_lock(&inode->lock);
	pp = xattr_link(TNODE(inode), name);
	if (is_name(*pp, name)) {
		if (flags & XATTR_CREATE) {
			err = -EEXIST;
			goto out_unlock;
		}
		x = *pp;
		free(x->value);
		x->value = copy;
		x->size = size;
		copy = NULL;
		goto out_unlock;
	}
	if (flags & XATTR_REPLACE) {
		err = -ENODATA;
		goto out_unlock;
	}
	x = malloc(sizeof(*x) + nlen);
	if (!x) {
		err = -ENOMEM;
		goto out_unlock;
	}
	memcpy(x->name, name, nlen);
	x->value = copy;
	x->size = size;
	copy = NULL;
	x->next = *pp;
	*pp = x;
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	free(copy);
	return err;
}

int tmpfs_removexattr(struct inode *inode, const char *name)
{
	struct tmpfs_xattr **pp, *x = NULL;

	pthread_mutex_lock(&inode->lock);
	pp = xattr_link(TNODE(inode), name);
	if (is_name(*pp, name)) {
		x = *pp;
		*pp = x->next;
	}
	pthread_mutex_unlock(&inode->lock);
	if (!x)
		return -ENODATA;
	free(x->value);
	free(x);
	return 0;
}

void tmpfs_xattrs_free(struct tmpfs_node *n)
{
	struct tmpfs_xattr *x, *next;

	for (x = n->xattrs; x; x = next) {
		next = x->next;
		free(x->value);
		free(x);
	}
	n->xattrs = NULL;
}
