/*
 * Mounts: the root mount, mounting a filesystem on a directory, crossing mountpoints
 * downward during a walk and `..` upward out of a mounted filesystem.
 *
 * A parent mount's children list holds a reference on each child; a child only points
 * at its parent. The last put of a mount detaches its children (they become roots of
 * nothing and die with their last user), so dropping a namespace's root mount tears
 * the whole tree down.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

pthread_rwlock_t vfs_mount_lock = PTHREAD_RWLOCK_INITIALIZER;
static uint64_t next_mount_id;

struct mount *mount_alloc(struct super_block *sb, struct dentry *root, unsigned flags)
{
	struct mount *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	dentry_get(root);
	m->root = root;
	ref_init(&m->ref);
	sb_get(sb);
	m->sb = sb;
	m->flags = flags;
	m->id = __atomic_add_fetch(&next_mount_id, 1, __ATOMIC_RELAXED);
	m->parent = m;
	m->mountpoint = m->root; /* not a reference while parent == self */
	list_init(&m->children);
	list_init(&m->sibling);
	vfs_count(&vfs_live_mounts, 1);
	return m;
}

/* A mount of sb whose root is a fresh root dentry for inode. +1 or NULL. */
static struct mount *mount_alloc_inode(struct super_block *sb, struct inode *root, unsigned flags)
{
	struct dentry *d = d_alloc(NULL, "/", 1, root);
	struct mount *m;

	if (!d)
		return NULL;
	m = mount_alloc(sb, d, flags);
	dentry_put(d);
	return m;
}

void mnt_attach_locked(struct mount *m, struct mount *parent, struct dentry *mp)
{
	dentry_get(mp);
	m->parent = parent;
	m->mountpoint = mp;
	list_add_tail(&m->sibling, &parent->children);
	if (mp->nmounts++ == 0)
		d_set_flag(mp, DENTRY_MOUNTED);
}

struct dentry *mnt_detach_locked(struct mount *m)
{
	struct dentry *mp = m->mountpoint;

	if (m->parent == m)
		return NULL;
	list_del(&m->sibling);
	list_init(&m->sibling);
	if (--mp->nmounts == 0)
		d_clear_flag(mp, DENTRY_MOUNTED);
	/* detached: nothing reads a mountpoint once parent == self */
	m->parent = m;
	m->mountpoint = m->root;
	return mp;
}

void mount_get(struct mount *m)
{
	ref_get(&m->ref);
}

void mount_put(struct mount *m)
{
	/* any use of a mount cancels an MNT_EXPIRE mark; test first to keep the line clean */
	if (m && __atomic_load_n(&m->expiry_mark, __ATOMIC_RELAXED))
		__atomic_store_n(&m->expiry_mark, false, __ATOMIC_RELAXED);
	mount_put_keep_expiry(m);
}

void mount_put_keep_expiry(struct mount *m)
{
	struct mount *c, *n;
	struct list_head dead;

	if (!m || !ref_put(&m->ref))
		return;
	list_init(&dead);
	pthread_rwlock_wrlock(&vfs_mount_lock);
	list_for_each_entry_safe(c, n, &m->children, sibling) {
		/* the mountpoint reference waits in c->mountpoint (which nothing reads
		 * once c is detached) until the lock is dropped */
		struct dentry *mp = mnt_detach_locked(c);

		c->mountpoint = mp;
		list_add(&c->sibling, &dead);
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	list_for_each_entry_safe(c, n, &dead, sibling) {
		struct dentry *mp = c->mountpoint;

		list_del(&c->sibling);
		list_init(&c->sibling);
		c->mountpoint = c->root;
		dentry_put(mp);
		mount_put(c); /* the parent list's reference */
	}
	/* the cache's unused dentries would keep the root (and the superblock) alive */
	dcache_shrink(m->sb);
	dentry_put(m->root);
	sb_put(m->sb);
	free(m->source);
	free(m);
	vfs_count(&vfs_live_mounts, -1);
}

int vfs_mount_root(struct super_block *sb, struct inode *root, struct mount **out)
{
	struct mount *m;

	if (!S_ISDIR(root->mode))
		return -ENOTDIR;
	m = mount_alloc_inode(sb, root, 0);
	if (!m)
		return -ENOMEM;
	*out = m;
	return 0;
}

int vfs_mount_at(const struct path *mountpoint, struct super_block *sb, struct inode *root,
		 unsigned flags)
{
	return vfs_mount_new(mountpoint, sb, root, flags, NULL);
}

int vfs_mount_new(const struct path *mp, struct super_block *sb, struct inode *root, unsigned flags,
		  const char *source)
{
	struct mount *m;

	if (!d_is_dir(mp->dentry) || !S_ISDIR(root->mode))
		return -ENOTDIR;
	m = mount_alloc_inode(sb, root, flags);
	if (!m)
		return -ENOMEM;
	if (source) {
		m->source = strdup(source);
		if (!m->source) {
			mount_put(m);
			return -ENOMEM;
		}
	}
	pthread_rwlock_wrlock(&vfs_mount_lock);
	if (d_flags(mp->dentry) & DENTRY_UNHASHED) {
		pthread_rwlock_unlock(&vfs_mount_lock);
		mount_put(m);
		return -ENOENT;
	}
	mnt_attach_locked(m, mp->mnt, mp->dentry);
	pthread_rwlock_unlock(&vfs_mount_lock);
	return 0;
}

int vfs_anon_path(struct mount *mnt, const char *name, struct inode *inode, struct path *out)
{
	/* not added to the root's children: unhashed, it dies with its last user */
	struct dentry *d = d_alloc(mnt->root, name, strlen(name), inode);

	if (!d)
		return -ENOMEM;
	d_set_flag(d, DENTRY_UNHASHED);
	mount_get(mnt);
	out->mnt = mnt;
	out->dentry = d;
	return 0;
}

/* The mount on (mnt, d) last mounted, under vfs_mount_lock. */
struct mount *mount_lookup_locked(struct mount *mnt, struct dentry *d)
{
	struct mount *c, *found = NULL;

	list_for_each_entry(c, &mnt->children, sibling) {
		if (c->mountpoint == d)
			found = c;
	}
	return found;
}

void path_cross_mounts(struct path *p)
{
	while (d_flags(p->dentry) & DENTRY_MOUNTED) {
		struct path next;
		struct mount *c;

		pthread_rwlock_rdlock(&vfs_mount_lock);
		c = mount_lookup_locked(p->mnt, p->dentry);
		if (!c) {
			pthread_rwlock_unlock(&vfs_mount_lock);
			return;
		}
		next.mnt = c;
		next.dentry = c->root;
		path_get(&next);
		pthread_rwlock_unlock(&vfs_mount_lock);
		path_put(p);
		*p = next;
	}
}

void path_dotdot(const struct path *root, struct path *p)
{
	for (;;) {
		struct path next;

		if (path_equal(p, root))
			return;
		pthread_rwlock_rdlock(&vfs_mount_lock);
		if (p->dentry == p->mnt->root) {
			if (p->mnt->parent == p->mnt) {
				/* the top of the namespace: `..` stays */
				pthread_rwlock_unlock(&vfs_mount_lock);
				return;
			}
			next.mnt = p->mnt->parent;
			next.dentry = p->mnt->mountpoint;
			path_get(&next);
			pthread_rwlock_unlock(&vfs_mount_lock);
			path_put(p);
			*p = next;
			continue;
		}
		next.mnt = p->mnt;
		next.dentry = p->dentry->parent;
		path_get(&next);
		pthread_rwlock_unlock(&vfs_mount_lock);
		path_put(p);
		*p = next;
		break;
	}
	path_cross_mounts(p);
}

/* Appends m and its descendants (parents first) to v with a reference each. */
static int snapshot_locked(struct mount *m, struct mount ***v, size_t *n, size_t *cap)
{
	struct mount *c;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct mount **nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	mount_get(m);
	(*v)[(*n)++] = m;
	list_for_each_entry(c, &m->children, sibling) {
		int err = snapshot_locked(c, v, n, cap);

		if (err < 0)
			return err;
	}
	return 0;
}

/* The mount's root within its filesystem: "/" unless it is a bind of a subdirectory. */
static void fs_root_string(const struct mount *m, char *buf, size_t len)
{
	const struct dentry *d;
	size_t pos = len - 1;

	buf[pos] = '\0';
	pthread_rwlock_rdlock(&vfs_mount_lock);
	for (d = m->root; d->parent != d; d = d->parent) {
		size_t n = strlen(d->name);

		if (n + 1 > pos)
			break;
		pos -= n;
		memcpy(buf + pos, d->name, n);
		buf[--pos] = '/';
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (buf[pos] == '\0')
		buf[--pos] = '/';
	memmove(buf, buf + pos, len - pos);
}

int vfs_mount_iterate(const struct path *root, int (*fn)(const struct mount_entry *e, void *arg),
		      void *arg)
{
	struct mount **v = NULL;
	size_t n = 0, cap = 0, i;
	char *mp = NULL, *fsr = NULL;
	int err;

	mp = malloc(PATH_MAX);
	fsr = malloc(PATH_MAX);
	if (!mp || !fsr) {
		err = -ENOMEM;
		goto out;
	}
	pthread_rwlock_rdlock(&vfs_mount_lock);
	err = snapshot_locked(root->mnt, &v, &n, &cap);
	pthread_rwlock_unlock(&vfs_mount_lock);
	for (i = 0; err == 0 && i < n; i++) {
		struct mount_entry e = {
			.mnt = v[i], .id = v[i]->id, .mountpoint = mp, .fs_root = fsr
		};
		struct path top = { v[i], v[i]->root };
		ssize_t len = vfs_path_string(root, &top, mp, PATH_MAX);

		/* mounts above a chroot, or whose path cannot be named, are not shown */
		if (len < 0 || mp[0] != '/')
			continue;
		pthread_rwlock_rdlock(&vfs_mount_lock);
		e.parent_id = v[i]->parent->id;
		pthread_rwlock_unlock(&vfs_mount_lock);
		fs_root_string(v[i], fsr, PATH_MAX);
		err = fn(&e, arg);
	}
out:
	for (i = 0; i < n; i++)
		mount_put(v[i]);
	free(v);
	free(mp);
	free(fsr);
	return err;
}
