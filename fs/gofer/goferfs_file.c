/*
 * Open goferfs files. A regular file holds the host fd the gofer donated for it, and data
 * moves between it and the caller's iovecs with preadv/pwritev, no protocol round trip.
 * Once a file is mmapped its inode has a page cache (pagecache.h) that every mapping shares:
 * reads then take cached pages from it, writes go to the host and into the cached pages,
 * and pages stored to through shared mappings are written back on msync, fsync, munmap
 * and close.
 * A directory is read whole through the gofer's readdir into a snapshot whose indexes are
 * the getdents cookies (as the host does), so a position stays meaningful between calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
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
		pthread_mutex_lock(&inode->lock);
		if (GI(inode)->pc)
			pcache_revalidate(GI(inode)->pc,
					  &(struct timespec){ st.mtime.sec, st.mtime.nsec },
					  (int64_t)st.size);
		pthread_mutex_unlock(&inode->lock);
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

static struct pcache *pcache_of(struct inode *inode)
{
	return S_ISREG(inode->mode) ? __atomic_load_n(&GI(inode)->pc, __ATOMIC_ACQUIRE) : NULL;
}

/* Writes the inode's maybe-dirty cached pages to the host. Under inode->lock, so that a
 * write() (which holds it from the host write to the cache update) is never overtaken by
 * an older copy of its pages. */
static int writeback(struct inode *inode)
{
	struct pcache *pc = pcache_of(inode);
	int err;

	if (!pc)
		return 0;
	pthread_mutex_lock(&inode->lock);
	err = pcache_writeback(pc, inode->size);
	pthread_mutex_unlock(&inode->lock);
	return err;
}

void goferfs_file_resized(struct inode *inode, int64_t size)
{
	struct pcache *pc = pcache_of(inode);

	if (!pc)
		return;
	pthread_mutex_lock(&inode->lock);
	pcache_truncate(pc, size);
	pthread_mutex_unlock(&inode->lock);
	/* mapped pages past the new end go too: touching them is SIGBUS, as on Linux */
	vfs_unmap_file_range(inode, PAGE_ALIGN_UP((uint64_t)size) >> PAGE_SHIFT, UINT64_MAX);
}

void goferfs_file_evict(struct inode *inode)
{
	struct pcache *pc = pcache_of(inode);

	if (!pc)
		return;
	writeback(inode);
	pcache_free(pc);
	GI(inode)->pc = NULL;
}

/* The memory-file page for page pgoff of the file (file_ops.get_page): the inode's cached
 * copy, read from the host on first use. */
static int goferfs_get_page(struct file *f, uint64_t pgoff, bool write, uint64_t *off)
{
	struct goferfs_file *gf = f->priv;
	struct inode *inode = f->inode;
	struct pcache *pc;
	int err;

	if (write && !file_writable(f))
		return -EACCES;
	pthread_mutex_lock(&inode->lock);
	pc = GI(inode)->pc;
	if (!pc) {
		pc = pcache_new(&inode->mtime, inode->size);
		if (!pc) {
			err = -ENOMEM;
			goto out_unlock;
		}
		__atomic_store_n(&GI(inode)->pc, pc, __ATOMIC_RELEASE);
	}
	err = pcache_get_page(pc, gf->fd, pgoff, inode->size, write, gf->fd, off);
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return err;
}

static int goferfs_writeback(struct file *f)
{
	return writeback(f->inode);
}

static void goferfs_release(struct file *f)
{
	struct goferfs_file *gf = f->priv;

	if (!gf)
		return;
	/* the last close of a mapping's file: its stores reach the host now at the latest */
	if (gf->fd >= 0)
		writeback(f->inode);
	if (gf->fd >= 0)
		close(gf->fd);
	snap_free(gf);
	free(gf);
}

static ssize_t goferfs_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct goferfs_file *gf = f->priv;
	struct pcache *pc = pcache_of(f->inode);
	ssize_t n;

	if (pc) {
		n = pcache_read(pc, gf->fd, iov, iovcnt, *pos);
		if (n < 0)
			return n;
		*pos += n;
		return n;
	}
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
	if (GI(inode)->pc)
		pcache_update(GI(inode)->pc, iov, iovcnt, off, (size_t)n);
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
	int err;

	if (gf->fd < 0)
		return 0;
	err = writeback(f->inode);
	if (err < 0)
		return err;
	if ((datasync ? fdatasync(gf->fd) : fsync(gf->fd)) < 0)
		return -errno;
	return 0;
}

/*
 * fallocate(2) on the host file. Stores not yet written back go first (they would land on a
 * punched hole or on shifted data), and cached pages in the changed range are read again so
 * mappings see what the host now has there, as Linux's own page cache would.
 */
static int goferfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct goferfs_file *gf = f->priv;
	struct inode *inode = f->inode;
	struct pcache *pc;
	struct stat st;
	int err = 0;

	pthread_mutex_lock(&inode->lock);
	pc = GI(inode)->pc;
	if (pc)
		err = pcache_writeback(pc, inode->size);
	if (!err && fallocate(gf->fd, mode, off, len) < 0)
		err = -errno;
	if (err)
		goto out_unlock;
	if (fstat(gf->fd, &st) < 0) {
		err = -errno;
		goto out_unlock;
	}
	if (pc && (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)))
		err = pcache_reload(pc, gf->fd, off, off + len);
	else if (pc && (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)))
		err = pcache_reload(pc, gf->fd, off, -1);
	if (pc && st.st_size < inode->size)
		pcache_truncate(pc, st.st_size);
	inode->size = st.st_size;
	inode->blocks = st.st_blocks;
	clock_gettime(CLOCK_REALTIME, &inode->mtime);
	inode->ctime = inode->mtime;
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return err;
}

/* SEEK_DATA / SEEK_HOLE: the host file's own answer (its holes are the file's holes; a
 * store through a mapping counts once it is written back, like a delayed allocation). */
static int64_t goferfs_seek_data(struct file *f, int64_t off, bool hole)
{
	struct goferfs_file *gf = f->priv;
	off_t r = lseek(gf->fd, off, hole ? SEEK_HOLE : SEEK_DATA);

	return r < 0 ? -errno : r;
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
	.get_page = goferfs_get_page,
	.writeback = goferfs_writeback,
	.fallocate = goferfs_fallocate,
	.seek_data = goferfs_seek_data,
	.release = goferfs_release,
};

const struct file_ops goferfs_dir_fops = {
	.iterate = goferfs_iterate,
	.fsync = goferfs_fsync,
	.release = goferfs_release,
};
