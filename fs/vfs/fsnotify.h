/*
 * fsnotify: the VFS's filesystem-event hooks and the marks that listen to them (inotify,
 * fs/inotify). The VFS calls a hook after each operation that changes or opens a file,
 * with no VFS lock held; a hook delivers the event (inotify's IN_* bits) to the marks on
 * the inodes involved: the file itself and, for events on a named child, its parent
 * directory (with the child's name). Events come only from operations made through the
 * sentry's VFS: tmpfs, overlay and goferfs alike, but a change the host makes to a
 * gofer-served file outside the sandbox is not seen.
 *
 * While no mark exists anywhere a hook costs one atomic load.
 *
 * Lock order: fsnotify_lock (every mark list, and the bookkeeping of the marks' owners)
 * -> an owner's queue lock -> waitq locks. Hooks take vfs_mount_lock (read) only before
 * fsnotify_lock, to read a dentry's name and parent.
 */
#ifndef FS_VFS_FSNOTIFY_H
#define FS_VFS_FSNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>

#include "common/list.h"

struct dentry;
struct file;
struct inode;
struct fsnotify_mark;

struct fsnotify_mark_ops {
	/*
	 * One event for m: mask is the IN_* event (with IN_ISDIR when the subject is a
	 * directory), name the child's name for an event a directory hears about one of
	 * its entries (else NULL). Under fsnotify_lock: it may only queue the event. Returns
	 * true to have the mark detached now (IN_ONESHOT).
	 */
	bool (*event)(struct fsnotify_mark *m, uint32_t mask, uint32_t cookie, const char *name);
	/* fsnotify detached m (its inode was deleted, or event asked): the owner forgets it
	 * (inotify queues IN_IGNORED). Under fsnotify_lock. */
	void (*detached)(struct fsnotify_mark *m);
	/* After detached, with no lock held: the owner frees m. */
	void (*release)(struct fsnotify_mark *m);
};

struct fsnotify_mark {
	struct list_head node; /* on its inode's list, under fsnotify_lock */
	struct list_head dead; /* on a hook's release list once detached */
	struct inode *inode; /* the key; the owner keeps the inode alive */
	uint32_t mask; /* the IN_* events wanted, plus IN_EXCL_UNLINK; under fsnotify_lock */
	const struct fsnotify_mark_ops *ops;
	bool attached;
};

void fsnotify_lock(void);
void fsnotify_unlock(void);
/* Starts delivering inode's events to m. Under fsnotify_lock. */
void fsnotify_mark_attach_locked(struct fsnotify_mark *m, struct inode *inode);
/* Stops it (no callbacks run). Under fsnotify_lock. */
void fsnotify_mark_detach_locked(struct fsnotify_mark *m);
/* A cookie tying an IN_MOVED_FROM to its IN_MOVED_TO. */
uint32_t fsnotify_cookie(void);

/* ---- the hooks, called by the VFS with no VFS lock held ---- */
/* name was created in parent (create, mkdir, mknod, symlink); link: a new name of an
 * existing inode (which also hears IN_ATTRIB, its link count changed). */
void fsnotify_create(struct dentry *parent, const char *name, struct inode *inode, bool link);
/* name (inode victim) went from parent: victim hears IN_ATTRIB (unless a directory),
 * then IN_DELETE_SELF when it has no name left; parent hears IN_DELETE. */
void fsnotify_unlink(struct dentry *parent, const char *name, struct inode *victim);
/* oname in odir became nname in ndir (moved is the inode; target the inode nname named
 * before, replaced, or NULL). */
void fsnotify_rename(struct dentry *odir, const char *oname, struct dentry *ndir, const char *nname,
		     struct inode *moved, struct inode *target);
/* An event on an open file (IN_OPEN, IN_ACCESS, IN_MODIFY, IN_CLOSE_*), heard by its
 * inode and by its parent directory. */
void fsnotify_file(struct file *f, uint32_t mask);
/* An event on an inode reached without a name (IN_ATTRIB, IN_MODIFY by truncate). */
void fsnotify_inode(struct inode *inode, uint32_t mask);
/* The last open reference of f went: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE. */
void fsnotify_close(struct file *f);

#endif
