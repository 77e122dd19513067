/*
 * The dentry cache. Every hashed dentry sits in its parent's children, found by name
 * through a per-directory hash table, so two walks of the same name meet on one dentry
 * (and one inode) and a lookup costs O(1) whatever the directory's size.
 *
 * A dentry whose last reference goes stays cached when its filesystem allows it
 * (super_block.dcache & DCACHE_KEEP): it keeps its inode and its reference on its
 * parent, and waits, unused, on a global LRU bounded to dcache_limit entries. Names a
 * filesystem said don't exist are cached too (negative dentries, inode NULL) when it
 * asks for it (DCACHE_NEGATIVE); they are always unused and never leave this file:
 * d_lookup answers -ENOENT for them without asking the filesystem.
 *
 * Locking: a dentry's reference count goes from 1 to 0 (dentry_put) and from 0 back to
 * 1 (a lookup reviving a cached dentry) only under its parent's lock, so the count of a
 * dentry in a hash is stable while that lock is held. dcache_lock (the LRU) nests inside
 * dentry locks; the evictor, which starts from the LRU, only trylocks a parent. While a
 * dentry is on the LRU its parent can't change (rename needs a reference on it). Freeing
 * a dentry puts its inode (a goferfs fid clunk: a round trip) and its parent: always
 * with no lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"

/* A directory's children by name: chained buckets, a power of two of them. */
struct d_kids {
	uint32_t nbuckets, count;
	struct dentry *b[];
};

#define KIDS_MIN 8
#define DCACHE_DEFAULT_LIMIT 16384

static pthread_mutex_t dcache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head dcache_lru = LIST_HEAD_INIT(dcache_lru); /* head: most recent */
static size_t dcache_nunused; /* on the LRU; written under dcache_lock */
static size_t dcache_limit = DCACHE_DEFAULT_LIMIT;

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

/* FNV-1a: names are short, and the table is per directory. */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
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
	d->hash = name_hash(name, len);
	ref_init(&d->ref);
	list_init(&d->children);
	list_init(&d->sibling);
	list_init(&d->lru);
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

/* ---- the per-directory hash (parent->lock held) ---- */

static struct dentry **kids_slot(struct d_kids *k, uint32_t hash)
{
	return &k->b[hash & (k->nbuckets - 1)];
}

/* Rehashes parent's children into nbuckets buckets; on ENOMEM the old table stays. */
static void kids_resize(struct dentry *parent, uint32_t nbuckets)
{
	struct d_kids *old = parent->kids, *k = calloc(1, sizeof(*k) + nbuckets * sizeof(k->b[0]));

	if (!k)
		return;
	k->nbuckets = nbuckets;
	for (uint32_t i = 0; old && i < old->nbuckets; i++) {
		struct dentry *d = old->b[i], *next;

		for (; d; d = next) {
			struct dentry **slot = kids_slot(k, d->hash);

			next = d->hash_next;
			d->hash_next = *slot;
			*slot = d;
		}
	}
	k->count = old ? old->count : 0;
	free(old);
	parent->kids = k;
}

/* Links d into parent's children. -ENOMEM if the first table can't be had. */
static int d_hash_add(struct dentry *parent, struct dentry *d)
{
	struct dentry **slot;

	if (!parent->kids)
		kids_resize(parent, KIDS_MIN);
	else if (parent->kids->count >= 2 * parent->kids->nbuckets)
		kids_resize(parent, 4 * parent->kids->nbuckets);
	if (!parent->kids)
		return -ENOMEM;
	slot = kids_slot(parent->kids, d->hash);
	d->hash_next = *slot;
	*slot = d;
	parent->kids->count++;
	list_add(&d->sibling, &parent->children);
	return 0;
}

static void d_hash_del(struct dentry *parent, struct dentry *d)
{
	struct dentry **p = kids_slot(parent->kids, d->hash);

	while (*p != d)
		p = &(*p)->hash_next;
	*p = d->hash_next;
	d->hash_next = NULL;
	parent->kids->count--;
	list_del(&d->sibling);
}

static struct dentry *d_find_locked(struct dentry *parent, const char *name, size_t len)
{
	uint32_t hash = name_hash(name, len);
	struct dentry *c;

	if (!parent->kids)
		return NULL;
	for (c = *kids_slot(parent->kids, hash); c; c = c->hash_next) {
		if (c->hash == hash && !strncmp(c->name, name, len) && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

/* ---- the LRU of unused dentries ---- */

static void lru_add(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	list_add(&d->lru, &dcache_lru);
	__atomic_store_n(&dcache_nunused, dcache_nunused + 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&dcache_lock);
}

/* A new reference on a hashed dentry (parent->lock held): revives a cached one. */
static void d_get_locked(struct dentry *d)
{
	if (__atomic_fetch_add(&d->ref.count, 1, __ATOMIC_ACQ_REL) == 0) {
		pthread_mutex_lock(&dcache_lock);
		list_del(&d->lru);
		__atomic_store_n(&dcache_nunused, dcache_nunused - 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&dcache_lock);
	}
}

/* Whether d may wait on the LRU once unused, rather than die. */
static bool d_keep(const struct dentry *d)
{
	if (d_flags(d) & DENTRY_UNHASHED)
		return false;
	if (d->inode)
		return d->inode->sb->dcache & DCACHE_KEEP;
	return true; /* a negative dentry exists only because its fs wants it */
}

static void d_free(struct dentry *d)
{
	BUG_ON(!list_empty(&d->children));
	inode_put(d->inode);
	pthread_mutex_destroy(&d->lock);
	free(d->kids);
	free(d->name);
	free(d);
	vfs_count(&vfs_live_dentries, -1);
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

/*
 * The walk up is a loop, not recursion: freeing a deep chain must not eat the stack.
 * Returns whether d (or an ancestor) went onto the LRU, so the caller may trim it.
 */
static bool d_put(struct dentry *d)
{
	while (d) {
		struct dentry *parent = __atomic_load_n(&d->parent, __ATOMIC_ACQUIRE);

		if (parent == d) {
			if (ref_put(&d->ref))
				d_free(d);
			return false;
		}
		if (ref_put_unless_last(&d->ref))
			return false;
		/* rename moves d (and may drop its old parent) only under the mount lock
		 * held for writing and the old parent's lock: holding the first while taking
		 * the second pins d's parent */
		pthread_rwlock_rdlock(&vfs_mount_lock);
		parent = d->parent;
		pthread_mutex_lock(&parent->lock);
		pthread_rwlock_unlock(&vfs_mount_lock);
		if (!ref_put(&d->ref)) {
			pthread_mutex_unlock(&parent->lock);
			return false;
		}
		if (d_keep(d)) {
			lru_add(d);
			pthread_mutex_unlock(&parent->lock);
			return true;
		}
		if (!(d_flags(d) & DENTRY_UNHASHED))
			d_hash_del(parent, d);
		pthread_mutex_unlock(&parent->lock);
		d_free(d);
		d = parent;
	}
	return false;
}

/*
 * Evicts up to max unused dentries from the LRU's cold end (of superblock sb only, when
 * sb is not NULL): unhashed under their parent's lock (trylocked: the LRU lock nests
 * inside dentry locks), freed after. Returns how many went. A parent whose last child
 * goes may become unused itself and join the LRU.
 */
static size_t d_evict(const struct super_block *sb, size_t max)
{
	struct list_head dispose, *pos, *prev;
	size_t n = 0;

	list_init(&dispose);
	pthread_mutex_lock(&dcache_lock);
	for (pos = dcache_lru.prev; pos != &dcache_lru && n < max; pos = prev) {
		struct dentry *d = list_entry(pos, struct dentry, lru);
		struct dentry *parent = d->parent;

		prev = pos->prev;
		if (sb && (d->inode ? d->inode->sb : parent->inode->sb) != sb)
			continue;
		if (!(d_flags(d) & DENTRY_UNHASHED)) {
			if (pthread_mutex_trylock(&parent->lock))
				continue;
			d_hash_del(parent, d);
			d_set_flag(d, DENTRY_UNHASHED);
			pthread_mutex_unlock(&parent->lock);
		}
		list_del(&d->lru);
		__atomic_store_n(&dcache_nunused, dcache_nunused - 1, __ATOMIC_RELAXED);
		list_add(&d->lru, &dispose);
		n++;
	}
	pthread_mutex_unlock(&dcache_lock);
	while (!list_empty(&dispose)) {
		struct dentry *d = list_first_entry(&dispose, struct dentry, lru);
		struct dentry *parent = d->parent;

		list_del(&d->lru);
		d_free(d);
		d_put(parent);
	}
	return n;
}

/* Trims the LRU back to its limit. */
static void dcache_trim(void)
{
	for (;;) {
		size_t over;

		pthread_mutex_lock(&dcache_lock);
		over = dcache_nunused > dcache_limit ? dcache_nunused - dcache_limit : 0;
		pthread_mutex_unlock(&dcache_lock);
		if (!over || !d_evict(NULL, over))
			return;
	}
}

void dentry_put(struct dentry *d)
{
	/* the unlocked read is a hint: lookups under a dentry lock add negative entries
	 * they can't trim, the next put does */
	if (d_put(d) || __atomic_load_n(&dcache_nunused, __ATOMIC_RELAXED) >
				__atomic_load_n(&dcache_limit, __ATOMIC_RELAXED))
		dcache_trim();
}

void dcache_shrink(const struct super_block *sb)
{
	/* each pass frees a layer of leaves; their parents may be next */
	while (d_evict(sb, SIZE_MAX))
		;
}

size_t dcache_set_limit(size_t limit)
{
	size_t old;

	pthread_mutex_lock(&dcache_lock);
	old = dcache_limit;
	__atomic_store_n(&dcache_limit, limit, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&dcache_lock);
	dcache_trim();
	return old;
}

size_t dcache_unused(void)
{
	size_t n;

	pthread_mutex_lock(&dcache_lock);
	n = dcache_nunused;
	pthread_mutex_unlock(&dcache_lock);
	return n;
}

/* ---- lookups ---- */

/* Remembers that name doesn't exist in parent (parent->lock held), if its fs wants it. */
static void d_add_negative_locked(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d;

	if (!(parent->inode->sb->dcache & DCACHE_NEGATIVE))
		return;
	d = d_alloc(parent, name, len, NULL);
	if (!d)
		return; /* only a cache */
	if (d_hash_add(parent, d) < 0) {
		/* parent is referenced by our caller: this is not its last put */
		BUG_ON(ref_put(&parent->ref));
		d->parent = d;
		d_free(d);
		return;
	}
	__atomic_store_n(&d->ref.count, 0, __ATOMIC_RELEASE);
	lru_add(d);
}

/* Takes a stale or negative entry out of parent's children (parent->lock held); an
 * unused one stays on the LRU, unhashed, for the evictor to free. */
static void d_drop_locked(struct dentry *parent, struct dentry *d)
{
	d_hash_del(parent, d);
	d_set_flag(d, DENTRY_UNHASHED);
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
		if (!d->inode)
			return -ENOENT;
		d_get_locked(d);
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
	if (err == -ENOENT)
		d_add_negative_locked(parent, nm, len);
	if (err < 0)
		return err;
	d = d_alloc(parent, nm, len, inode);
	inode_put(inode);
	if (!d)
		return -ENOMEM;
	if (d_hash_add(parent, d) < 0) {
		/* uncached but usable: it dies with its last reference */
		d_set_flag(d, DENTRY_UNHASHED);
	}
	*out = d;
	return 0;
}

int d_lookup(struct dentry *parent, const char *name, size_t len, struct dentry **out)
{
	int err;

	pthread_mutex_lock(&parent->lock);
	err = d_lookup_locked(parent, name, len, out);
	pthread_mutex_unlock(&parent->lock);
	if (err == -EMFILE || err == -ENFILE) {
		/* what the cache holds may be what the fs ran out of (goferfs: the gofer's
		 * fds): let it all go and try once more */
		dcache_shrink(NULL);
		pthread_mutex_lock(&parent->lock);
		err = d_lookup_locked(parent, name, len, out);
		pthread_mutex_unlock(&parent->lock);
	}
	/* a negative entry may have joined the LRU */
	if (err == -ENOENT)
		dcache_trim();
	return err;
}

int d_add_locked(struct dentry *parent, const char *name, struct inode *inode, struct dentry **out)
{
	size_t len = strlen(name);
	struct dentry *d = d_find_locked(parent, name, len);

	/* A stale or negative entry for the name gives way to the new one. */
	if (d)
		d_drop_locked(parent, d);
	d = d_alloc(parent, name, len, inode);
	if (!d)
		return -ENOMEM;
	if (d_hash_add(parent, d) < 0)
		d_set_flag(d, DENTRY_UNHASHED);
	*out = d;
	return 0;
}

void d_unhash_locked(struct dentry *d)
{
	if (d_flags(d) & DENTRY_UNHASHED)
		return;
	d_drop_locked(d->parent, d);
}

struct dentry *d_move_locked(struct dentry *d, struct dentry *parent, char *name)
{
	struct dentry *old = d->parent, *stale;
	size_t len = strlen(name);

	if (!(d_flags(d) & DENTRY_UNHASHED))
		d_hash_del(old, d);
	stale = d_find_locked(parent, name, len);
	if (stale)
		d_drop_locked(parent, stale);
	free(d->name);
	d->name = name;
	d->hash = name_hash(name, len);
	dentry_get(parent);
	__atomic_store_n(&d->parent, parent, __ATOMIC_RELEASE);
	if (d_hash_add(parent, d) < 0)
		d_set_flag(d, DENTRY_UNHASHED);
	else
		d_clear_flag(d, DENTRY_UNHASHED);
	return old;
}

bool d_is_ancestor(const struct dentry *a, const struct dentry *d)
{
	/* a root is its own parent: the walk ends there */
	for (;;) {
		if (d == a)
			return true;
		if (d->parent == d)
			return false;
		d = d->parent;
	}
}
