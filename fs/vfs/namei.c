/*
 * Path resolution with Linux's rules: absolute names start at the view's root,
 * relative ones at the dirfd or the cwd; `.` and `..` (which never climbs above the
 * root and crosses mounts upward); symlinks are spliced into the remaining name
 * (relative to their directory, absolute to the root), at most VFS_MAXSYMLINKS per
 * walk; a trailing slash demands a directory; search permission on every directory.
 *
 * openat2's restrictions ride in nd->flags: LOOKUP_BENEATH and LOOKUP_IN_ROOT make the
 * start directory the walk's root (BENEATH refuses with -EXDEV what IN_ROOT clamps:
 * absolute names and symlinks, `..` at the root), LOOKUP_NO_XDEV refuses to leave the
 * starting mount, LOOKUP_NO_SYMLINKS / LOOKUP_NO_MAGICLINKS refuse to follow links.
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
	bool scoped = flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT);
	struct path dir;

	memset(nd, 0, sizeof(*nd));
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	if (name[0] == '/' && (flags & LOOKUP_BENEATH))
		return -EXDEV;
	nd->buf = strdup(name);
	if (!nd->buf)
		return -ENOMEM;
	nd->rest = nd->buf;
	nd->flags = flags;
	nd->cred = c;
	pthread_mutex_lock(&v->lock);
	dir = start ? *start : v->cwd;
	nd->root = scoped ? dir : v->root;
	nd->cur = name[0] == '/' ? nd->root : dir;
	path_get(&nd->root);
	path_get(&nd->cur);
	pthread_mutex_unlock(&v->lock);
	nd->start_mnt = nd->cur.mnt;
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

/* Whether the walk may restart at its root (an absolute symlink). */
static int nd_may_jump_root(const struct nameidata *nd)
{
	if (nd->flags & LOOKUP_BENEATH)
		return -EXDEV;
	if ((nd->flags & LOOKUP_NO_XDEV) && nd->cur.mnt != nd->root.mnt)
		return -EXDEV;
	return 0;
}

/* Whether the walk may follow a magic link (Linux's nd_jump_link rules). */
static int nd_may_jump_magic(const struct nameidata *nd)
{
	if (nd->flags & LOOKUP_NO_MAGICLINKS)
		return -ELOOP;
	/* a magic link may lead anywhere: no scoped walk can vouch for it */
	if (nd->flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT))
		return -EXDEV;
	return 0;
}

/* `..` from *p (a reference the caller owns), with the scoped-lookup rules. */
static int nd_dotdot(const struct nameidata *nd, struct path *p)
{
	struct mount *before = p->mnt;

	if (path_equal(p, &nd->root)) {
		/* BENEATH refuses to climb out of its root; everyone else stays there */
		return (nd->flags & LOOKUP_BENEATH) ? -EXDEV : 0;
	}
	path_dotdot(&nd->root, p);
	if ((nd->flags & LOOKUP_NO_XDEV) && p->mnt != before)
		return -EXDEV;
	return 0;
}

/* Moves *p down through the mounts on it, unless the walk must stay on one mount. */
static int nd_cross_mounts(const struct nameidata *nd, struct path *p)
{
	path_cross_mounts(p);
	if ((nd->flags & LOOKUP_NO_XDEV) && p->mnt != nd->start_mnt)
		return -EXDEV;
	return 0;
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
	if (nd->flags & LOOKUP_NO_SYMLINKS)
		return -ELOOP;
	if (inode->iops && inode->iops->get_link_path) {
		/* A magic link: continue from the object itself, whatever its name says (it
		 * may be unreachable from this root, or deleted), with rest still to walk. */
		struct path target;
		int err = nd_may_jump_magic(nd);

		if (err < 0)
			return err;
		err = inode->iops->get_link_path(inode, &target);
		if (err < 0)
			return err;
		if ((nd->flags & LOOKUP_NO_XDEV) && target.mnt != nd->cur.mnt) {
			path_put(&target);
			return -EXDEV;
		}
		if (*rest && !d_is_dir(target.dentry)) {
			/* more to walk, or a trailing slash, through a non-directory */
			path_put(&target);
			return -ENOTDIR;
		}
		path_put(&nd->cur);
		nd->cur = target;
		nd->rest = (char *)rest;
		return 0;
	}
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
		int err = nd_may_jump_root(nd);

		if (err < 0) {
			free(nbuf);
			return err;
		}
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
		err = nd_dotdot(nd, &nd->cur);
		nd->rest = next;
		return err;
	}
	err = d_lookup(nd->cur.dentry, name, len, &child.dentry);
	if (err < 0)
		return err;
	child.mnt = nd->cur.mnt;
	mount_get(child.mnt);
	err = nd_cross_mounts(nd, &child);
	if (err < 0) {
		path_put(&child);
		return err;
	}
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
		err = nd_dotdot(nd, out);
		if (err < 0)
			path_put(out);
		return err;
	default:
		break;
	}
	err = d_lookup(nd->cur.dentry, nd->last, nd->last_len, &out->dentry);
	if (err < 0)
		return err;
	out->mnt = nd->cur.mnt;
	mount_get(out->mnt);
	err = nd_cross_mounts(nd, out);
	if (err < 0)
		path_put(out);
	return err;
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

ssize_t vfs_d_path(const struct path *root, const struct path *p, char *buf, size_t len)
{
	static const char unreachable[] = "(unreachable)";
	ssize_t n = vfs_path_string(root, p, buf, len);

	if (n > 0 && strncmp(buf, unreachable, sizeof(unreachable) - 1) == 0) {
		n -= (ssize_t)sizeof(unreachable) - 1;
		memmove(buf, buf + sizeof(unreachable) - 1, (size_t)n);
	}
	return n;
}
