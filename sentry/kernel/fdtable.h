/*
 * The file descriptor table (shared by CLONE_FILES). Entries hold a +1 file reference
 * and the close-on-exec bit.
 *
 * Lock order: fdt->lock, then anything a file's release takes (it is dropped before
 * file_put of a closed file so release never runs under it).
 */
#ifndef SENTRY_KERNEL_FDTABLE_H
#define SENTRY_KERNEL_FDTABLE_H

#include <pthread.h>
#include <stdbool.h>
#include "common/ref.h"

struct file;

#define FDT_NR_OPEN (1 << 20) /* Linux's fs.nr_open default: no table grows beyond it */

struct fd_entry {
	struct file *file;
	bool cloexec;
};

struct fdtable {
	struct ref ref;
	pthread_mutex_t lock;
	struct fd_entry *fds;
	int cap;
};

struct fdtable *fdt_new(void); /* +1 */
struct fdtable *fdt_copy(struct fdtable *fdt); /* +1, each file +1 (fork without CLONE_FILES) */
void fdt_get_ref(struct fdtable *fdt);
void fdt_put(struct fdtable *fdt); /* closes everything on the last put */

/* The file at fd, +1, or NULL (-EBADF for the caller). */
struct file *fdt_get(struct fdtable *fdt, int fd);
/* Installs f (the table takes its own reference) at the lowest fd >= minfd below limit
 * (RLIMIT_NOFILE). Returns the fd, -EMFILE or -EINVAL. */
int fdt_install(struct fdtable *fdt, struct file *f, int minfd, bool cloexec, int limit);
/* dup2/dup3 semantics: installs f at exactly fd, closing what was there. fd or -errno. */
int fdt_install_at(struct fdtable *fdt, int fd, struct file *f, bool cloexec, int limit);
int fdt_close(struct fdtable *fdt, int fd); /* 0 or -EBADF */
int fdt_get_cloexec(struct fdtable *fdt, int fd); /* 0/1 or -EBADF */
int fdt_set_cloexec(struct fdtable *fdt, int fd, bool on);
void fdt_close_on_exec(struct fdtable *fdt);
/* close_range(2) */
int fdt_close_range(struct fdtable *fdt, unsigned first, unsigned last, unsigned flags);

#endif
