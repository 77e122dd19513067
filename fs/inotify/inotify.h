/*
 * inotify instances: an anonymous file ("anon_inode:[inotify]") whose watches are
 * fsnotify marks (fs/vfs/fsnotify.h) and whose read(2) returns the queued struct
 * inotify_event records. One watch per inode per instance: adding a watch for an inode
 * already watched gives back the same watch descriptor.
 *
 * The syscalls (sentry/syscalls/sys_inotify.c) walk the path and check permission; this
 * module owns the watches, the event queue and the file type.
 */
#ifndef FS_INOTIFY_INOTIFY_H
#define FS_INOTIFY_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct path;

#define INOTIFY_MAX_QUEUED 16384 /* /proc/sys/fs/inotify/max_queued_events */
#define INOTIFY_MAX_WATCHES 65536 /* per instance (Linux counts per user) */

/* A new instance: flags is O_NONBLOCK (and O_RDONLY). +1 file. 0 or -ENOMEM. */
int inotify_new(unsigned flags, uint32_t uid, uint32_t gid, struct file **out);

/* Whether f is an inotify instance. */
bool inotify_is(const struct file *f);

/*
 * Watches p's inode for mask's events (IN_* events, IN_ONESHOT, IN_EXCL_UNLINK,
 * IN_MASK_ADD, IN_MASK_CREATE; the caller resolved IN_ONLYDIR/IN_DONT_FOLLOW). The watch
 * descriptor, or -EEXIST (IN_MASK_CREATE on a watched inode), -ENOSPC, -ENOMEM.
 * Preconditions: inotify_is(f).
 */
int inotify_add(struct file *f, const struct path *p, uint32_t mask);

/* Removes watch wd (IN_IGNORED is queued): 0 or -EINVAL. Preconditions: inotify_is(f). */
int inotify_rm(struct file *f, int wd);

#endif
