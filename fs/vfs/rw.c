/*
 * I/O on open files: read/write through the file's ops with the file position kept
 * under pos_lock, the generic llseek, getdents64 (emitting "." and ".." itself and
 * resuming from file->pos), F_SETFL, poll readiness, and fallocate's generic checks.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <sys/stat.h>

#include "fs/vfs/fsnotify.h"
#include "fs/vfs/internal.h"

/* struct dirent64_rec (the guest ABI's; fs/ doesn't reach up into sentry/abi). */
struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
_Static_assert(offsetof(struct dirent64_rec, d_name) == 19, "linux_dirent64 layout");

/* Regular files and directories serialize on the file position like Linux's
 * FMODE_ATOMIC_POS; streams (ttys, pipes) must not, a reader may block forever. */
static bool pos_locked(const struct file *f)
{
	return S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode);
}

typedef ssize_t (*rw_op)(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos);

static ssize_t do_rw(struct file *f, rw_op op, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	ssize_t ret;

	if (iovcnt < 0)
		return -EINVAL;
	if (pos) {
		if (*pos < 0)
			return -EINVAL;
		return op(f, iov, iovcnt, pos);
	}
	if (!pos_locked(f))
		return op(f, iov, iovcnt, &f->pos);
	pthread_mutex_lock(&f->pos_lock);
	ret = op(f, iov, iovcnt, &f->pos);
	pthread_mutex_unlock(&f->pos_lock);
	return ret;
}

ssize_t vfs_readv(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	ssize_t ret;

	if (!file_readable(f))
		return -EBADF;
	if (!f->ops || !f->ops->read)
		return S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	ret = do_rw(f, f->ops->read, iov, iovcnt, pos);
	if (ret > 0)
		fsnotify_file(f, IN_ACCESS);
	return ret;
}

ssize_t vfs_writev(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	ssize_t ret;

	if (!file_writable(f))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	ret = do_rw(f, f->ops->write, iov, iovcnt, pos);
	if (ret > 0)
		fsnotify_file(f, IN_MODIFY);
	return ret;
}

ssize_t vfs_kernel_read(struct file *f, void *buf, size_t len, int64_t pos)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return vfs_readv(f, &iov, 1, pos < 0 ? NULL : &pos);
}

/* A new position for a seekable file of size size, or -EINVAL. */
static int64_t seek_target(int64_t cur, int64_t size, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = cur;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* no holes are reported: all of the file is data (a negative off is
		 * past any EOF, as Linux compares unsigned) */
		return off >= 0 && off < size ? off : -ENXIO;
	case SEEK_HOLE:
		return off >= 0 && off < size ? size : -ENXIO;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

int64_t vfs_llseek(struct file *f, int64_t off, int whence)
{
	int64_t ret, size;

	if (f->flags & O_PATH)
		return -EBADF;
	if (f->ops && f->ops->llseek)
		return f->ops->llseek(f, off, whence);
	if (S_ISDIR(f->inode->mode) && whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	if ((whence == SEEK_DATA || whence == SEEK_HOLE) && f->ops && f->ops->seek_data) {
		if (off < 0)
			return -ENXIO;
		pthread_mutex_lock(&f->pos_lock);
		ret = f->ops->seek_data(f, off, whence == SEEK_HOLE);
		if (ret >= 0)
			f->pos = ret;
		pthread_mutex_unlock(&f->pos_lock);
		return ret;
	}
	pthread_mutex_lock(&f->inode->lock);
	size = f->inode->size;
	pthread_mutex_unlock(&f->inode->lock);
	pthread_mutex_lock(&f->pos_lock);
	ret = seek_target(f->pos, size, off, whence);
	if (ret >= 0)
		f->pos = ret;
	pthread_mutex_unlock(&f->pos_lock);
	return ret;
}

/* ---- fallocate ---- */

int vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	const int mode_mask = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
			      FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
			      FALLOC_FL_UNSHARE_RANGE;
	struct inode *inode = f->inode;
	int64_t end;
	int err;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(mode_mask | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & mode_mask) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default: /* more than one mode */
		return -EOPNOTSUPP;
	}
	if (!file_writable(f))
		return -EBADF;
	if (S_ISFIFO(inode->mode))
		return -ESPIPE;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -ENODEV;
	if (__builtin_add_overflow(off, len, &end))
		return -EFBIG;
	if (!f->ops || !f->ops->fallocate)
		return -EOPNOTSUPP;
	err = f->ops->fallocate(f, mode, off, len);
	if (err == 0)
		fsnotify_file(f, IN_MODIFY);
	return err;
}

/* ---- getdents64 ---- */

struct getdents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t len, used;
	struct dirent64_rec *prev;
	int error;
};

static bool filldir64(struct dir_context *ctx, const char *name, size_t namelen, uint64_t ino,
		      unsigned dtype)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen = (offsetof(struct dirent64_rec, d_name) + namelen + 1 + 7) & ~(size_t)7;
	struct dirent64_rec *d;

	if (namelen > NAME_MAX) {
		g->error = -EIO;
		return false;
	}
	if (reclen > g->len - g->used) {
		g->error = -EINVAL;
		return false;
	}
	if (g->prev)
		g->prev->d_off = ctx->pos;
	d = (struct dirent64_rec *)(g->buf + g->used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = 0;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, namelen);
	g->prev = d;
	g->used += reclen;
	return true;
}

ssize_t vfs_getdents64(struct file *f, void *buf, size_t len)
{
	struct getdents_ctx g = { .ctx.actor = filldir64, .buf = buf, .len = len };
	struct dentry *d = f->path.dentry;
	uint64_t ino;
	int err = 0;

	if (f->flags & O_PATH)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode) || !f->ops || !f->ops->iterate)
		return -ENOTDIR;
	pthread_mutex_lock(&f->pos_lock);
	g.ctx.pos = f->pos;
	if (g.ctx.pos == 0) {
		if (!filldir64(&g.ctx, ".", 1, f->inode->ino, DT_DIR))
			goto out;
		g.ctx.pos = 1;
	}
	if (g.ctx.pos == 1) {
		ino = f->inode->ino;
		if (d) {
			pthread_rwlock_rdlock(&vfs_mount_lock);
			if (d->parent->inode)
				ino = d->parent->inode->ino;
			pthread_rwlock_unlock(&vfs_mount_lock);
		}
		if (!filldir64(&g.ctx, "..", 2, ino, DT_DIR))
			goto out;
		g.ctx.pos = 2;
	}
	err = f->ops->iterate(f, &g.ctx);
out:
	f->pos = g.ctx.pos;
	if (g.prev)
		g.prev->d_off = g.ctx.pos;
	pthread_mutex_unlock(&f->pos_lock);
	/* every listing is an access, even one past the end (Linux's iterate_dir) */
	fsnotify_file(f, IN_ACCESS);
	if (g.used)
		return (ssize_t)g.used;
	if (err < 0)
		return err;
	return g.error == -EINVAL || g.error == -EIO ? g.error : 0;
}

short vfs_poll(struct file *f, short events)
{
	if (f->flags & O_PATH)
		return POLLNVAL;
	if (f->ops && f->ops->poll)
		return f->ops->poll(f, events);
	return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

int vfs_setfl(struct file *f, unsigned flags)
{
	const unsigned settable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
	unsigned nflags;
	int err;

	if (f->flags & O_PATH)
		return -EBADF;
	nflags = (f->flags & ~settable) | (flags & settable);
	if (f->ops && f->ops->setfl) {
		err = f->ops->setfl(f, nflags);
		if (err < 0)
			return err;
	}
	__atomic_store_n(&f->flags, nflags, __ATOMIC_RELAXED);
	return 0;
}

struct waitq *vfs_waitq(struct file *f)
{
	if (f->flags & O_PATH)
		return NULL;
	return f->ops && f->ops->waitq ? f->ops->waitq(f) : NULL;
}
