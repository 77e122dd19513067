/* Memory syscalls: decode, resolve the fd, call into mm. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

long sys_mmap(struct task *t, const struct sysargs *a)
{
	int flags = sysarg_int(a, 3);
	struct file *f = NULL;
	long ret;

	if (!(flags & MAP_ANONYMOUS)) {
		f = fdt_get(t->fdt, sysarg_int(a, 4));
		if (!f)
			return -EBADF;
	}
	/* RLIMIT_AS; a MAP_FIXED replacement counts in full, which Linux would not. */
	if (t->tg->rlimits[RLIMIT_AS].rlim_cur != RLIM_INFINITY &&
	    mm_vm_size(t->mm) + PAGE_ALIGN_UP(sysarg_size(a, 1)) >
		    t->tg->rlimits[RLIMIT_AS].rlim_cur)
		ret = -ENOMEM;
	else
		ret = mm_mmap(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1), sysarg_int(a, 2), flags,
			      f, sysarg_size(a, 5));
	if (f)
		file_put(f);
	return ret;
}

long sys_munmap(struct task *t, const struct sysargs *a)
{
	return mm_munmap(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1));
}

long sys_mprotect(struct task *t, const struct sysargs *a)
{
	return mm_mprotect(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1), sysarg_int(a, 2));
}

long sys_mremap(struct task *t, const struct sysargs *a)
{
	return mm_mremap(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1), sysarg_size(a, 2),
			 sysarg_int(a, 3), sysarg_addr(a, 4));
}

long sys_brk(struct task *t, const struct sysargs *a)
{
	return (long)mm_brk(t->mm, sysarg_addr(a, 0));
}

long sys_madvise(struct task *t, const struct sysargs *a)
{
	return mm_madvise(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1), sysarg_int(a, 2));
}

/* mincore(2): one byte per page of [addr, addr+len). */
long sys_mincore(struct task *t, const struct sysargs *a)
{
	uint64_t len = sysarg_size(a, 1);
	uint64_t pages = (len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint8_t *vec;
	int err;

	if (len > mm_task_size(t->mm))
		return -ENOMEM;
	if (!pages)
		return sysarg_addr(a, 0) & (PAGE_SIZE - 1) ? -EINVAL : 0;
	vec = malloc(pages);
	if (!vec)
		return -ENOMEM;
	err = mm_mincore(t->mm, sysarg_addr(a, 0), len, vec);
	if (!err)
		err = task_copy_out(t, sysarg_addr(a, 2), vec, pages);
	free(vec);
	return err;
}

long sys_msync(struct task *t, const struct sysargs *a)
{
	return mm_msync(t->mm, sysarg_addr(a, 0), sysarg_size(a, 1), sysarg_int(a, 2));
}
