/*
 * The dentry cache: every referenced dentry sits in its parent's children list, so
 * two walks of the same name meet on one dentry (and one inode). A dentry lives while
 * it is referenced; the last put unlinks it from its parent under the parent's lock,
 * which is also the lock a lookup holds while it takes a reference on a child, so a
 * lookup never revives a dying dentry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

unsigned d_flags(const struct dentry *d)
{
	return __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
}

void d_set_flag(struct dentry *d, unsigned flag)
{
	__atomic_fetch_or(&d->flags, flag, __ATOMIC_RELEASE);
}

void d_clear_flag(struct dentry *d, unsigned flag)
{
	__atomic_fetch_and(&d->flags, ~flag, __ATOMIC_RELEASE);
}

bool d_is_dir(const struct dentry *d)
{
	return d->inode && S_ISDIR(d->inode->mode);
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len, struct inode *inode)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->name = strndup(name, len);
	if (!d->name) {
		free(d);
		return NULL;
	}
	ref_init(&d->ref);
	list_init(&d->children);
	list_init(&d->sibling);
	pthread_mutex_init(&d->lock, NULL);
	if (parent) {
		dentry_get(parent);
		d->parent = parent;
	} else {
		d->parent = d;
	}
	if (inode)
		inode_get(inode);
	d->inode = inode;
	vfs_count(&vfs_live_dentries, 1);
	return d;
}

void dentry_get(struct dentry *d)
{
	ref_get(&d->ref);
}

/* Drops a reference unless it is the last one (that one needs the parent's lock). */
static bool ref_put_unless_last(struct ref *r)
{
	int old = __atomic_load_n(&r->count, __ATOMIC_RELAXED);

	while (old > 1) {
		if (__atomic_compare_exchange_n(&r->count, &old, old - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

static void d_free(struct dentry *d)
{
	BUG_ON(!list_empty(&d->children));
	inode_put(d->inode);
	pthread_mutex_destroy(&d->lock);
	free(d->name);
	free(d);
	vfs_count(&vfs_live_dentries, -1);
}

/* The walk up is a loop, not recursion: freeing a deep chain must not eat the stack. */
void dentry_put(struct dentry *d)
{
	while (d) {
		struct dentry *parent = __atomic_load_n(&d->parent, __ATOMIC_ACQUIRE);

		if (parent == d) {
			if (ref_put(&d->ref))
				d_free(d);
			return;
		}
		if (ref_put_unless_last(&d->ref))
			return;
		/* rename moves d (and may drop its old parent) only under the mount lock
		 * held for writing and the old parent's lock: holding the first while taking
		 * the second pins d's parent */
		pthread_rwlock_rdlock(&vfs_mount_lock);
		parent = d->parent;
		pthread_mutex_lock(&parent->lock);
		pthread_rwlock_unlock(&vfs_mount_lock);
		if (!ref_put(&d->ref)) {
			pthread_mutex_unlock(&parent->lock);
			return;
		}
		list_del(&d->sibling);
		pthread_mutex_unlock(&parent->lock);
		d_free(d);
		d = parent;
	}
}

static struct dentry *d_find_locked(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *c;

	list_for_each_entry(c, &parent->children, sibling) {
		if (!strncmp(c->name, name, len) && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

int d_lookup_locked(struct dentry *parent, const char *name, size_t len, struct dentry **out)
{
	struct inode *dir = parent->inode;
	char nm[NAME_MAX + 1];
	struct inode *inode;
	struct dentry *d;
	int err;

	if (!dir || !S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	d = d_find_locked(parent, name, len);
	if (d) {
		dentry_get(d);
		*out = d;
		return 0;
	}
	/* An unlinked directory has no entries, whatever its filesystem still holds. */
	if (d_flags(parent) & DENTRY_UNHASHED)
		return -ENOENT;
	if (!dir->iops || !dir->iops->lookup)
		return -ENOENT;
	memcpy(nm, name, len);
	nm[len] = '\0';
	err = dir->iops->lookup(dir, nm, &inode);
	if (err < 0)
		return err;
	d = d_alloc(parent, nm, len, inode);
	inode_put(inode);
	if (!d)
		return -ENOMEM;
	list_add(&d->sibling, &parent->children);
	*out = d;
	return 0;
}

int d_lookup(struct dentry *parent, const char *name, size_t len, struct dentry **out)
{
	int err;

	pthread_mutex_lock(&parent->lock);
	err = d_lookup_locked(parent, name, len, out);
	pthread_mutex_unlock(&parent->lock);
	return err;
}

int d_add_locked(struct dentry *parent, const char *name, struct inode *inode, struct dentry **out)
{
	size_t len = strlen(name);
	struct dentry *d = d_find_locked(parent, name, len);

	/* A stale entry for the name (the fs changed under us) gives way to the new one. */
	if (d)
		d_unhash_locked(d);
	d = d_alloc(parent, name, len, inode);
	if (!d)
		return -ENOMEM;
	list_add(&d->sibling, &parent->children);
	*out = d;
	return 0;
}

void d_unhash_locked(struct dentry *d)
{
	if (d_flags(d) & DENTRY_UNHASHED)
		return;
	list_del(&d->sibling);
	d_set_flag(d, DENTRY_UNHASHED);
}
