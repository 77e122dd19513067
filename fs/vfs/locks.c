/*
 * File locks: POSIX record locks (fcntl F_SETLK, owned by a process's fd table), OFD
 * record locks (F_OFD_SETLK, owned by an open file description) and flock(2) locks (also
 * owned by an open file description). Record locks of both kinds live in one list per
 * inode and conflict with each other; flock locks live in a list of their own and never
 * meet record locks, as on Linux.
 *
 * Locked files are found through a small hash table keyed by (superblock, inode number)
 * rather than by struct inode, so that two inode objects a filesystem made for one file
 * (goferfs has no inode cache: hard links, a re-lookup) share their locks; each entry
 * holds its lists and a condition variable for blocked requests. A global count of locked inodes lets the close path skip all of it
 * when nobody locks anything, the common case.
 *
 * Deadlock detection (POSIX locks only, as Linux: an OFD or flock owner is no process
 * that could be waiting elsewhere): every blocked POSIX request is on a global list with
 * the owner of the lock that blocks it; a new request that would block walks that
 * wait-for chain and fails with -EDEADLK if it leads back to its own owner.
 *
 * Lock order: locks_lock is a leaf (taken under nothing else of the VFS, never held
 * while calling out except into the sleeper, which drops it while asleep).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>

#include "common/list.h"
#include "fs/vfs/vfs.h"

#define LOCK_BUCKETS 64
#define MAX_DEADLK_STEPS 10 /* Linux's MAX_DEADLK_ITERATIONS */

struct lock_range {
	struct list_head node;
	const void *owner;
	short type;
	bool ofd;
	int64_t start, end;
	int pid;
};

struct inode_locks {
	struct inode_locks *next;
	const struct super_block *sb;
	uint64_t ino;
	struct list_head ranges; /* POSIX and OFD record locks */
	struct list_head flocks; /* flock(2) locks: start/end unused */
	pthread_cond_t cond;
	int waiters;
};

/* A blocked POSIX request: owner waits for a lock held by blocker. */
struct lock_waiter {
	struct list_head node;
	const void *owner, *blocker;
};

static pthread_mutex_t locks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inode_locks *buckets[LOCK_BUCKETS];
static struct list_head posix_waiters = LIST_HEAD_INIT(posix_waiters);
static long nlocked;

static int sleep_forever(void *arg, pthread_mutex_t *mu, pthread_cond_t *cv)
{
	(void)arg;
	pthread_cond_wait(cv, mu);
	return 0;
}

const struct vfs_lock_sleeper vfs_lock_sleep_forever = { .block = sleep_forever };

static struct inode_locks **bucket_of(const struct super_block *sb, uint64_t ino)
{
	return &buckets[(((uintptr_t)sb >> 6) ^ ino) % LOCK_BUCKETS];
}

static struct inode_locks *find_locked(const struct inode *inode, bool create)
{
	/* an inode without a number (none so far) is only itself */
	const struct super_block *sb = inode->ino ? inode->sb : NULL;
	uint64_t ino = inode->ino ? inode->ino : (uintptr_t)inode;
	struct inode_locks **b = bucket_of(sb, ino), *il;

	for (il = *b; il; il = il->next) {
		if (il->sb == sb && il->ino == ino)
			return il;
	}
	if (!create)
		return NULL;
	il = calloc(1, sizeof(*il));
	if (!il)
		return NULL;
	il->sb = sb;
	il->ino = ino;
	list_init(&il->ranges);
	list_init(&il->flocks);
	pthread_cond_init(&il->cond, NULL);
	il->next = *b;
	*b = il;
	__atomic_add_fetch(&nlocked, 1, __ATOMIC_RELAXED);
	return il;
}

/* Frees il once it holds no lock and nobody waits on it. */
static void maybe_free_locked(struct inode_locks *il)
{
	struct inode_locks **pp = bucket_of(il->sb, il->ino);

	if (!list_empty(&il->ranges) || !list_empty(&il->flocks) || il->waiters)
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

static struct lock_range *range_new(const void *owner, const struct vfs_flock *fl)
{
	struct lock_range *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->owner = owner;
	r->type = fl->type;
	r->ofd = fl->ofd;
	r->start = fl->start;
	r->end = fl->end;
	r->pid = fl->ofd ? -1 : fl->pid;
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

/* Absorbs owner's ranges of add's type that touch add (after carve: only neighbours),
 * so F_GETLK reports one range as Linux does. */
static void merge(struct inode_locks *il, struct lock_range *add)
{
	struct lock_range *r, *n;

	list_for_each_entry_safe(r, n, &il->ranges, node) {
		if (r == add || r->owner != add->owner || r->type != add->type)
			continue;
		if ((r->end != INT64_MAX && r->end + 1 == add->start) ||
		    (add->end != INT64_MAX && add->end + 1 == r->start)) {
			add->start = MIN(add->start, r->start);
			add->end = MAX(add->end, r->end);
			list_del(&r->node);
			free(r);
		}
	}
}

/* Whether owner waiting on a lock of blocker closes a cycle of blocked POSIX owners. */
static bool posix_deadlock(const void *owner, const void *blocker)
{
	for (int step = 0; step < MAX_DEADLK_STEPS; step++) {
		struct lock_waiter *w, *found = NULL;

		list_for_each_entry(w, &posix_waiters, node) {
			if (w->owner == blocker) {
				found = w;
				break;
			}
		}
		if (!found)
			return false;
		blocker = found->blocker;
		if (blocker == owner)
			return true;
	}
	return false;
}

/*
 * Sleeps on il for a blocked request (owner recorded as waiting for blocker when it is
 * a POSIX request). Under locks_lock. 0 when woken, -EINTR.
 */
static int wait_on(struct inode_locks *il, const struct vfs_lock_sleeper *s, const void *owner,
		   const void *blocker)
{
	struct lock_waiter w = { .owner = owner, .blocker = blocker };
	int err;

	if (blocker)
		list_add_tail(&w.node, &posix_waiters);
	il->waiters++;
	err = s->block(s->arg, &locks_lock, &il->cond);
	il->waiters--;
	if (blocker)
		list_del(&w.node);
	return err;
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

int vfs_posix_setlk(struct inode *inode, const void *owner, const struct vfs_flock *fl,
		    const struct vfs_lock_sleeper *wait)
{
	struct lock_range *add = NULL, *spare, *conflict;
	struct inode_locks *il;
	int err = 0;

	if (fl->type != F_RDLCK && fl->type != F_WRLCK && fl->type != F_UNLCK)
		return -EINVAL;
	if (fl->start < 0 || fl->end < fl->start)
		return -EINVAL;
	spare = range_new(owner, fl);
	if (fl->type != F_UNLCK)
		add = range_new(owner, fl);
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
	while (add && (conflict = find_conflict(il, owner, fl))) {
		if (!wait) {
			err = -EAGAIN;
			goto out_maybe_free;
		}
		if (!fl->ofd && !conflict->ofd && posix_deadlock(owner, conflict->owner)) {
			err = -EDEADLK;
			goto out_maybe_free;
		}
		err = wait_on(il, wait, owner, fl->ofd ? NULL : conflict->owner);
		if (err < 0)
			goto out_maybe_free;
	}
	carve(il, owner, fl->start, fl->end, &spare);
	if (add) {
		list_add_tail(&add->node, &il->ranges);
		merge(il, add);
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

/* Drops owner's record locks on il (any kind); true if one went. Under locks_lock. */
static bool drop_ranges(struct inode_locks *il, const void *owner)
{
	struct lock_range *r, *n;
	bool changed = false;

	list_for_each_entry_safe(r, n, &il->ranges, node) {
		if (r->owner != owner)
			continue;
		list_del(&r->node);
		free(r);
		changed = true;
	}
	return changed;
}

/* owner's flock lock on il, or NULL. Under locks_lock. */
static struct lock_range *find_flock(struct inode_locks *il, const void *owner)
{
	struct lock_range *r;

	list_for_each_entry(r, &il->flocks, node) {
		if (r->owner == owner)
			return r;
	}
	return NULL;
}

static bool flock_conflict(struct inode_locks *il, const void *owner, short type)
{
	struct lock_range *r;

	list_for_each_entry(r, &il->flocks, node) {
		if (r->owner != owner && (r->type == F_WRLCK || type == F_WRLCK))
			return true;
	}
	return false;
}

void vfs_posix_release(struct inode *inode, const void *owner)
{
	struct inode_locks *il;

	if (!__atomic_load_n(&nlocked, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&locks_lock);
	il = find_locked(inode, false);
	if (il) {
		if (drop_ranges(il, owner))
			pthread_cond_broadcast(&il->cond);
		maybe_free_locked(il);
	}
	pthread_mutex_unlock(&locks_lock);
}

int vfs_flock(struct file *f, int op, const struct vfs_lock_sleeper *wait)
{
	struct lock_range *old, *add = NULL;
	struct inode_locks *il;
	short type;
	int err = 0;

	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (op & LOCK_NB)
		wait = NULL;
	if (type != F_UNLCK) {
		add = calloc(1, sizeof(*add));
		if (!add)
			return -ENOLCK;
		add->owner = f;
		add->type = type;
		add->pid = -1;
	}
	pthread_mutex_lock(&locks_lock);
	il = find_locked(f->inode, type != F_UNLCK);
	if (!il) {
		err = type == F_UNLCK ? 0 : -ENOLCK;
		goto out_unlock;
	}
	/* Like Linux, a conversion first drops the old lock: it is not atomic, and a
	 * failed LOCK_NB conversion leaves the file unlocked. */
	old = find_flock(il, f);
	if (old && old->type == type)
		goto out_maybe_free;
	if (old) {
		list_del(&old->node);
		free(old);
		pthread_cond_broadcast(&il->cond);
	}
	while (add && flock_conflict(il, f, type)) {
		if (!wait) {
			err = -EWOULDBLOCK;
			goto out_maybe_free;
		}
		err = wait_on(il, wait, f, NULL);
		if (err < 0)
			goto out_maybe_free;
	}
	if (add) {
		list_add_tail(&add->node, &il->flocks);
		add = NULL;
	}
out_maybe_free:
	maybe_free_locked(il);
out_unlock:
	pthread_mutex_unlock(&locks_lock);
	free(add);
	return err;
}

void vfs_locks_file_release(struct file *f)
{
	struct lock_range *r;
	struct inode_locks *il;
	bool changed;

	if (!__atomic_load_n(&nlocked, __ATOMIC_RELAXED) || !f->inode)
		return;
	pthread_mutex_lock(&locks_lock);
	il = find_locked(f->inode, false);
	if (il) {
		changed = drop_ranges(il, f);
		r = find_flock(il, f);
		if (r) {
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
