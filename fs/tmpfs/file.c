/*
 * tmpfs regular files (data in memory-file pages, holes read as zeros and take no
 * memory; SEEK_DATA/SEEK_HOLE and fallocate), symlinks,
 * device / FIFO nodes, and setattr for all of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/falloc.h>

#include "common/memfile.h"
#include "fs/pipe/pipe.h"
#include "fs/tmpfs/internal.h"
#include "fs/vfs/iov.h"

/* Page idx of inode, allocated if a hole. fill: the caller writes it (write, a mapping),
 * so it is data from now on; else (fallocate) a new page stays unwritten. Under
 * inode->lock. */
static int page_get_alloc(struct inode *inode, uint64_t idx, bool fill, uint64_t *off)
{
	struct tmpfs_node *n = TNODE(inode);
	uint64_t *slot;
	int err;

	slot = tp_slot(&n->pages, idx);
	if (!slot)
		return idx >= TP_MAX_PAGES ? -EFBIG : -ENOMEM;
	if (!*slot) {
		err = tmpfs_page_alloc(inode->sb, slot);
		if (err < 0)
			return err;
		n->pages.npages++;
		inode->blocks = (int64_t)n->pages.npages * 8;
		if (!fill)
			*slot |= TP_UNWRITTEN;
	}
	if (fill)
		*slot &= ~TP_UNWRITTEN;
	*off = *slot & ~TP_UNWRITTEN;
	return 0;
}

static ssize_t tmpfs_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_node *n = TNODE(inode);
	size_t want = iov_length(iov, iovcnt), done = 0;
	struct iov_iter it;
	int64_t off = *pos;

	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&inode->lock);
	if (off < inode->size && want > (uint64_t)(inode->size - off))
		want = (size_t)(inode->size - off);
	else if (off >= inode->size)
		want = 0;
	while (done < want) {
		uint64_t at = (uint64_t)off + done, page = tp_get(&n->pages, at >> 12);
		size_t pgoff = at & 4095, chunk = MIN(4096 - pgoff, want - done), got;

		if (page)
			got = iov_iter_copy_to(&it, (char *)memfile_ptr(page) + pgoff, chunk);
		else
			got = iov_iter_zero(&it, chunk);
		done += got;
		if (got < chunk)
			break;
	}
	pthread_mutex_unlock(&inode->lock);
	*pos = off + (int64_t)done;
	return (ssize_t)done;
}

static ssize_t tmpfs_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct inode *inode = f->inode;
	size_t want = iov_length(iov, iovcnt), done = 0;
	struct iov_iter it;
	ssize_t allowed;
	int64_t off;
	int err = 0;

	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&inode->lock);
	off = (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND) ? inode->size : *pos;
	if (want && off >= TMPFS_MAX_SIZE) {
		err = -EFBIG;
		goto out_unlock;
	}
	if (want > (uint64_t)(TMPFS_MAX_SIZE - off))
		want = (size_t)(TMPFS_MAX_SIZE - off);
	allowed = tmpfs_seal_write(inode, off, want);
	if (allowed < 0) {
		err = (int)allowed;
		goto out_unlock;
	}
	want = (size_t)allowed;
	while (done < want) {
		uint64_t at = (uint64_t)off + done, page;
		size_t pgoff = at & 4095, chunk = MIN(4096 - pgoff, want - done), got;

		err = page_get_alloc(inode, at >> 12, true, &page);
		if (err < 0)
			break;
		got = iov_iter_copy_from(&it, (char *)memfile_ptr(page) + pgoff, chunk);
		done += got;
		if (got < chunk)
			break;
	}
	if (done) {
		err = 0;
		if (off + (int64_t)done > inode->size)
			inode->size = off + (int64_t)done;
		tmpfs_touch(inode, true);
	}
	*pos = off + (int64_t)done;
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return err < 0 ? err : (ssize_t)done;
}

/* fsync(2): the data lives in memory, there is nothing to write back (noop_fsync). */
int tmpfs_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static int tmpfs_get_page(struct file *f, uint64_t pgoff, bool write, uint64_t *memfile_off)
{
	struct inode *inode = f->inode;
	int err;

	pthread_mutex_lock(&inode->lock);
	/* past the page holding EOF a shared mapping gets SIGBUS, as on Linux */
	if (pgoff >= (uint64_t)(inode->size + 4095) >> 12) {
		err = -ENXIO;
		goto out_unlock;
	}
	err = page_get_alloc(inode, pgoff, true, memfile_off);
	if (err == 0)
		memfile_ref(*memfile_off, 1);
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return err;
}

/* SEEK_DATA / SEEK_HOLE at page granularity: a present page is data, a hole is a page
 * never written (or punched, or only fallocated), as Linux's tmpfs sees it; EOF is the
 * last hole. */
static int64_t tmpfs_seek_data(struct file *f, int64_t off, bool hole)
{
	struct inode *inode = f->inode;
	uint64_t last, idx;
	int64_t ret;

	pthread_mutex_lock(&inode->lock);
	if (off >= inode->size) {
		ret = -ENXIO;
		goto out_unlock;
	}
	last = ((uint64_t)inode->size + 4095) >> 12;
	idx = tp_find(&TNODE(inode)->pages, (uint64_t)off >> 12, last, hole ? TP_NODATA : TP_DATA);
	if (idx >= last)
		ret = hole ? inode->size : -ENXIO;
	else
		ret = MIN(MAX(off, (int64_t)(idx << 12)), inode->size);
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return ret;
}

/* Zeroes [from, to) of page idx if it is present. Under inode->lock. */
static void zero_partial(struct inode *inode, uint64_t idx, size_t from, size_t to)
{
	uint64_t page = tp_get(&TNODE(inode)->pages, idx);

	if (page && to > from)
		memset((char *)memfile_ptr(page) + from, 0, to - from);
}

/* Punches [start, end): whole pages go, the partial ones at the edges are zeroed. */
static void punch_locked(struct inode *inode, int64_t start, int64_t end)
{
	struct tmpfs_node *n = TNODE(inode);
	uint64_t first = ((uint64_t)start + 4095) >> 12, last = (uint64_t)end >> 12;

	if ((uint64_t)start >> 12 == (uint64_t)(end - 1) >> 12 &&
	    ((start & 4095) || (end & 4095))) {
		zero_partial(inode, (uint64_t)start >> 12, start & 4095,
			     (end & 4095) ? (size_t)(end & 4095) : 4096);
		return;
	}
	if (start & 4095)
		zero_partial(inode, (uint64_t)start >> 12, start & 4095, 4096);
	if (end & 4095)
		zero_partial(inode, last, 0, end & 4095);
	tp_punch(&n->pages, first, last, tmpfs_page_release, inode->sb);
	inode->blocks = (int64_t)n->pages.npages * 8;
}

/* Allocates every hole of [start, end): all or nothing against the size limit. */
static int allocate_locked(struct inode *inode, int64_t start, int64_t end)
{
	struct tmpfs_node *n = TNODE(inode);
	uint64_t first = (uint64_t)start >> 12, last = ((uint64_t)end + 4095) >> 12;
	uint64_t holes = 0, idx, off;
	int err;

	for (idx = tp_find(&n->pages, first, last, TP_HOLE); idx < last;
	     idx = tp_find(&n->pages, idx + 1, last, TP_HOLE))
		holes++;
	if (!tmpfs_pages_available(inode->sb, holes))
		return -ENOSPC;
	for (idx = tp_find(&n->pages, first, last, TP_HOLE); idx < last;
	     idx = tp_find(&n->pages, idx + 1, last, TP_HOLE)) {
		err = page_get_alloc(inode, idx, false, &off);
		if (err < 0)
			return err;
	}
	return 0;
}

/* fallocate(2) on tmpfs: allocation (KEEP_SIZE or not) and PUNCH_HOLE|KEEP_SIZE; like
 * Linux's tmpfs, no ZERO_RANGE, COLLAPSE_RANGE, INSERT_RANGE or UNSHARE_RANGE. */
static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	int64_t end = off + len;
	int err = 0;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (end > TMPFS_MAX_SIZE)
		return -EFBIG;
	pthread_mutex_lock(&inode->lock);
	/* memfd seals, as shmem_fallocate checks them */
	if (((mode & FALLOC_FL_PUNCH_HOLE) &&
	     (TNODE(inode)->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) ||
	    (!(mode & FALLOC_FL_PUNCH_HOLE) && end > inode->size &&
	     (TNODE(inode)->seals & F_SEAL_GROW))) {
		err = -EPERM;
		goto out_unlock;
	}
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		punch_locked(inode, off, end);
		tmpfs_touch(inode, true);
		pthread_mutex_unlock(&inode->lock);
		/* whole punched pages leave the mappings (the edges were zeroed in place) */
		vfs_unmap_file_range(inode, ((uint64_t)off + 4095) >> 12, (uint64_t)end >> 12);
		return 0;
	}
	err = allocate_locked(inode, off, end);
	if (err < 0)
		goto out_unlock;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size)
		inode->size = end;
	tmpfs_touch(inode, false);
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	return err;
}

/* Under inode->lock. */
static int truncate_locked(struct inode *inode, int64_t size)
{
	struct tmpfs_node *n = TNODE(inode);

	if (size > TMPFS_MAX_SIZE)
		return -EFBIG;
	if (size < inode->size) {
		uint64_t page = tp_get(&n->pages, (uint64_t)size >> 12);

		/* the tail of the last page must read as zeros if the file grows again */
		if (page && (size & 4095))
			memset((char *)memfile_ptr(page) + (size & 4095), 0, 4096 - (size & 4095));
		tp_truncate(&n->pages, ((uint64_t)size + 4095) >> 12, tmpfs_page_release,
			    inode->sb);
		inode->blocks = (int64_t)n->pages.npages * 8;
	}
	inode->size = size;
	return 0;
}

int tmpfs_setattr(struct inode *inode, const struct iattr *ia)
{
	bool shrunk = false;
	int err = 0;

	pthread_mutex_lock(&inode->lock);
	err = tmpfs_seal_setattr(inode, ia);
	if (err < 0)
		goto out_unlock;
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->mode)) {
			err = S_ISDIR(inode->mode) ? -EISDIR : -EINVAL;
			goto out_unlock;
		}
		shrunk = ia->size < inode->size;
		err = truncate_locked(inode, ia->size);
		if (err < 0)
			goto out_unlock;
	}
	if (ia->valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		inode->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		inode->gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		inode->atime = ia->atime;
	if (ia->valid & ATTR_MTIME)
		inode->mtime = ia->mtime;
	if (ia->valid & ATTR_CTIME)
		inode->ctime = ia->ctime;
out_unlock:
	pthread_mutex_unlock(&inode->lock);
	/* mapped pages past the new end go: touching them is SIGBUS, as on Linux */
	if (!err && shrunk)
		vfs_unmap_file_range(inode, ((uint64_t)ia->size + 4095) >> 12, UINT64_MAX);
	return err;
}

static ssize_t tmpfs_readlink(struct inode *inode, char *buf, size_t len)
{
	const char *t;
	size_t n;

	pthread_mutex_lock(&inode->lock);
	t = TNODE(inode)->target;
	n = t ? MIN(strlen(t), len) : 0;
	if (t)
		memcpy(buf, t, n);
	pthread_mutex_unlock(&inode->lock);
	return (ssize_t)n;
}

/* Device nodes open the sentry's own devices, FIFOs a pipe; sockets are not there yet. */
static int tmpfs_special_open(struct inode *inode, struct file *f)
{
	const struct file_ops *fops = NULL;

	if (S_ISFIFO(inode->mode))
		return pipe_fifo_open(inode, f);
	if (S_ISCHR(inode->mode))
		fops = vfs_chrdev_lookup(inode->rdev);
	if (!fops)
		return -ENXIO;
	f->ops = fops;
	return fops->open ? fops->open(inode, f) : 0;
}

const struct inode_ops tmpfs_file_iops = {
	TMPFS_XATTR_IOPS,
	.setattr = tmpfs_setattr,
};

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.get_page = tmpfs_get_page,
	.seek_data = tmpfs_seek_data,
	.fallocate = tmpfs_fallocate,
	.fsync = tmpfs_fsync,
};

const struct inode_ops tmpfs_symlink_iops = {
	TMPFS_XATTR_IOPS,
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
};

const struct inode_ops tmpfs_special_iops = {
	TMPFS_XATTR_IOPS,
	.setattr = tmpfs_setattr,
	.open = tmpfs_special_open,
};
