/* pidfd: a file that names a process; readable (POLLIN) once the process has exited. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "common/waitq.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"

static struct super_block *pidfs_sb;
static pthread_once_t pidfs_once = PTHREAD_ONCE_INIT;
static uint64_t pidfs_next_ino = 1;

static const struct super_ops pidfs_sops = { 0 };

static void pidfs_init(void)
{
	pidfs_sb = sb_new(&pidfs_sops, "pidfs", 0);
}

static void pidfd_release(struct file *f)
{
	tg_put(f->priv);
}

static short pidfd_poll(struct file *f, short events)
{
	struct thread_group *tg = f->priv;
	bool dead = __atomic_load_n(&tg->zombie, __ATOMIC_ACQUIRE) || tg->reaped;

	return dead ? (POLLIN | POLLRDNORM) & (events | POLLIN) : 0;
}

static struct waitq *pidfd_waitq(struct file *f)
{
	struct thread_group *tg = f->priv;

	return tg->pidfd_wq;
}

static const struct file_ops pidfd_fops = {
	.release = pidfd_release,
	.poll = pidfd_poll,
	.waitq = pidfd_waitq,
};

int pidfd_create(struct task *t, struct thread_group *tg, unsigned flags)
{
	struct kernel *k = t->k;
	struct inode *inode;
	struct file *f;
	struct waitq *wq = NULL;
	int fd, err;

	pthread_once(&pidfs_once, pidfs_init);
	if (!pidfs_sb)
		return -ENOMEM;
	pthread_mutex_lock(&k->lock);
	if (!tg->pidfd_wq) {
		pthread_mutex_unlock(&k->lock);
		wq = malloc(sizeof(*wq));
		if (!wq)
			return -ENOMEM;
		waitq_init(wq);
		pthread_mutex_lock(&k->lock);
		if (!tg->pidfd_wq) {
			tg->pidfd_wq = wq;
			wq = NULL;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (wq) {
		waitq_destroy(wq);
		free(wq);
	}
	inode = inode_new(pidfs_sb, S_IFREG | 0600);
	if (!inode)
		return -ENOMEM;
	inode->ino = __atomic_fetch_add(&pidfs_next_ino, 1, __ATOMIC_RELAXED);
	inode->nlink = 1;
	inode->uid = t->cred->fsuid;
	inode->gid = t->cred->fsgid;
	inode->fops = &pidfd_fops;
	err = file_new(NULL, inode, O_RDWR | (flags & O_NONBLOCK), &f);
	inode_put(inode);
	if (err < 0)
		return err;
	tg_get(tg);
	f->priv = tg;
	fd = fdt_install(t->fdt, f, 0, true, (int)t->tg->rlimits[RLIMIT_NOFILE].rlim_cur);
	file_put(f);
	return fd;
}

struct thread_group *pidfd_tg(struct task *t, int fd, int *err)
{
	struct file *f = fdt_get(t->fdt, fd);
	struct thread_group *tg;

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!f->inode || f->inode->fops != &pidfd_fops) {
		file_put(f);
		*err = -EBADF; /* Linux: not a pidfd is a bad pidfd */
		return NULL;
	}
	tg = f->priv;
	tg_get(tg);
	file_put(f);
	return tg;
}
