/*
 * Opening and managing descriptors: open/openat/creat, close, dup/dup2/dup3, fcntl and
 * ioctl's generic commands.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_pipe.h"
#include "sentry/syscalls/syscalls.h"

static long do_openat(struct task *t, int dirfd, uaddr_t upath, int flags, uint32_t mode)
{
	struct sys_at at;
	struct file *f;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret < 0)
		goto out_end;
	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		mode = 0;
	ret = vfs_openat(t->fs, at.start, at.name, flags, mode & 07777, &at.cred, &f);
	if (ret < 0)
		goto out_end;
	ret = sys_pipe_open_wait(t, f);
	if (ret < 0) {
		file_put(f);
		goto out_end;
	}
	ret = fdt_install(t->fdt, f, 0, flags & O_CLOEXEC, sys_nofile(t));
	file_put(f);
out_end:
	sys_at_end(&at);
	return ret;
}

/* open(2): the new fd, or -errno. */
long sys_open(struct task *t, const struct sysargs *a)
{
	return do_openat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_int(a, 1), sysarg_uint(a, 2));
}

/* openat(2) */
long sys_openat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			 sysarg_uint(a, 3));
}

/* creat(2) is open(O_CREAT|O_WRONLY|O_TRUNC). */
long sys_creat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, AT_FDCWD, sysarg_addr(a, 0), O_CREAT | O_WRONLY | O_TRUNC,
			 sysarg_uint(a, 1));
}

/* close(2) */
long sys_close(struct task *t, const struct sysargs *a)
{
	return fdt_close(t->fdt, sysarg_int(a, 0));
}

/* dup(2) */
long sys_dup(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	ret = fdt_install(t->fdt, f, 0, false, sys_nofile(t));
	file_put(f);
	return ret;
}

static long do_dup3(struct task *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f;
	long ret;

	if (newfd < 0 || newfd >= sys_nofile(t))
		return -EBADF;
	f = fdt_get(t->fdt, oldfd);
	if (!f)
		return -EBADF;
	ret = fdt_install_at(t->fdt, newfd, f, cloexec, sys_nofile(t));
	file_put(f);
	return ret;
}

/* dup2(2): dup2(fd, fd) only checks fd. */
long sys_dup2(struct task *t, const struct sysargs *a)
{
	int oldfd = sysarg_int(a, 0), newfd = sysarg_int(a, 1);

	if (oldfd == newfd) {
		struct file *f = fdt_get(t->fdt, oldfd);

		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, false);
}

/* dup3(2) */
long sys_dup3(struct task *t, const struct sysargs *a)
{
	int oldfd = sysarg_int(a, 0), newfd = sysarg_int(a, 1), flags = sysarg_int(a, 2);

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(t, oldfd, newfd, flags & O_CLOEXEC);
}

/* struct flock of x86-64 (the same for the *64 commands). */
struct linux_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
};
_Static_assert(sizeof(struct linux_flock) == 32, "struct flock is 32 bytes on x86-64");

/* l_whence/l_start/l_len -> an absolute inclusive range, as Linux's flock_to_posix_lock. */
static long flock_range(struct file *f, const struct linux_flock *lf, struct vfs_flock *fl)
{
	int64_t base, start, end;
	struct kstat st;
	long ret;

	switch (lf->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = __atomic_load_n(&f->pos, __ATOMIC_RELAXED);
		break;
	case SEEK_END:
		ret = vfs_fstat(f, &st);
		if (ret < 0)
			return ret;
		base = st.size;
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, lf->l_start, &start))
		return -EOVERFLOW;
	if (lf->l_len > 0) {
		if (__builtin_add_overflow(start, lf->l_len - 1, &end))
			return -EOVERFLOW;
	} else if (lf->l_len < 0) {
		end = start - 1;
		if (__builtin_add_overflow(start, lf->l_len, &start))
			return -EINVAL;
	} else {
		end = INT64_MAX;
	}
	if (start < 0)
		return -EINVAL;
	fl->type = lf->l_type;
	fl->start = start;
	fl->end = end;
	return 0;
}

/* F_GETLK / F_SETLK / F_SETLKW on f; the owner is the caller's fd table. */
static long fcntl_lock(struct task *t, struct file *f, int cmd, uaddr_t arg)
{
	struct linux_flock lf;
	struct vfs_flock fl;
	long ret;

	if (f->flags & O_PATH)
		return -EBADF;
	ret = task_copy_in(t, arg, &lf, sizeof(lf));
	if (ret < 0)
		return ret;
	ret = flock_range(f, &lf, &fl);
	if (ret < 0)
		return ret;
	fl.pid = t->tg->tgid;
	if (cmd == F_GETLK) {
		ret = vfs_posix_getlk(f->inode, t->fdt, &fl);
		if (ret < 0)
			return ret;
		lf.l_type = fl.type;
		if (fl.type != F_UNLCK) {
			lf.l_whence = SEEK_SET;
			lf.l_start = fl.start;
			lf.l_len = fl.end == INT64_MAX ? 0 : fl.end - fl.start + 1;
			lf.l_pid = fl.pid;
		}
		return task_copy_out(t, arg, &lf, sizeof(lf));
	}
	if ((fl.type == F_RDLCK && !file_readable(f)) || (fl.type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return vfs_posix_setlk(f->inode, t->fdt, &fl, cmd == F_SETLKW);
}

/* fcntl(2): descriptor and status flags, F_DUPFD*, POSIX record locks; the rest
 * (OFD locks, leases, pipe sizes, seals...) is -EINVAL. */
long sys_fcntl(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0), cmd = sysarg_int(a, 1);
	uint64_t arg = sysarg_size(a, 2);
	struct file *f = fdt_get(t->fdt, fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (uint64_t)sys_nofile(t))
			ret = -EINVAL;
		else
			ret = fdt_install(t->fdt, f, (int)arg, cmd == F_DUPFD_CLOEXEC,
					  sys_nofile(t));
		break;
	case F_GETFD:
		ret = fdt_get_cloexec(t->fdt, fd);
		if (ret > 0)
			ret = FD_CLOEXEC;
		break;
	case F_SETFD:
		ret = fdt_set_cloexec(t->fdt, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
		break;
	case F_SETFL:
		ret = vfs_setfl(f, (unsigned)arg);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		ret = fcntl_lock(t, f, cmd, arg);
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		ret = (f->flags & O_PATH) ? -EBADF : sys_pipe_fcntl(t, f, cmd, arg);
		break;
	default:
		ret = (f->flags & O_PATH) ? -EBADF : -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

/* ioctl(2): the fd-generic commands here, the rest to the file; -ENOTTY otherwise. */
long sys_ioctl(struct task *t, const struct sysargs *a)
{
	int fd = sysarg_int(a, 0);
	unsigned cmd = sysarg_uint(a, 1);
	uint64_t arg = sysarg_size(a, 2);
	struct file *f = fdt_get(t->fdt, fd);
	struct umem um;
	long ret;
	int on;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		ret = -EBADF;
		goto out_put;
	}
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		ret = fdt_set_cloexec(t->fdt, fd, cmd == FIOCLEX);
		break;
	case FIONBIO:
		ret = task_copy_in(t, arg, &on, sizeof(on));
		if (ret == 0)
			ret = vfs_setfl(f, on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK);
		break;
	default:
		if (!f->ops || !f->ops->ioctl) {
			ret = -ENOTTY;
			break;
		}
		task_umem(t, &um);
		ret = f->ops->ioctl(f, cmd, arg, &um);
		break;
	}
out_put:
	file_put(f);
	return ret;
}
