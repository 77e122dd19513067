/*
 * Open goferfs files. A regular file holds the host fd the gofer donated for it, and data
 * moves between it and the caller's iovecs with preadv/pwritev, no protocol round trip.
 * A directory is read whole through the gofer's readdir into a snapshot whose indexes are
 * the getdents cookies (as the host does), so a position stays meaningful between calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/gofer/goferfs_internal.h"

struct snap_entry {
	uint64_t ino;
	unsigned type;
	char *name;
};

struct goferfs_file {
	int fd; /* regular files: the donated host fd */
	struct snap_entry *ents;
	size_t n, cap;
	bool have_snap;
};

int goferfs_file_open(struct inode *inode, struct file *f)
{
	struct goferfs_file *gf;
	struct gofer_stat st;
	int fd = -1, err;

	if (!S_ISREG(inode->mode) && !S_ISDIR(inode->mode))
		return -EACCES; /* host devices, FIFOs and sockets are not the sandbox's */
	gf = calloc(1, sizeof(*gf));
	if (!gf)
		return -ENOMEM;
	if (S_ISREG(inode->mode)) {
		int acc = (int)(f->flags & O_ACCMODE);

		/* O_APPEND stays in the sentry (F_SETFL may change it); O_TRUNC was a setattr.
		 * Access mode 3 (ioctl only) needs read and write, the VFS checked both. */
		err = gofer_open(GCLIENT(inode), GI(inode)->fid, acc == O_ACCMODE ? O_RDWR : acc,
				 &fd, &st);
		if (err < 0) {
			free(gf);
			return err;
		}
		goferfs_set_attrs(inode, &st);
	}
	gf->fd = fd;
	f->priv = gf;
	return 0;
}

static void snap_free(struct goferfs_file *gf)
{
	for (size_t i = 0; i < gf->n; i++)
		free(gf->ents[i].name);
	free(gf->ents);
	gf->ents = NULL;
	gf->n = gf->cap = 0;
	gf->have_snap = false;
}

static void goferfs_release(struct file *f)
{
	struct goferfs_file *gf = f->priv;

	if (!gf)
		return;
	if (gf->fd >= 0)
		close(gf->fd);
	snap_free(gf);
	free(gf);
}

static ssize_t goferfs_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct goferfs_file *gf = f->priv;
	ssize_t n;

	do {
		n = preadv(gf->fd, iov, iovcnt, *pos);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*pos += n;
	return n;
}

static ssize_t goferfs_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct goferfs_file *gf = f->priv;
	struct inode *inode = f->inode;
	bool append = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND;
	int64_t off = *pos;
	struct stat st;
	ssize_t n;

	/* the inode lock makes "find the end, write there" one step for the sentry's writers */
	pthread_mutex_lock(&inode->lock);
	if (append) {
		if (fstat(gf->fd, &st) < 0) {
			n = -errno;
			goto out_unlock;
		}
		off = st.st_size;
	}
	do {
		n = pwritev(gf->fd, iov, iovcnt, off);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		goto out_unlock;
	}
	*pos = off + n;
	if (*pos > inode->size)
		inode->size = *pos;
	clock_gettime(CLOCK_REALTIME, &inode->mtime);
	inode->ctime = inode->mtime;
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return n;
}

static int goferfs_fsync(struct file *f, bool datasync)
{
	struct goferfs_file *gf = f->priv;

	if (gf->fd < 0)
		return 0;
	if ((datasync ? fdatasync(gf->fd) : fsync(gf->fd)) < 0)
		return -errno;
	return 0;
}

static bool snap_add(void *arg, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct goferfs_file *gf = arg;

	if (gf->n == gf->cap) {
		size_t ncap = gf->cap ? gf->cap * 2 : 64;
		struct snap_entry *ne = realloc(gf->ents, ncap * sizeof(*ne));

		if (!ne)
			return false;
		gf->ents = ne;
		gf->cap = ncap;
	}
	gf->ents[gf->n].name = strndup(name, len);
	if (!gf->ents[gf->n].name)
		return false;
	gf->ents[gf->n].ino = ino;
	gf->ents[gf->n].type = type;
	gf->n++;
	return true;
}

/* Reads the whole directory from its start, a protocol call per payload's worth. */
static int snap_take(struct inode *dir, struct goferfs_file *gf)
{
	uint64_t cookie = 0, next;
	int got;

	snap_free(gf);
	for (;;) {
		size_t before = gf->n;

		got = gofer_readdir(GCLIENT(dir), GI(dir)->fid, cookie, snap_add, gf, &next);
		if (got < 0)
			goto out_free;
		if (got == 0)
			break;
		if (gf->n - before != (size_t)got) {
			got = -ENOMEM;
			goto out_free;
		}
		cookie = next;
	}
	gf->have_snap = true;
	return 0;
out_free:
	snap_free(gf);
	return got;
}

static int goferfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct goferfs_file *gf = f->priv;
	int err;

	/* a walk from the start (or a rewind) sees the directory as it is now */
	if (!gf->have_snap || ctx->pos == 2) {
		err = snap_take(f->inode, gf);
		if (err < 0)
			return err;
	}
	for (int64_t i = ctx->pos - 2; i >= 0 && (uint64_t)i < gf->n; i++) {
		struct snap_entry *e = &gf->ents[i];

		ctx->pos = i + 2;
		if (!ctx->actor(ctx, e->name, strlen(e->name), e->ino, e->type))
			return 0;
		ctx->pos = i + 3;
	}
	return 0;
}

const struct file_ops goferfs_file_fops = {
	.read = goferfs_read,
	.write = goferfs_write,
	.fsync = goferfs_fsync,
	.release = goferfs_release,
};

const struct file_ops goferfs_dir_fops = {
	.iterate = goferfs_iterate,
	.fsync = goferfs_fsync,
	.release = goferfs_release,
};
