/*
 * The fd table: a growable array of (file, close-on-exec) slots under one mutex.
 * Files leaving the table are put after the lock is dropped, so a file's release
 * never runs under fdt->lock. The table is the owner of its process's POSIX record
 * locks: closing any descriptor of an inode drops the locks it holds there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"

#define FDT_MIN_CAP 64

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A descriptor of f was closed in fdt. */
static void put_closed(struct fdtable *fdt, struct file *f)
{
	if (!f)
		return;
	vfs_posix_release(f->inode, fdt);
	file_put(f);
}

struct fdtable *fdt_new(void)
{
	struct fdtable *fdt = calloc(1, sizeof(*fdt));

	if (!fdt)
		return NULL;
	ref_init(&fdt->ref);
	pthread_mutex_init(&fdt->lock, NULL);
	return fdt;
}

/* Makes room for fd (under the lock). */
static int fdt_grow_locked(struct fdtable *fdt, int fd)
{
	struct fd_entry *n;
	int cap;

	if (fd < fdt->cap)
		return 0;
	if (fd >= FDT_NR_OPEN)
		return -EMFILE;
	cap = fdt->cap ? fdt->cap : FDT_MIN_CAP;
	while (cap <= fd)
		cap *= 2;
	if (cap > FDT_NR_OPEN)
		cap = FDT_NR_OPEN;
	n = realloc(fdt->fds, (size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + fdt->cap, 0, (size_t)(cap - fdt->cap) * sizeof(*n));
	fdt->fds = n;
	fdt->cap = cap;
	return 0;
}

struct fdtable *fdt_copy(struct fdtable *fdt)
{
	struct fdtable *n = fdt_new();

	if (!n)
		return NULL;
	pthread_mutex_lock(&fdt->lock);
	if (fdt->cap) {
		n->fds = calloc((size_t)fdt->cap, sizeof(*n->fds));
		if (!n->fds) {
			pthread_mutex_unlock(&fdt->lock);
			fdt_put(n);
			return NULL;
		}
		n->cap = fdt->cap;
	}
	for (int i = 0; i < fdt->cap; i++) {
		n->fds[i] = fdt->fds[i];
		if (n->fds[i].file)
			file_get(n->fds[i].file);
	}
	pthread_mutex_unlock(&fdt->lock);
	return n;
}

void fdt_get_ref(struct fdtable *fdt)
{
	ref_get(&fdt->ref);
}

void fdt_put(struct fdtable *fdt)
{
	if (!fdt || !ref_put(&fdt->ref))
		return;
	/* the last reference: nobody else can see the table */
	for (int i = 0; i < fdt->cap; i++)
		put_closed(fdt, fdt->fds[i].file);
	free(fdt->fds);
	pthread_mutex_destroy(&fdt->lock);
	free(fdt);
}

struct file *fdt_get(struct fdtable *fdt, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->cap && fdt->fds[fd].file) {
		f = fdt->fds[fd].file;
		file_get(f);
	}
	pthread_mutex_unlock(&fdt->lock);
	return f;
}

static int clamp_limit(int limit)
{
	return limit < 0 || limit > FDT_NR_OPEN ? FDT_NR_OPEN : limit;
}

int fdt_install(struct fdtable *fdt, struct file *f, int minfd, bool cloexec, int limit)
{
	int fd, err;

	limit = clamp_limit(limit);
	if (minfd < 0)
		return -EINVAL;
	if (minfd >= limit)
		return -EMFILE; /* F_DUPFD's -EINVAL for that is its caller's to give */
	pthread_mutex_lock(&fdt->lock);
	for (fd = minfd; fd < fdt->cap && fdt->fds[fd].file; fd++)
		;
	if (fd >= limit) {
		err = -EMFILE;
		goto out_unlock;
	}
	err = fdt_grow_locked(fdt, fd);
	if (err < 0)
		goto out_unlock;
	file_get(f);
	fdt->fds[fd].file = f;
	fdt->fds[fd].cloexec = cloexec;
	err = fd;
out_unlock:
	pthread_mutex_unlock(&fdt->lock);
	return err;
}

int fdt_install_at(struct fdtable *fdt, int fd, struct file *f, bool cloexec, int limit)
{
	struct file *old;
	int err;

	limit = clamp_limit(limit);
	if (fd < 0 || fd >= limit)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	err = fdt_grow_locked(fdt, fd);
	if (err < 0) {
		pthread_mutex_unlock(&fdt->lock);
		return err == -EMFILE ? -EBADF : err;
	}
	old = fdt->fds[fd].file;
	file_get(f);
	fdt->fds[fd].file = f;
	fdt->fds[fd].cloexec = cloexec;
	pthread_mutex_unlock(&fdt->lock);
	put_closed(fdt, old);
	return fd;
}

int fdt_close(struct fdtable *fdt, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->cap) {
		f = fdt->fds[fd].file;
		fdt->fds[fd].file = NULL;
		fdt->fds[fd].cloexec = false;
	}
	pthread_mutex_unlock(&fdt->lock);
	if (!f)
		return -EBADF;
	put_closed(fdt, f);
	return 0;
}

int fdt_get_cloexec(struct fdtable *fdt, int fd)
{
	int ret = -EBADF;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->cap && fdt->fds[fd].file)
		ret = fdt->fds[fd].cloexec;
	pthread_mutex_unlock(&fdt->lock);
	return ret;
}

int fdt_set_cloexec(struct fdtable *fdt, int fd, bool on)
{
	int ret = -EBADF;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->cap && fdt->fds[fd].file) {
		fdt->fds[fd].cloexec = on;
		ret = 0;
	}
	pthread_mutex_unlock(&fdt->lock);
	return ret;
}

/* Takes the files of [first, last] matching cloexec_only out of the table and puts
 * them after unlocking, a batch at a time. */
static void close_matching(struct fdtable *fdt, unsigned first, unsigned last, bool cloexec_only)
{
	struct file *batch[64];
	unsigned fd = first;

	for (;;) {
		int n = 0;

		pthread_mutex_lock(&fdt->lock);
		for (; fd <= last && fd < (unsigned)fdt->cap && n < (int)ARRAY_SIZE(batch); fd++) {
			struct fd_entry *e = &fdt->fds[fd];

			if (!e->file || (cloexec_only && !e->cloexec))
				continue;
			batch[n++] = e->file;
			e->file = NULL;
			e->cloexec = false;
		}
		pthread_mutex_unlock(&fdt->lock);
		for (int i = 0; i < n; i++)
			put_closed(fdt, batch[i]);
		if (n < (int)ARRAY_SIZE(batch))
			return;
	}
}

void fdt_close_on_exec(struct fdtable *fdt)
{
	close_matching(fdt, 0, ~0u, true);
}

int fdt_close_range(struct fdtable *fdt, unsigned first, unsigned last, unsigned flags)
{
	/* CLOSE_RANGE_UNSHARE is the caller's: it replaces the task's table first */
	if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_CLOEXEC) {
		pthread_mutex_lock(&fdt->lock);
		for (unsigned fd = first; fd <= last && fd < (unsigned)fdt->cap; fd++) {
			if (fdt->fds[fd].file)
				fdt->fds[fd].cloexec = true;
		}
		pthread_mutex_unlock(&fdt->lock);
		return 0;
	}
	close_matching(fdt, first, last, false);
	return 0;
}
