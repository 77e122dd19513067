/* Helpers shared by the file syscalls (see sys_fsutil.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>

#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"

void sys_fs_cred(struct task *t, struct vfs_cred *c)
{
	memset(c, 0, sizeof(*c));
	task_vfs_cred(t, c);
	c->cap_sys_admin = t->cred->cap_effective & (1ULL << 21); /* CAP_SYS_ADMIN */
}

int sys_nofile(struct task *t)
{
	uint64_t cur = t->tg->rlimits[RLIMIT_NOFILE].rlim_cur;

	return cur > INT32_MAX ? INT32_MAX : (int)cur;
}

int sys_at_start(struct task *t, int dirfd, const char *name, struct file **held,
		 const struct path **start)
{
	struct file *f;

	*held = NULL;
	*start = NULL;
	if (name[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	f = fdt_get(t->fdt, dirfd);
	if (!f)
		return -EBADF;
	*held = f;
	if (!f->path.dentry) {
		/* an anonymous file (pipe, host stdio) is nobody's directory */
		return name[0] ? -ENOTDIR : 0;
	}
	if (name[0] && !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	*start = &f->path;
	return 0;
}

long sys_at_begin(struct task *t, int dirfd, uaddr_t upath, bool empty_ok, struct sys_at *at)
{
	long err;

	at->name = NULL;
	at->held = NULL;
	at->start = NULL;
	sys_fs_cred(t, &at->cred);
	err = task_path_in(t, upath, &at->name);
	if (err < 0)
		return err;
	if (!at->name[0] && !empty_ok)
		return -ENOENT;
	return sys_at_start(t, dirfd, at->name, &at->held, &at->start);
}

void sys_at_end(struct sys_at *at)
{
	free(at->name);
	at->name = NULL;
	if (at->held)
		file_put(at->held);
	at->held = NULL;
}

int sys_put_stat(struct task *t, uaddr_t addr, const struct kstat *st)
{
	struct linux_stat ls;

	memset(&ls, 0, sizeof(ls));
	ls.st_dev = st->dev;
	ls.st_ino = st->ino;
	ls.st_nlink = st->nlink;
	ls.st_mode = st->mode;
	ls.st_uid = st->uid;
	ls.st_gid = st->gid;
	ls.st_rdev = st->rdev;
	ls.st_size = st->size;
	ls.st_blksize = st->blksize ? st->blksize : 4096;
	ls.st_blocks = st->blocks;
	ls.st_atim.tv_sec = st->atime.tv_sec;
	ls.st_atim.tv_nsec = st->atime.tv_nsec;
	ls.st_mtim.tv_sec = st->mtime.tv_sec;
	ls.st_mtim.tv_nsec = st->mtime.tv_nsec;
	ls.st_ctim.tv_sec = st->ctime.tv_sec;
	ls.st_ctim.tv_nsec = st->ctime.tv_nsec;
	return task_copy_out(t, addr, &ls, sizeof(ls));
}

static void statx_ts(struct linux_statx_timestamp *d, const struct timespec *s)
{
	d->tv_sec = s->tv_sec;
	d->tv_nsec = (uint32_t)s->tv_nsec;
}

int sys_put_statx(struct task *t, uaddr_t addr, const struct kstat *st, unsigned mask)
{
	struct linux_statx sx;

	memset(&sx, 0, sizeof(sx));
	/* everything basic is always filled, whatever was asked (as Linux may) */
	sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	if (st->btime.tv_sec || st->btime.tv_nsec) {
		sx.stx_mask |= STATX_BTIME;
		statx_ts(&sx.stx_btime, &st->btime);
	}
	sx.stx_blksize = st->blksize ? st->blksize : 4096;
	sx.stx_nlink = (uint32_t)st->nlink;
	sx.stx_uid = st->uid;
	sx.stx_gid = st->gid;
	sx.stx_mode = (uint16_t)st->mode;
	sx.stx_ino = st->ino;
	sx.stx_size = (uint64_t)st->size;
	sx.stx_blocks = (uint64_t)st->blocks;
	statx_ts(&sx.stx_atime, &st->atime);
	statx_ts(&sx.stx_ctime, &st->ctime);
	statx_ts(&sx.stx_mtime, &st->mtime);
	sx.stx_rdev_major = major(st->rdev);
	sx.stx_rdev_minor = minor(st->rdev);
	sx.stx_dev_major = major(st->dev);
	sx.stx_dev_minor = minor(st->dev);
	sx.stx_mnt_id = st->mnt_id;
	return task_copy_out(t, addr, &sx, sizeof(sx));
}
