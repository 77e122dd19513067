/*
 * memfd_create(2) and the seal fcntls: decode, then fs/tmpfs/memfd.c makes the file and
 * keeps the seals (the mm answers whether a writable shared mapping exists).
 */
#include <errno.h>
#include <fcntl.h>

#include "fs/tmpfs/memfd.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_memfd.h"
#include "sentry/syscalls/syscalls.h"

#define MFD_CLOEXEC_ 0x0001u
#define MFD_ALLOW_SEALING_ 0x0002u
#define MFD_HUGETLB_ 0x0004u
#define MFD_NOEXEC_SEAL_ 0x0008u
#define MFD_EXEC_ 0x0010u
#define MFD_ALL_FLAGS_ \
	(MFD_CLOEXEC_ | MFD_ALLOW_SEALING_ | MFD_HUGETLB_ | MFD_NOEXEC_SEAL_ | MFD_EXEC_)
#define MFD_HUGE_BITS_ (0x3fu << 26) /* MFD_HUGE_MASK << MFD_HUGE_SHIFT */

/* memfd_create(2): a new fd, or -EINVAL (flags, a name over 249 bytes), -EFAULT,
 * -ENOSYS for MFD_HUGETLB (no hugetlbfs, as a kernel without CONFIG_HUGETLBFS), -EMFILE,
 * -ENOMEM. */
long sys_memfd_create(struct task *t, const struct sysargs *a)
{
	unsigned flags = sysarg_uint(a, 1);
	char name[MEMFD_NAME_MAX + 1];
	struct vfs_cred cred;
	struct file *f;
	long ret;

	if (flags & ~(MFD_ALL_FLAGS_ | ((flags & MFD_HUGETLB_) ? MFD_HUGE_BITS_ : 0)))
		return -EINVAL;
	if ((flags & MFD_EXEC_) && (flags & MFD_NOEXEC_SEAL_))
		return -EINVAL;
	ret = task_strncpy_in(t, sysarg_addr(a, 0), name, sizeof(name));
	if (ret < 0)
		return ret == -ENAMETOOLONG ? -EINVAL : ret;
	if (flags & MFD_HUGETLB_)
		return -ENOSYS;
	sys_fs_cred(t, &cred);
	ret = memfd_new(name, flags & (MFD_ALLOW_SEALING_ | MFD_NOEXEC_SEAL_),
			flags & MFD_NOEXEC_SEAL_, &cred, &f);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, f, 0, flags & MFD_CLOEXEC_, sys_nofile(t));
	file_put(f);
	return ret;
}

static bool mapped_writable(struct inode *inode)
{
	return mm_file_mapped_writable(inode);
}

long sys_memfd_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	(void)t;
	if (cmd == F_GET_SEALS)
		return memfd_get_seals(f);
	return memfd_add_seals(f, (unsigned)arg, mapped_writable);
}
