/*
 * What mount(2), umount2(2), pivot_root(2) and unshare(CLONE_NEWNS) do to the mount
 * tree: bind mounts (copies of a mount rooted at any of its dentries), remounts,
 * propagation types (recorded, never acted on: every namespace is private), moves,
 * lazy and busy-checked unmounts, copying a whole tree for a new namespace, and
 * pivoting the root.
 *
 * A mount namespace is the tree under a top mount (parent == self); fs views hold
 * paths into it. Topology changes hold vfs_mount_lock for writing; references that
 * must be dropped (mount_put, dentry_put) are dropped after it is released.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fs/vfs/internal.h"

#define MNT_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* Whether (mnt, d) is at or below (top_mnt, top_d), across mounts, under the lock. */
static bool path_under_locked(struct mount *mnt, struct dentry *d, const struct path *top)
{
	for (;;) {
		if (mnt == top->mnt)
			return d_is_ancestor(top->dentry, d);
		if (mnt->parent == mnt)
			return false;
		d = mnt->mountpoint;
		mnt = mnt->parent;
	}
}

/* Old -> new mount pairs made by a tree copy. */
struct mnt_map {
	struct mount **from, **to;
	size_t n, cap;
};

static int map_add(struct mnt_map *map, struct mount *from, struct mount *to)
{
	if (!map)
		return 0;
	if (map->n == map->cap) {
		size_t ncap = map->cap ? map->cap * 2 : 8;
		struct mount **f = realloc(map->from, ncap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		map->from = f;
		f = realloc(map->to, ncap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		map->to = f;
		map->cap = ncap;
	}
	map->from[map->n] = from;
	map->to[map->n++] = to;
	return 0;
}

static struct mount *map_find(const struct mnt_map *map, struct mount *from)
{
	for (size_t i = 0; i < map->n; i++) {
		if (map->from[i] == from)
			return map->to[i];
	}
	return NULL;
}

/* A detached copy of m rooted at root (same superblock and flags, private). Safe under
 * vfs_mount_lock: nothing here takes it. */
static struct mount *clone_one(struct mount *m, struct dentry *root)
{
	char *source = NULL;
	struct mount *c;

	if (m->source) {
		source = strdup(m->source);
		if (!source)
			return NULL;
	}
	c = mount_alloc(m->sb, root, m->flags & ~MNT_PROPAGATION);
	if (!c) {
		free(source);
		return NULL;
	}
	c->source = source;
	return c;
}

/*
 * Copies the mounts below m that sit under root onto copy, recursively; unbindable
 * ones (and what is under them) are left out of bind copies, as Linux does. Under
 * vfs_mount_lock for writing; on failure the partial copy stays hung on copy for the
 * caller to put.
 */
static int clone_children_locked(struct mount *m, struct dentry *root, struct mount *copy,
				 bool bind, struct mnt_map *map)
{
	struct mount *c;
	int err;

	list_for_each_entry(c, &m->children, sibling) {
		struct mount *cc;

		if (bind && (c->flags & MS_UNBINDABLE))
			continue;
		if (!d_is_ancestor(root, c->mountpoint))
			continue;
		cc = clone_one(c, c->root);
		if (!cc)
			return -ENOMEM;
		mnt_attach_locked(cc, copy, c->mountpoint);
		err = map_add(map, c, cc);
		if (err < 0)
			return err;
		err = clone_children_locked(c, c->root, cc, bind, map);
		if (err < 0)
			return err;
	}
	return 0;
}

int vfs_mount_bind(const struct path *from, const struct path *mp, bool rec)
{
	struct mount *copy;
	int err = 0;

	if (d_is_dir(from->dentry) != d_is_dir(mp->dentry))
		return -ENOTDIR;
	if (from->mnt->flags & MS_UNBINDABLE)
		return -EINVAL;
	copy = clone_one(from->mnt, from->dentry);
	if (!copy)
		return -ENOMEM;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	if (rec)
		err = clone_children_locked(from->mnt, from->dentry, copy, true, NULL);
	if (!err && (d_flags(mp->dentry) & DENTRY_UNHASHED))
		err = -ENOENT;
	if (!err)
		mnt_attach_locked(copy, mp->mnt, mp->dentry); /* takes copy's reference */
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (err)
		mount_put(copy);
	return err;
}

static bool is_mount_root(const struct path *p)
{
	return p->dentry == p->mnt->root;
}

int vfs_mount_remount(const struct path *p, unsigned flags, bool bind)
{
	struct mount *m = p->mnt;

	if (!is_mount_root(p))
		return -EINVAL;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	m->flags = (m->flags & ~VFS_MNT_FLAGS_MASK) | (flags & VFS_MNT_FLAGS_MASK);
	if (!bind) {
		/* a filesystem-wide change: every mount of the superblock sees it */
		if (flags & MS_RDONLY)
			__atomic_fetch_or(&m->sb->flags, MS_RDONLY, __ATOMIC_RELEASE);
		else
			__atomic_fetch_and(&m->sb->flags, ~(unsigned)MS_RDONLY, __ATOMIC_RELEASE);
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	return 0;
}

static void set_propagation_locked(struct mount *m, unsigned type, bool rec)
{
	struct mount *c;

	m->flags = (m->flags & ~MNT_PROPAGATION) | (type == MS_PRIVATE ? 0 : type);
	if (!rec)
		return;
	list_for_each_entry(c, &m->children, sibling)
		set_propagation_locked(c, type, true);
}

int vfs_mount_set_propagation(const struct path *p, unsigned type, bool rec)
{
	if (type != MS_SHARED && type != MS_PRIVATE && type != MS_SLAVE && type != MS_UNBINDABLE)
		return -EINVAL;
	if (!is_mount_root(p))
		return -EINVAL;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	set_propagation_locked(p->mnt, type, rec);
	pthread_rwlock_unlock(&vfs_mount_lock);
	return 0;
}

int vfs_mount_move(const struct path *from, const struct path *mp)
{
	struct mount *m = from->mnt;
	struct dentry *old = NULL;
	int err = 0;

	if (!is_mount_root(from))
		return -EINVAL;
	if (d_is_dir(from->dentry) != d_is_dir(mp->dentry))
		return -ENOTDIR;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	if (m->parent == m)
		err = -EINVAL;
	else if (d_flags(mp->dentry) & DENTRY_UNHASHED)
		err = -ENOENT;
	else if (path_under_locked(mp->mnt, mp->dentry, from))
		err = -ELOOP; /* onto itself or into its own subtree */
	if (!err) {
		/* the parent list's reference moves with it */
		old = mnt_detach_locked(m);
		mnt_attach_locked(m, mp->mnt, mp->dentry);
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	dentry_put(old);
	return err;
}

int vfs_umount(const struct path *p, int flags)
{
	struct mount *m = p->mnt;
	struct dentry *mp = NULL;
	int err = 0;

	if (!is_mount_root(p))
		return -EINVAL;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	if (m->parent == m) {
		/* the namespace's top (pivot_root it away first), or already detached */
		err = (flags & (MNT_DETACH | MNT_EXPIRE)) ? -EINVAL : -EBUSY;
	} else if (!(flags & MNT_DETACH) && (!list_empty(&m->children) || ref_read(&m->ref) > 2)) {
		/* users beyond the parent's list and the caller's own path: open files,
		 * cwds, roots, or mounts below */
		err = -EBUSY;
	} else if ((flags & MNT_EXPIRE) &&
		   !__atomic_exchange_n(&m->expiry_mark, true, __ATOMIC_RELAXED)) {
		err = -EAGAIN; /* marked: unmounted by the next call unless used meanwhile */
	} else {
		mp = mnt_detach_locked(m);
	}
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (mp) {
		dentry_put(mp);
		mount_put(m); /* the parent list's reference */
	}
	return err;
}

void path_put_keep_expiry(const struct path *p)
{
	dentry_put(p->dentry);
	mount_put_keep_expiry(p->mnt);
}

/* Swaps v's root and cwd for their copies in map (no-op where there is none). */
static void view_remap(struct fs_view *v, const struct mnt_map *map)
{
	struct path old_root, old_cwd;
	struct mount *r, *c;

	pthread_mutex_lock(&v->lock);
	old_root = v->root;
	old_cwd = v->cwd;
	r = map_find(map, old_root.mnt);
	c = map_find(map, old_cwd.mnt);
	if (r) {
		v->root.mnt = r;
		mount_get(r);
	}
	if (c) {
		v->cwd.mnt = c;
		mount_get(c);
	}
	pthread_mutex_unlock(&v->lock);
	if (r)
		mount_put(old_root.mnt);
	if (c)
		mount_put(old_cwd.mnt);
}

int vfs_mount_ns_copy(struct fs_view *v)
{
	struct mnt_map map = { 0 };
	struct mount *top, *copy;
	struct path root;
	int err;

	pthread_mutex_lock(&v->lock);
	root = v->root;
	path_get(&root);
	pthread_mutex_unlock(&v->lock);
	pthread_rwlock_wrlock(&vfs_mount_lock);
	for (top = root.mnt; top->parent != top; top = top->parent)
		;
	copy = clone_one(top, top->root);
	err = copy ? map_add(&map, top, copy) : -ENOMEM;
	if (!err)
		err = clone_children_locked(top, top->root, copy, false, &map);
	pthread_rwlock_unlock(&vfs_mount_lock);
	if (!err)
		view_remap(v, &map);
	/* the copy lives on through v's paths into it (its top through the root) */
	mount_put(copy);
	path_put(&root);
	free(map.from);
	free(map.to);
	return err;
}

void vfs_fs_view_repoint(struct fs_view *v, const struct path *from, const struct path *to)
{
	struct path put[2];
	int n = 0;

	pthread_mutex_lock(&v->lock);
	if (path_equal(&v->root, from)) {
		put[n++] = v->root;
		v->root = *to;
		path_get(to);
	}
	if (path_equal(&v->cwd, from)) {
		put[n++] = v->cwd;
		v->cwd = *to;
		path_get(to);
	}
	pthread_mutex_unlock(&v->lock);
	while (n > 0)
		path_put(&put[--n]);
}

/* pivot_root's preconditions (Linux's order of checks), under vfs_mount_lock. */
static int pivot_check_locked(const struct path *root, const struct path *new_root,
			      const struct path *put_old)
{
	struct mount *new_mnt = new_root->mnt, *root_mnt = root->mnt, *old_mnt = put_old->mnt;

	if ((old_mnt->flags & MS_SHARED) || (new_mnt->parent->flags & MS_SHARED) ||
	    (root_mnt->parent != root_mnt && (root_mnt->parent->flags & MS_SHARED)))
		return -EINVAL;
	if (d_flags(new_root->dentry) & DENTRY_UNHASHED)
		return -ENOENT;
	if (new_mnt == root_mnt || old_mnt == root_mnt)
		return -EBUSY;
	if (!is_mount_root(root))
		return -EINVAL;
	if (!is_mount_root(new_root) || new_mnt->parent == new_mnt)
		return -EINVAL;
	if (!path_under_locked(old_mnt, put_old->dentry, new_root))
		return -EINVAL;
	if (!path_under_locked(new_mnt, new_root->dentry, root))
		return -EINVAL;
	return 0;
}

int vfs_pivot_root(const struct path *root, const struct path *new_root, const struct path *put_old,
		   void (*repoint)(const struct path *from, const struct path *to, void *arg),
		   void *arg)
{
	struct mount *new_mnt = new_root->mnt, *root_mnt = root->mnt;
	struct dentry *new_mp = NULL, *root_mp = NULL;
	struct path to = { new_mnt, new_mnt->root };
	bool root_is_top;
	int err;

	if (!d_is_dir(new_root->dentry) || !d_is_dir(put_old->dentry))
		return -ENOTDIR;
	pthread_rwlock_wrlock(&vfs_mount_lock);
	err = pivot_check_locked(root, new_root, put_old);
	if (err) {
		pthread_rwlock_unlock(&vfs_mount_lock);
		return err;
	}
	root_is_top = root_mnt->parent == root_mnt;
	/* both detach calls hand us the parent lists' references */
	new_mp = mnt_detach_locked(new_mnt);
	if (!root_is_top) {
		struct mount *root_parent = root_mnt->parent;

		root_mp = mnt_detach_locked(root_mnt);
		mnt_attach_locked(new_mnt, root_parent, root_mp);
	} else {
		/* new_mnt becomes the namespace's top, held by the views repointed below
		 * (the list reference we hold is dropped after that); the old top needs a
		 * list reference of its own */
		mount_get(root_mnt);
	}
	mnt_attach_locked(root_mnt, put_old->mnt, put_old->dentry);
	pthread_rwlock_unlock(&vfs_mount_lock);
	repoint(root, &to, arg);
	if (root_is_top)
		mount_put(new_mnt);
	dentry_put(new_mp);
	dentry_put(root_mp);
	return 0;
}
