/* Guest memory helpers for handlers: thin wrappers over mm_copy_* on the task's mm. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

int task_copy_in(struct task *t, uaddr_t src, void *dst, size_t n)
{
	return mm_copy_in(t->mm, src, dst, n);
}

int task_copy_out(struct task *t, uaddr_t dst, const void *src, size_t n)
{
	return mm_copy_out(t->mm, dst, src, n);
}

long task_strncpy_in(struct task *t, uaddr_t src, char *buf, size_t max)
{
	return mm_strncpy_in(t->mm, src, buf, max);
}

int task_path_in(struct task *t, uaddr_t src, char **out)
{
	char *buf = malloc(PATH_MAX);
	long n;

	if (!buf)
		return -ENOMEM;
	n = mm_strncpy_in(t->mm, src, buf, PATH_MAX);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

static int umem_copy_in(const struct umem *um, uaddr_t src, void *dst, size_t n)
{
	return task_copy_in(um->priv, src, dst, n);
}

static int umem_copy_out(const struct umem *um, uaddr_t dst, const void *src, size_t n)
{
	return task_copy_out(um->priv, dst, src, n);
}

void task_umem(struct task *t, struct umem *um)
{
	um->copy_in = umem_copy_in;
	um->copy_out = umem_copy_out;
	um->priv = t;
}
