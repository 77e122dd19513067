/*
 * fsnotify (see fsnotify.h): the marks by inode, and the hooks the VFS calls. The marks
 * live in a small hash by inode address under one lock: watches are few and events are
 * cheap to match, and one lock lets an owner's bookkeeping (inotify's watch table) share
 * it, so a mark is never detached twice.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

#define FSN_BUCKETS 64

static pthread_mutex_t fsn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head fsn_buckets[FSN_BUCKETS];
static bool fsn_ready;
static unsigned long fsn_nmarks; /* read without the lock: the hooks' fast path */
static uint32_t fsn_next_cookie;

static struct list_head *bucket_of(const struct inode *inode)
{
	uintptr_t h = (uintptr_t)inode;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return &fsn_buckets[(h >> 32) % FSN_BUCKETS];
}

static bool fsn_active(void)
{
	return __atomic_load_n(&fsn_nmarks, __ATOMIC_ACQUIRE) != 0;
}

void fsnotify_lock(void)
{
	pthread_mutex_lock(&fsn_lock);
	if (!fsn_ready) {
		for (int i = 0; i < FSN_BUCKETS; i++)
			list_init(&fsn_buckets[i]);
		fsn_ready = true;
	}
}

void fsnotify_unlock(void)
{
	pthread_mutex_unlock(&fsn_lock);
}

void fsnotify_mark_attach_locked(struct fsnotify_mark *m, struct inode *inode)
{
	m->inode = inode;
	m->attached = true;
	list_add_tail(&m->node, bucket_of(inode));
	__atomic_add_fetch(&fsn_nmarks, 1, __ATOMIC_RELEASE);
}

void fsnotify_mark_detach_locked(struct fsnotify_mark *m)
{
	if (!m->attached)
		return;
	list_del(&m->node);
	m->attached = false;
	__atomic_sub_fetch(&fsn_nmarks, 1, __ATOMIC_RELEASE);
}

uint32_t fsnotify_cookie(void)
{
	uint32_t c;

	/* 0 means "no cookie" */
	do
		c = __atomic_add_fetch(&fsn_next_cookie, 1, __ATOMIC_RELAXED);
	while (c == 0);
	return c;
}

/* Detaches m at fsnotify's initiative; its release runs from dead after the unlock. */
static void detach_dead_locked(struct fsnotify_mark *m, struct list_head *dead)
{
	fsnotify_mark_detach_locked(m);
	m->ops->detached(m);
	list_add_tail(&m->dead, dead);
}

/*
 * Delivers an event to the marks on inode that want it. name != NULL: inode is the
 * parent directory of the subject, named name; child_gone: the subject has no name any
 * more (IN_EXCL_UNLINK marks do not hear about it).
 */
static void deliver_locked(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name,
			   bool child_gone, struct list_head *dead)
{
	struct fsnotify_mark *m, *tmp;

	if (!inode)
		return;
	list_for_each_entry_safe(m, tmp, bucket_of(inode), node) {
		if (m->inode != inode || !(m->mask & mask & IN_ALL_EVENTS))
			continue;
		if (child_gone && (m->mask & IN_EXCL_UNLINK))
			continue;
		if (m->ops->event(m, mask, cookie, name))
			detach_dead_locked(m, dead);
	}
}

/* IN_DELETE_SELF to inode's marks (without IN_ISDIR, as inotify reports it), then every
 * mark on it goes (IN_IGNORED). */
static void inode_gone_locked(struct inode *inode, struct list_head *dead)
{
	struct fsnotify_mark *m, *tmp;

	deliver_locked(inode, IN_DELETE_SELF, 0, NULL, false, dead);
	list_for_each_entry_safe(m, tmp, bucket_of(inode), node) {
		if (m->inode == inode)
			detach_dead_locked(m, dead);
	}
}

static void release_dead(struct list_head *dead)
{
	struct fsnotify_mark *m, *tmp;

	list_for_each_entry_safe(m, tmp, dead, dead) {
		list_del(&m->dead);
		m->ops->release(m);
	}
}

static uint32_t isdir(const struct inode *inode)
{
	return inode && S_ISDIR(inode->mode) ? IN_ISDIR : 0;
}

static bool no_names_left(struct inode *inode)
{
	uint64_t nlink;

	/* a directory has one name: removed, it is gone */
	if (S_ISDIR(inode->mode))
		return true;
	pthread_mutex_lock(&inode->lock);
	nlink = inode->nlink;
	pthread_mutex_unlock(&inode->lock);
	return nlink == 0;
}

void fsnotify_create(struct dentry *parent, const char *name, struct inode *inode, bool link)
{
	struct list_head dead = LIST_HEAD_INIT(dead);

	if (!fsn_active())
		return;
	fsnotify_lock();
	if (link)
		deliver_locked(inode, IN_ATTRIB, 0, NULL, false, &dead);
	deliver_locked(parent->inode, IN_CREATE | isdir(inode), 0, name, false, &dead);
	fsnotify_unlock();
	release_dead(&dead);
}

void fsnotify_unlink(struct dentry *parent, const char *name, struct inode *victim)
{
	bool gone;
	struct list_head dead = LIST_HEAD_INIT(dead);

	if (!fsn_active())
		return;
	gone = no_names_left(victim);
	fsnotify_lock();
	if (!S_ISDIR(victim->mode))
		deliver_locked(victim, IN_ATTRIB, 0, NULL, false, &dead);
	if (gone)
		inode_gone_locked(victim, &dead);
	deliver_locked(parent->inode, IN_DELETE | isdir(victim), 0, name, false, &dead);
	fsnotify_unlock();
	release_dead(&dead);
}

void fsnotify_rename(struct dentry *odir, const char *oname, struct dentry *ndir, const char *nname,
		     struct inode *moved, struct inode *target)
{
	uint32_t cookie, dir = isdir(moved);
	bool target_gone;
	struct list_head dead = LIST_HEAD_INIT(dead);

	if (!fsn_active())
		return;
	cookie = fsnotify_cookie();
	target_gone = target && no_names_left(target);
	fsnotify_lock();
	deliver_locked(odir->inode, IN_MOVED_FROM | dir, cookie, oname, false, &dead);
	deliver_locked(ndir->inode, IN_MOVED_TO | dir, cookie, nname, false, &dead);
	if (target) {
		if (!S_ISDIR(target->mode))
			deliver_locked(target, IN_ATTRIB, 0, NULL, false, &dead);
		if (target_gone)
			inode_gone_locked(target, &dead);
	}
	deliver_locked(moved, IN_MOVE_SELF, 0, NULL, false, &dead); /* no IN_ISDIR either */
	fsnotify_unlock();
	release_dead(&dead);
}

void fsnotify_inode(struct inode *inode, uint32_t mask)
{
	struct list_head dead = LIST_HEAD_INIT(dead);

	if (!fsn_active())
		return;
	fsnotify_lock();
	deliver_locked(inode, mask | isdir(inode), 0, NULL, false, &dead);
	fsnotify_unlock();
	release_dead(&dead);
}

void fsnotify_file(struct file *f, uint32_t mask)
{
	struct dentry *d = f->path.dentry;
	struct inode *parent = NULL;
	bool gone = false;
	char *name = NULL;
	struct list_head dead = LIST_HEAD_INIT(dead);

	if (!fsn_active() || (f->flags & O_PATH))
		return;
	mask |= isdir(f->inode);
	/* the parent and the name as they are now: vfs_mount_lock keeps renames out */
	pthread_rwlock_rdlock(&vfs_mount_lock);
	if (d && d->parent != d && d->parent->inode) {
		parent = d->parent->inode;
		gone = d_flags(d) & DENTRY_UNHASHED;
		name = strdup(d->name);
	}
	fsnotify_lock();
	deliver_locked(f->inode, mask, 0, NULL, false, &dead);
	if (name)
		deliver_locked(parent, mask, 0, name, gone, &dead);
	fsnotify_unlock();
	pthread_rwlock_unlock(&vfs_mount_lock);
	free(name);
	release_dead(&dead);
}

void fsnotify_close(struct file *f)
{
	if (!fsn_active())
		return;
	fsnotify_file(f, (f->flags & O_ACCMODE) != O_RDONLY ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}
