/*
 * Opening and managing descriptors: open/openat/creat, close, dup/dup2/dup3, fcntl and
 * ioctl's generic commands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_memfd.h"
#include "sentry/syscalls/sys_pipe.h"
#include "sentry/syscalls/syscalls.h"

/* openat with openat2's LOOKUP_* restrictions (0 for the classic calls). */
static long do_openat(struct task *t, int dirfd, uaddr_t upath, int flags, uint32_t mode,
		      unsigned lookup)
{
	struct sys_at at;
	struct file *f;
	long ret;

	ret = sys_at_begin(t, dirfd, upath, false, &at);
	if (ret < 0)
		goto out_end;
	if ((lookup & (LOOKUP_BENEATH | LOOKUP_IN_ROOT)) && at.name[0] == '/' &&
	    dirfd != AT_FDCWD) {
		/* a scoped walk starts at the dirfd even for "/...": check it as a dir */
		ret = sys_at_start(t, dirfd, ".", &at.held, &at.start);
		if (ret < 0)
			goto out_end;
	}
	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		mode = 0;
	ret = vfs_openat2(t->fs, at.start, at.name, flags, mode & 07777, lookup, &at.cred, &f);
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
	return do_openat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_int(a, 1), sysarg_uint(a, 2), 0);
}

/* openat(2) */
long sys_openat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
			 sysarg_uint(a, 3), 0);
}

/* creat(2) is open(O_CREAT|O_WRONLY|O_TRUNC). */
long sys_creat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, AT_FDCWD, sysarg_addr(a, 0), O_CREAT | O_WRONLY | O_TRUNC,
			 sysarg_uint(a, 1), 0);
}

/* struct open_how of openat2(2); later versions only append fields. */
struct linux_open_how {
	uint64_t flags, mode, resolve;
};
#define OPEN_HOW_SIZE_VER0 24
#define OPEN_HOW_SIZE_MAX 4096 /* Linux refuses structs larger than a page */

#define RESOLVE_NO_XDEV_ 0x01
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_BENEATH_ 0x08
#define RESOLVE_IN_ROOT_ 0x10
#define RESOLVE_CACHED_ 0x20

/* Every flag open(2) knows; openat2 refuses the rest instead of ignoring them. */
#define OPEN_VALID_FLAGS                                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC | \
	 O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |  \
	 O_CLOEXEC | O_PATH | O_TMPFILE)
#define OPEN_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define O_TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY) /* O_TMPFILE includes O_DIRECTORY */

/* Copies a size-versioned struct: a larger guest struct must be zero past ours (E2BIG). */
static long copy_struct_in(struct task *t, uaddr_t src, size_t usize, void *dst, size_t ksize)
{
	uint8_t tail[256];
	size_t off;
	long ret;

	memset(dst, 0, ksize);
	ret = task_copy_in(t, src, dst, MIN(usize, ksize));
	if (ret < 0)
		return ret;
	for (off = ksize; off < usize; off += sizeof(tail)) {
		size_t n = MIN(sizeof(tail), usize - off);

		ret = task_copy_in(t, src + off, tail, n);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < n; i++) {
			if (tail[i])
				return -E2BIG;
		}
	}
	return 0;
}

/* build_open_flags() for openat2: the errno Linux gives each bad combination. */
static long open_how_check(const struct linux_open_how *how, unsigned *lookup)
{
	uint64_t flags = how->flags;
	int acc = (int)(flags & O_ACCMODE);

	if (flags & ~(uint64_t)OPEN_VALID_FLAGS)
		return -EINVAL;
	if (how->resolve &
	    ~(uint64_t)(RESOLVE_NO_XDEV_ | RESOLVE_NO_MAGICLINKS_ | RESOLVE_NO_SYMLINKS_ |
			RESOLVE_BENEATH_ | RESOLVE_IN_ROOT_ | RESOLVE_CACHED_))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH_) && (how->resolve & RESOLVE_IN_ROOT_))
		return -EINVAL;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return -EINVAL;
	if ((flags & O_TMPFILE_BIT) &&
	    (((flags & O_TMPFILE) != O_TMPFILE) || (acc != O_WRONLY && acc != O_RDWR)))
		return -EINVAL;
	if ((flags & O_PATH) && (flags & ~(uint64_t)OPEN_PATH_FLAGS))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED_) && (flags & (O_TRUNC | O_CREAT | O_TMPFILE_BIT)))
		return -EAGAIN;
	*lookup = ((how->resolve & RESOLVE_NO_XDEV_) ? LOOKUP_NO_XDEV : 0) |
		  ((how->resolve & RESOLVE_NO_MAGICLINKS_) ? LOOKUP_NO_MAGICLINKS : 0) |
		  ((how->resolve & RESOLVE_NO_SYMLINKS_) ? LOOKUP_NO_SYMLINKS : 0) |
		  ((how->resolve & RESOLVE_BENEATH_) ? LOOKUP_BENEATH : 0) |
		  ((how->resolve & RESOLVE_IN_ROOT_) ? LOOKUP_IN_ROOT : 0) |
		  ((how->resolve & RESOLVE_CACHED_) ? LOOKUP_CACHED : 0);
	return 0;
}

/* openat2(2): openat with a versioned struct open_how and RESOLVE_* restrictions. */
long sys_openat2(struct task *t, const struct sysargs *a)
{
	size_t usize = sysarg_size(a, 3);
	struct linux_open_how how;
	unsigned lookup;
	long ret;

	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > OPEN_HOW_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_in(t, sysarg_addr(a, 2), usize, &how, sizeof(how));
	if (ret < 0)
		return ret;
	ret = open_how_check(&how, &lookup);
	if (ret < 0)
		return ret;
	return do_openat(t, sysarg_int(a, 0), sysarg_addr(a, 1), (int)how.flags, (uint32_t)how.mode,
			 lookup);
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

/* fcntl(2): descriptor and status flags, F_DUPFD*, POSIX and OFD record locks
 * (sys_lock.c), pipe sizes, memfd seals; the rest (leases...) is -EINVAL. */
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
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = sys_fcntl_lock(t, f, cmd, arg);
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		ret = (f->flags & O_PATH) ? -EBADF : sys_pipe_fcntl(t, f, cmd, arg);
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		ret = (f->flags & O_PATH) ? -EBADF : sys_memfd_fcntl(t, f, cmd, arg);
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
