/*
 * File locks: flock(2) and fcntl's record-lock commands (F_GETLK/F_SETLK/F_SETLKW on
 * POSIX locks owned by the fd table, F_OFD_* on locks owned by the open file). Blocking
 * requests sleep in task_block, so a signal ends them with -ERESTARTSYS (restarted under
 * SA_RESTART, -EINTR otherwise), as on Linux.
 */
#include <errno.h>
#include <sys/file.h>

#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

/* struct flock of x86-64 (the same for the *64 commands). */
struct linux_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
};
_Static_assert(sizeof(struct linux_flock) == 32, "struct flock is 32 bytes on x86-64");

static int lock_block(void *arg, pthread_mutex_t *mu, pthread_cond_t *cv)
{
	return task_block(arg, mu, cv, NULL);
}

static void sleeper_of(struct task *t, struct vfs_lock_sleeper *s)
{
	s->block = lock_block;
	s->arg = t;
}

static long restart_code(long err)
{
	return err == -EINTR ? -ERESTARTSYS : err;
}

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

long sys_fcntl_lock(struct task *t, struct file *f, int cmd, uaddr_t arg)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	const void *owner = ofd ? (const void *)f : (const void *)t->fdt;
	struct vfs_lock_sleeper s;
	struct linux_flock lf;
	struct vfs_flock fl = { 0 };
	long ret;

	if (f->flags & O_PATH)
		return -EBADF;
	ret = task_copy_in(t, arg, &lf, sizeof(lf));
	if (ret < 0)
		return ret;
	/* OFD locks belong to no process: the caller must say so with l_pid 0 */
	if (ofd && lf.l_pid != 0)
		return -EINVAL;
	ret = flock_range(f, &lf, &fl);
	if (ret < 0)
		return ret;
	fl.ofd = ofd;
	fl.pid = ofd ? -1 : t->tg->tgid;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		ret = vfs_posix_getlk(f->inode, owner, &fl);
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
	sleeper_of(t, &s);
	ret = vfs_posix_setlk(f->inode, owner, &fl,
			      (cmd == F_SETLKW || cmd == F_OFD_SETLKW) ? &s : NULL);
	return restart_code(ret);
}

/* flock(2): any descriptor but O_PATH ones, whatever its access mode. */
long sys_flock(struct task *t, const struct sysargs *a)
{
	unsigned op = sysarg_uint(a, 1);
	struct vfs_lock_sleeper s;
	struct file *f;
	long ret;

	/* Linux ignores the never-working LOCK_MAND, and checks the op before the fd */
	if (op & LOCK_MAND)
		return 0;
	op &= ~(unsigned)LOCK_NB;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	f = fdt_get(t->fdt, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	sleeper_of(t, &s);
	if (f->flags & O_PATH)
		ret = -EBADF;
	else
		ret = restart_code(vfs_flock(f, sysarg_int(a, 1), &s));
	file_put(f);
	return ret;
}
