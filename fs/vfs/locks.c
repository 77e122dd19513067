/*
 * POSIX record locks. Locked inodes are found through a small hash table keyed by the
 * inode (struct inode has no room of its own for them); each holds its ranges and a
 * condition variable for F_SETLKW waiters. A global count of locked inodes lets the
 * close path skip all of it when nobody locks anything, the common case.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "common/list.h"
#include "fs/vfs/vfs.h"

#define LOCK_BUCKETS 64

struct lock_range {
	struct list_head node;
	const void *owner;
	short type;
	int64_t start, end;
	int pid;
};

struct inode_locks {
	struct inode_locks *next;
	const struct inode *inode;
	struct list_head ranges;
	pthread_cond_t cond;
	int waiters;
};

static pthread_mutex_t locks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inode_locks *buckets[LOCK_BUCKETS];
static long nlocked;

static struct inode_locks **bucket_of(const struct inode *inode)
{
	return &buckets[((uintptr_t)inode >> 6) % LOCK_BUCKETS];
}

static struct inode_locks *find_locked(const struct inode *inode, bool create)
{
	struct inode_locks **b = bucket_of(inode), *il;

	for (il = *b; il; il = il->next) {
		if (il->inode == inode)
			return il;
	}
	if (!create)
		return NULL;
	il = calloc(1, sizeof(*il));
	if (!il)
		return NULL;
	il->inode = inode;
	list_init(&il->ranges);
	pthread_cond_init(&il->cond, NULL);
	il->next = *b;
	*b = il;
	__atomic_add_fetch(&nlocked, 1, __ATOMIC_RELAXED);
	return il;
}

/* Frees il once it holds no range and nobody waits on it. */
static void maybe_free_locked(struct inode_locks *il)
{
	struct inode_locks **pp = bucket_of(il->inode);

	if (!list_empty(&il->ranges) || il->waiters)
		return;
	while (*pp != il)
		pp = &(*pp)->next;
	*pp = il->next;
	pthread_cond_destroy(&il->cond);
	free(il);
	__atomic_sub_fetch(&nlocked, 1, __ATOMIC_RELAXED);
}

static bool overlaps(const struct lock_range *r, int64_t start, int64_t end)
{
	return r->start <= end && start <= r->end;
}

static struct lock_range *find_conflict(struct inode_locks *il, const void *owner,
					const struct vfs_flock *fl)
{
	struct lock_range *r;

	if (!il)
		return NULL;
	list_for_each_entry(r, &il->ranges, node) {
		if (r->owner == owner || !overlaps(r, fl->start, fl->end))
			continue;
		if (r->type == F_WRLCK || fl->type == F_WRLCK)
			return r;
	}
	return NULL;
}

static struct lock_range *range_new(const void *owner, short type, int64_t start, int64_t end,
				    int pid)
{
	struct lock_range *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->owner = owner;
	r->type = type;
	r->start = start;
	r->end = end;
	r->pid = pid;
	return r;
}

/*
 * Takes [start, end] out of owner's ranges, splitting one that straddles it. spare is a
 * preallocated range for such a split (consumed: set to NULL) so this can't fail.
 */
static void carve(struct inode_locks *il, const void *owner, int64_t start, int64_t end,
		  struct lock_range **spare)
{
	struct lock_range *r, *n;

	list_for_each_entry_safe(r, n, &il->ranges, node) {
		if (r->owner != owner || !overlaps(r, start, end))
			continue;
		if (r->start < start && r->end > end) {
			struct lock_range *tail = *spare;

			*spare = NULL;
			*tail = *r;
			tail->start = end + 1;
			list_add(&tail->node, &r->node);
			r->end = start - 1;
		} else if (r->start < start) {
			r->end = start - 1;
		} else if (r->end > end) {
			r->start = end + 1;
		} else {
			list_del(&r->node);
			free(r);
		}
	}
}

int vfs_posix_getlk(struct inode *inode, const void *owner, struct vfs_flock *fl)
{
	struct lock_range *r;

	if (fl->type != F_RDLCK && fl->type != F_WRLCK)
		return -EINVAL;
	pthread_mutex_lock(&locks_lock);
	r = find_conflict(find_locked(inode, false), owner, fl);
	if (r) {
		fl->type = r->type;
		fl->start = r->start;
		fl->end = r->end;
		fl->pid = r->pid;
	} else {
		fl->type = F_UNLCK;
	}
	pthread_mutex_unlock(&locks_lock);
	return 0;
}

int vfs_posix_setlk(struct inode *inode, const void *owner, const struct vfs_flock *fl, bool wait)
{
	struct lock_range *add = NULL, *spare;
	struct inode_locks *il;
	int err = 0;

	if (fl->type != F_RDLCK && fl->type != F_WRLCK && fl->type != F_UNLCK)
		return -EINVAL;
	if (fl->start < 0 || fl->end < fl->start)
		return -EINVAL;
	spare = range_new(owner, fl->type, 0, 0, fl->pid);
	if (fl->type != F_UNLCK)
		add = range_new(owner, fl->type, fl->start, fl->end, fl->pid);
	if (!spare || (fl->type != F_UNLCK && !add)) {
		free(spare);
		free(add);
		return -ENOLCK;
	}
	pthread_mutex_lock(&locks_lock);
	il = find_locked(inode, fl->type != F_UNLCK);
	if (!il) {
		err = fl->type == F_UNLCK ? 0 : -ENOLCK;
		goto out_unlock;
	}
	while (add && find_conflict(il, owner, fl)) {
		if (!wait) {
			err = -EAGAIN;
			goto out_maybe_free;
		}
		il->waiters++;
		pthread_cond_wait(&il->cond, &locks_lock);
		il->waiters--;
	}
	carve(il, owner, fl->start, fl->end, &spare);
	if (add) {
		list_add_tail(&add->node, &il->ranges);
		add = NULL;
	}
	pthread_cond_broadcast(&il->cond);
out_maybe_free:
	maybe_free_locked(il);
out_unlock:
	pthread_mutex_unlock(&locks_lock);
	free(spare);
	free(add);
	return err;
}

void vfs_posix_release(struct inode *inode, const void *owner)
{
	struct lock_range *r, *n;
	struct inode_locks *il;
	bool changed = false;

	if (!__atomic_load_n(&nlocked, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&locks_lock);
	il = find_locked(inode, false);
	if (il) {
		list_for_each_entry_safe(r, n, &il->ranges, node) {
			if (r->owner != owner)
				continue;
			list_del(&r->node);
			free(r);
			changed = true;
		}
		if (changed)
			pthread_cond_broadcast(&il->cond);
		maybe_free_locked(il);
	}
	pthread_mutex_unlock(&locks_lock);
}
