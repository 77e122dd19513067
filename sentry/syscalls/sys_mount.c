/*
 * The mount namespace syscalls: mount, umount2, pivot_root, chroot, and unshare (whose
 * CLONE_NEWNS copies the caller's mount tree). They decode and check arguments in
 * Linux's order and call down into fs/vfs/mount_ops.c.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define CAP_SYS_CHROOT 18
#define CAP_SYS_ADMIN 21

#define MOUNT_DATA_MAX 4096 /* mount(2) copies one page of options */
#define MS_MGC_MSK_ 0xffff0000u /* the pre-2.4 magic in the top half of flags */
#define MS_MGC_VAL_ 0xc0ed0000u
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

static bool capable(struct task *t, int cap)
{
	return cred_capable(t->cred, cap);
}

/* Resolves a guest path from the cwd (AT_FDCWD) into a +1 path. */
static long walk_user(struct task *t, uaddr_t upath, unsigned lookup, struct path *out)
{
	struct sys_at at;
	long ret;

	ret = sys_at_begin(t, AT_FDCWD, upath, false, &at);
	if (ret == 0)
		ret = vfs_walk(t->fs, at.start, at.name, lookup, &at.cred, out);
	sys_at_end(&at);
	return ret;
}

/* An optional guest string (NULL stays NULL), at most PATH_MAX bytes. */
static long string_in(struct task *t, uaddr_t addr, char **out)
{
	*out = NULL;
	if (!addr)
		return 0;
	return task_path_in(t, addr, out);
}

/* mount(2)'s data: up to a page, cut there if it runs on (as Linux copies a page). */
static long data_in(struct task *t, uaddr_t addr, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (!addr)
		return 0;
	buf = malloc(MOUNT_DATA_MAX);
	if (!buf)
		return -ENOMEM;
	n = task_strncpy_in(t, addr, buf, MOUNT_DATA_MAX);
	if (n == -ENAMETOOLONG) {
		buf[MOUNT_DATA_MAX - 1] = '\0';
		n = 0;
	}
	if (n < 0) {
		free(buf);
		return n;
	}
	*out = buf;
	return 0;
}

/* Walks the source of a bind or a move: an empty or missing name is -EINVAL. */
static long walk_source(struct task *t, uaddr_t usrc, struct path *out)
{
	char *name;
	long ret;

	if (!usrc)
		return -EINVAL;
	ret = string_in(t, usrc, &name);
	if (ret < 0)
		return ret;
	ret = name[0] ? walk_user(t, usrc, LOOKUP_FOLLOW, out) : -EINVAL;
	free(name);
	return ret;
}

/* Dispatches on the flags in path_mount()'s order, the target already walked. */
static long do_mount(struct task *t, const struct path *target, uaddr_t usrc, const char *source,
		     const char *fstype, unsigned long flags, const char *data)
{
	unsigned mflags = vfs_mount_flags(target, flags);
	struct path from;
	long ret;

	if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND))
		return vfs_mount_remount(target, mflags, true);
	if (flags & MS_REMOUNT)
		return vfs_mount_remount(target, mflags, false);
	if (flags & MS_BIND) {
		ret = walk_source(t, usrc, &from);
		if (ret < 0)
			return ret;
		ret = vfs_mount_bind(&from, target, flags & MS_REC);
		path_put(&from);
		return ret;
	}
	if (flags & MS_PROPAGATION) {
		unsigned type = (unsigned)flags & ~(unsigned)(MS_REC | MS_SILENT);

		/* exactly one propagation type, and nothing else */
		if (type & (type - 1))
			return -EINVAL;
		return vfs_mount_set_propagation(target, type, flags & MS_REC);
	}
	if (flags & MS_MOVE) {
		ret = walk_source(t, usrc, &from);
		if (ret < 0)
			return ret;
		ret = vfs_mount_move(&from, target);
		path_put(&from);
		return ret;
	}
	return vfs_mount_fstype(target, fstype, source, flags, mflags, data);
}

/* mount(2): 0 or -errno; needs CAP_SYS_ADMIN. */
long sys_mount(struct task *t, const struct sysargs *a)
{
	uaddr_t usrc = sysarg_addr(a, 0), utarget = sysarg_addr(a, 1);
	uaddr_t utype = sysarg_addr(a, 2), udata = sysarg_addr(a, 4);
	unsigned long flags = sysarg_size(a, 3);
	char *source = NULL, *fstype = NULL, *data = NULL;
	struct path target;
	long ret;

	ret = string_in(t, utype, &fstype);
	if (ret == 0)
		ret = string_in(t, usrc, &source);
	if (ret == 0)
		ret = data_in(t, udata, &data);
	if (ret < 0)
		goto out_free;
	ret = walk_user(t, utarget, LOOKUP_FOLLOW, &target);
	if (ret < 0)
		goto out_free;
	if ((flags & MS_MGC_MSK_) == MS_MGC_VAL_)
		flags &= ~(unsigned long)MS_MGC_MSK_;
	if (flags & MS_NOUSER)
		ret = -EINVAL;
	else if (!capable(t, CAP_SYS_ADMIN))
		ret = -EPERM;
	else
		ret = do_mount(t, &target, usrc, source, fstype, flags, data);
	path_put(&target);
out_free:
	free(source);
	free(fstype);
	free(data);
	return ret;
}

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

/* umount2(2): MNT_DETACH detaches at once; otherwise a busy mount is -EBUSY; MNT_EXPIRE
 * takes two calls with no use in between. MNT_FORCE has nothing to abort in the
 * sandbox's filesystems, so it is a plain unmount. */
long sys_umount2(struct task *t, const struct sysargs *a)
{
	int flags = sysarg_int(a, 1);
	struct path p;
	long ret;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	ret = walk_user(t, sysarg_addr(a, 0), (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (ret < 0)
		return ret;
	ret = vfs_umount(&p, flags & (MNT_DETACH | MNT_EXPIRE));
	path_put_keep_expiry(&p); /* not a use that would cancel MNT_EXPIRE's mark */
	return ret;
}

/* chroot(2): the new root must be a directory the caller may search; CAP_SYS_CHROOT. */
long sys_chroot(struct task *t, const struct sysargs *a)
{
	struct vfs_cred c;
	struct path p, old;
	long ret;

	ret = walk_user(t, sysarg_addr(a, 0), LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (ret < 0)
		return ret;
	sys_fs_cred(t, &c);
	ret = vfs_permission(p.dentry->inode, MAY_EXEC, &c);
	if (ret == 0 && !capable(t, CAP_SYS_CHROOT))
		ret = -EPERM;
	if (ret < 0) {
		path_put(&p);
		return ret;
	}
	pthread_mutex_lock(&t->fs->lock);
	old = t->fs->root;
	t->fs->root = p; /* the walk's reference */
	pthread_mutex_unlock(&t->fs->lock);
	path_put(&old);
	return 0;
}

/* Moves every task's root and cwd that were at from to to (chroot_fs_refs). */
static void repoint_all(const struct path *from, const struct path *to, void *arg)
{
	struct kernel *k = arg;

	pthread_mutex_lock(&k->lock);
	for (int tid = 1; tid < KERNEL_MAX_PID; tid++) {
		struct task *o = k->pid_table[tid];

		if (!o || o->tid != tid)
			continue;
		pthread_mutex_lock(&o->lock);
		if (o->fs)
			vfs_fs_view_repoint(o->fs, from, to);
		pthread_mutex_unlock(&o->lock);
	}
	pthread_mutex_unlock(&k->lock);
}

/* pivot_root(2): new_root's mount becomes the root, the old root goes to put_old. */
long sys_pivot_root(struct task *t, const struct sysargs *a)
{
	struct path new_root, put_old, root;
	long ret;

	if (!capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	ret = walk_user(t, sysarg_addr(a, 0), LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &new_root);
	if (ret < 0)
		return ret;
	ret = walk_user(t, sysarg_addr(a, 1), LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &put_old);
	if (ret < 0)
		goto out_put_new;
	pthread_mutex_lock(&t->fs->lock);
	root = t->fs->root;
	path_get(&root);
	pthread_mutex_unlock(&t->fs->lock);
	ret = vfs_pivot_root(&root, &new_root, &put_old, repoint_all, t->k);
	path_put(&root);
	path_put(&put_old);
out_put_new:
	path_put(&new_root);
	return ret;
}

/* Swaps in a private copy of t's fs view (unshare(CLONE_FS)). */
static long unshare_fs(struct task *t)
{
	struct fs_view *n, *o;

	if (ref_read(&t->fs->ref) == 1)
		return 0;
	n = fs_view_copy(t->fs);
	if (!n)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock); /* procfs takes references on t->fs under it */
	o = t->fs;
	t->fs = n;
	pthread_mutex_unlock(&t->lock);
	fs_view_put(o);
	return 0;
}

#define UNSHARE_SUPPORTED                                                                      \
	(CLONE_NEWNS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_THREAD | CLONE_SIGHAND | \
	 CLONE_VM)

/* unshare(2): CLONE_NEWNS (a copy of the mount tree), CLONE_FS, CLONE_FILES; the
 * thread-sharing flags only for a single-threaded caller, as Linux; CLONE_SYSVSEM has no
 * semaphore undo state to drop. Other namespaces cannot nest in the sandbox: -EINVAL. */
long sys_unshare(struct task *t, const struct sysargs *a)
{
	unsigned long flags = sysarg_size(a, 0);
	int ntasks;
	long ret;

	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	if (flags & ~(unsigned long)UNSHARE_SUPPORTED)
		return -EINVAL;
	if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
		pthread_mutex_lock(&t->tg->lock);
		ntasks = t->tg->ntasks;
		pthread_mutex_unlock(&t->tg->lock);
		if (ntasks > 1)
			return -EINVAL;
		if ((flags & (CLONE_SIGHAND | CLONE_VM)) && ref_read(&t->tg->sighand->ref) > 1)
			return -EINVAL;
	}
	if ((flags & CLONE_NEWNS) && !capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & CLONE_FS) {
		ret = unshare_fs(t);
		if (ret < 0)
			return ret;
	}
	if (flags & CLONE_FILES) {
		ret = task_unshare_files(t);
		if (ret < 0)
			return ret;
	}
	if (flags & CLONE_NEWNS)
		return vfs_mount_ns_copy(t->fs);
	return 0;
}
