/*
 * Path resolution with Linux's rules: absolute names start at the view's root,
 * relative ones at the dirfd or the cwd; `.` and `..` (which never climbs above the
 * root and crosses mounts upward); symlinks are spliced into the remaining name
 * (relative to their directory, absolute to the root), at most VFS_MAXSYMLINKS per
 * walk; a trailing slash demands a directory; search permission on every directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

int nd_init(struct nameidata *nd, struct fs_view *v, const struct path *start, const char *name,
	    unsigned flags, const struct vfs_cred *c)
{
	size_t len = strnlen(name, PATH_MAX);

	memset(nd, 0, sizeof(*nd));
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	nd->buf = strdup(name);
	if (!nd->buf)
		return -ENOMEM;
	nd->rest = nd->buf;
	nd->flags = flags;
	nd->cred = c;
	pthread_mutex_lock(&v->lock);
	nd->root = v->root;
	if (name[0] == '/')
		nd->cur = v->root;
	else if (start)
		nd->cur = *start;
	else
		nd->cur = v->cwd;
	path_get(&nd->root);
	path_get(&nd->cur);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

void nd_cleanup(struct nameidata *nd)
{
	path_put(&nd->cur);
	path_put(&nd->root);
	free(nd->buf);
	nd->buf = NULL;
	nd->cur.mnt = NULL;
	nd->cur.dentry = NULL;
	nd->root.mnt = NULL;
	nd->root.dentry = NULL;
}

/* Replaces the walk's remaining name with link's target followed by rest. */
static int nd_splice_link(struct nameidata *nd, const struct path *link, const char *rest)
{
	struct inode *inode = link->dentry->inode;
	size_t rlen = strlen(rest);
	char *nbuf;
	ssize_t n;

	if (++nd->nlinks > VFS_MAXSYMLINKS)
		return -ELOOP;
	if (!inode->iops || !inode->iops->readlink)
		return -EINVAL;
	nbuf = malloc(PATH_MAX + 1 + rlen + 1);
	if (!nbuf)
		return -ENOMEM;
	n = inode->iops->readlink(inode, nbuf, PATH_MAX);
	if (n < 0 || n == 0) {
		free(nbuf);
		return n < 0 ? (int)n : -ENOENT;
	}
	if (memchr(nbuf, '\0', (size_t)n)) {
		/* a target never holds a NUL; one that does is cut there, as C strings are */
		n = (ssize_t)strlen(nbuf);
	}
	if (rlen) {
		nbuf[n++] = '/';
		memcpy(nbuf + n, rest, rlen);
		n += (ssize_t)rlen;
	}
	nbuf[n] = '\0';
	if (nbuf[0] == '/') {
		path_put(&nd->cur);
		nd->cur = nd->root;
		path_get(&nd->cur);
	}
	free(nd->buf);
	nd->buf = nbuf;
	nd->rest = nbuf;
	return 0;
}

/* One intermediate component: name[0..len) followed by (after slashes) next. */
static int nd_step(struct nameidata *nd, const char *name, size_t len, char *next)
{
	struct inode *dir = nd->cur.dentry->inode;
	struct path child;
	int err;

	if (!dir || !S_ISDIR(dir->mode))
		return -ENOTDIR;
	err = may_lookup(dir, nd->cred);
	if (err < 0)
		return err;
	if (len == 1 && name[0] == '.') {
		nd->rest = next;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		path_dotdot(&nd->root, &nd->cur);
		nd->rest = next;
		return 0;
	}
	err = d_lookup(nd->cur.dentry, name, len, &child.dentry);
	if (err < 0)
		return err;
	child.mnt = nd->cur.mnt;
	mount_get(child.mnt);
	path_cross_mounts(&child);
	if (S_ISLNK(child.dentry->inode->mode)) {
		/* the link is followed from the directory it sits in: nd->cur stays */
		err = nd_splice_link(nd, &child, next);
		path_put(&child);
		return err;
	}
	path_put(&nd->cur);
	nd->cur = child;
	nd->rest = next;
	return 0;
}

int nd_walk_parent(struct nameidata *nd)
{
	for (;;) {
		char *p = nd->rest, *end, *next;
		size_t len;
		int err;

		while (*p == '/')
			p++;
		if (!*p) {
			nd->last = p;
			nd->last_len = 0;
			nd->last_type = LAST_NONE;
			nd->trailing_slash = false;
			nd->rest = p;
			return 0;
		}
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		next = end;
		while (*next == '/')
			next++;
		if (!*next) {
			nd->last = p;
			nd->last_len = len;
			nd->trailing_slash = *end == '/';
			if (len == 1 && p[0] == '.')
				nd->last_type = LAST_DOT;
			else if (len == 2 && p[0] == '.' && p[1] == '.')
				nd->last_type = LAST_DOTDOT;
			else
				nd->last_type = LAST_NORM;
			nd->rest = next;
			return 0;
		}
		err = nd_step(nd, p, len, next);
		if (err < 0)
			return err;
	}
}

const char *nd_last_name(struct nameidata *nd)
{
	memcpy(nd->name, nd->last, nd->last_len);
	nd->name[nd->last_len] = '\0';
	return nd->name;
}

int nd_lookup_last(struct nameidata *nd, struct path *out)
{
	struct inode *dir = nd->cur.dentry->inode;
	int err;

	if (nd->last_type == LAST_NONE) {
		*out = nd->cur;
		path_get(out);
		return 0;
	}
	if (!dir || !S_ISDIR(dir->mode))
		return -ENOTDIR;
	err = may_lookup(dir, nd->cred);
	if (err < 0)
		return err;
	switch (nd->last_type) {
	case LAST_DOT:
		*out = nd->cur;
		path_get(out);
		return 0;
	case LAST_DOTDOT:
		*out = nd->cur;
		path_get(out);
		path_dotdot(&nd->root, out);
		return 0;
	default:
		break;
	}
	err = d_lookup(nd->cur.dentry, nd->last, nd->last_len, &out->dentry);
	if (err < 0)
		return err;
	out->mnt = nd->cur.mnt;
	mount_get(out->mnt);
	path_cross_mounts(out);
	return 0;
}

int nd_follow_last(struct nameidata *nd, const struct path *link)
{
	return nd_splice_link(nd, link, nd->trailing_slash ? "/" : "");
}

int nd_walk(struct nameidata *nd, struct path *out)
{
	struct path p;
	int err;

	for (;;) {
		err = nd_walk_parent(nd);
		if (err < 0)
			return err;
		err = nd_lookup_last(nd, &p);
		if (err < 0)
			return err;
		if (S_ISLNK(p.dentry->inode->mode) &&
		    ((nd->flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
			err = nd_follow_last(nd, &p);
			path_put(&p);
			if (err < 0)
				return err;
			continue;
		}
		break;
	}
	if ((nd->trailing_slash || (nd->flags & LOOKUP_DIRECTORY)) && !d_is_dir(p.dentry)) {
		path_put(&p);
		return -ENOTDIR;
	}
	*out = p;
	return 0;
}

int vfs_walk(struct fs_view *v, const struct path *start, const char *name, unsigned lookup,
	     const struct vfs_cred *c, struct path *out)
{
	struct nameidata nd;
	int err;

	err = nd_init(&nd, v, start, name, lookup & ~LOOKUP_PARENT, c);
	if (err < 0)
		goto out_cleanup;
	err = nd_walk(&nd, out);
out_cleanup:
	nd_cleanup(&nd);
	return err;
}

/* ---- path strings ---- */

/* Prepends s (len bytes) at *pos in buf, moving *pos back; false if it doesn't fit. */
static bool prepend(char *buf, size_t *pos, const char *s, size_t len)
{
	if (len > *pos)
		return false;
	*pos -= len;
	memcpy(buf + *pos, s, len);
	return true;
}

ssize_t vfs_path_string(const struct path *root, const struct path *p, char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	static const char unreachable[] = "(unreachable)";
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	size_t pos = len, n;
	bool reached = false, ok = true;

	if (len == 0)
		return -ERANGE;
	if (!mnt || !d)
		return -ENOENT;
	ok = prepend(buf, &pos, "", 1);
	if (ok && (d_flags(d) & DENTRY_UNHASHED))
		ok = prepend(buf, &pos, deleted, sizeof(deleted) - 1);
	pthread_rwlock_rdlock(&vfs_mount_lock);
	while (ok) {
		if (mnt == root->mnt && d == root->dentry) {
			reached = true;
			break;
		}
		if (d == mnt->root) {
			if (mnt->parent == mnt)
				break;
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		if (d->parent == d)
			break;
		n = strlen(d->name);
		ok = prepend(buf, &pos, d->name, n) && prepend(buf, &pos, "/", 1);
		d = d->parent;
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (ok && buf[pos] != '/')
		ok = prepend(buf, &pos, "/", 1);
	if (ok && !reached)
		ok = prepend(buf, &pos, unreachable, sizeof(unreachable) - 1);
	if (!ok)
		return -ERANGE;
	n = len - pos;
	memmove(buf, buf + pos, n);
	return (ssize_t)n;
}
