/*
 * Open overlay files and attribute calls. A regular file opens a file on its real inode
 * (the upper, copied up first when opened for writing; else the lower) and forwards to
 * it, so lower data is read straight from the gofer's fd and upper data from tmpfs
 * pages (including MAP_SHARED pages). As on Linux, a file opened read-only before a
 * copy-up keeps reading the lower. Special files are copied up and opened as the upper
 * layer opens them (FIFOs become the sentry's pipes).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs/overlay/internal.h"

static struct file *INNER(struct file *f)
{
	return f->priv;
}

static ssize_t ovl_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct file *in = INNER(f);

	return in->ops->read ? in->ops->read(in, iov, iovcnt, pos) : -EINVAL;
}

static ssize_t ovl_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct file *in = INNER(f);
	ssize_t n;

	if (!in->ops->write)
		return -EINVAL;
	n = in->ops->write(in, iov, iovcnt, pos);
	/* the overlay inode's size and times are what stat, llseek and the mm see */
	ovl_sync_from(f->inode, in->inode);
	return n;
}

static int64_t ovl_llseek(struct file *f, int64_t off, int whence)
{
	struct file *in = INNER(f);
	int64_t ret;

	/* the real file computes the target from the real size; the position is ours */
	pthread_mutex_lock(&f->pos_lock);
	in->pos = f->pos;
	pthread_mutex_unlock(&f->pos_lock);
	ret = vfs_llseek(in, off, whence);
	if (ret >= 0) {
		pthread_mutex_lock(&f->pos_lock);
		f->pos = ret;
		pthread_mutex_unlock(&f->pos_lock);
	}
	return ret;
}

static long ovl_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	struct file *in = INNER(f);

	return in->ops->ioctl ? in->ops->ioctl(in, cmd, arg, um) : -ENOTTY;
}

static int ovl_fsync(struct file *f, bool datasync)
{
	struct file *in = INNER(f);

	return in->ops->fsync ? in->ops->fsync(in, datasync) : 0;
}

static int ovl_get_page(struct file *f, uint64_t pgoff, bool write, uint64_t *memfile_off)
{
	struct file *in = INNER(f);

	return in->ops->get_page(in, pgoff, write, memfile_off);
}

static int ovl_setfl(struct file *f, unsigned flags)
{
	struct file *in = INNER(f);
	int err = in->ops->setfl ? in->ops->setfl(in, flags) : 0;

	if (err == 0)
		__atomic_store_n(&in->flags, flags, __ATOMIC_RELAXED);
	return err;
}

static void ovl_release(struct file *f)
{
	file_put(INNER(f));
}

const struct file_ops ovl_file_fops = {
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.ioctl = ovl_ioctl,
	.fsync = ovl_fsync,
	.setfl = ovl_setfl,
	.release = ovl_release,
};

/* The same for real files with a page cache (tmpfs): shared mappings use its pages. */
static const struct file_ops ovl_file_page_fops = {
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.ioctl = ovl_ioctl,
	.fsync = ovl_fsync,
	.get_page = ovl_get_page,
	.setfl = ovl_setfl,
	.release = ovl_release,
};

/* The real inode to open (+1), copied up first if the open needs it. */
static int open_real(struct inode *inode, bool copy_up, struct inode **real)
{
	struct ovl_sb *osb = OSB(inode->sb);
	int err = 0;

	if (copy_up) {
		pthread_rwlock_wrlock(&osb->ns_lock);
		err = ovl_copy_up(inode, true);
	} else {
		pthread_rwlock_rdlock(&osb->ns_lock);
	}
	if (err == 0) {
		*real = ovl_real(inode);
		inode_get(*real);
	}
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

int ovl_open(struct inode *inode, struct file *f)
{
	struct inode *real = NULL;
	struct file *in;
	bool copy;
	int err;

	if (S_ISDIR(inode->mode))
		return ovl_dir_open(f);
	/* writers (access mode 3 too) need the upper; special files live there */
	copy = !S_ISREG(inode->mode) || file_writable(f) || (f->flags & O_ACCMODE) == O_ACCMODE;
	err = open_real(inode, copy, &real);
	if (err < 0)
		return err;
	if (!S_ISREG(inode->mode)) {
		/* the upper layer's device or FIFO, opened on the file itself */
		f->ops = real->fops;
		err = real->iops && real->iops->open ? real->iops->open(real, f) : 0;
		inode_put(real);
		return err;
	}
	err = file_new(NULL, real, f->flags, &in);
	inode_put(real);
	if (err < 0)
		return err;
	f->priv = in;
	f->ops = in->ops && in->ops->get_page ? &ovl_file_page_fops : &ovl_file_fops;
	return 0;
}

/* ---- attributes ---- */

int ovl_getattr(struct inode *inode, struct kstat *st)
{
	struct ovl_sb *osb = OSB(inode->sb);
	struct inode *real;
	int err = 0;

	/* held throughout: a copy-up may not swap (and put) the real inode under us */
	pthread_rwlock_rdlock(&osb->ns_lock);
	real = ovl_real(inode);
	if (real->iops && real->iops->getattr) {
		struct kstat rst;

		err = real->iops->getattr(real, &rst);
	}
	if (err == 0) {
		ovl_sync_from(inode, real);
		vfs_fill_kstat(inode, st);
	}
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

int ovl_setattr(struct inode *inode, const struct iattr *ia)
{
	struct ovl_sb *osb = OSB(inode->sb);
	/* a truncate to zero needs none of the old data */
	bool data = !((ia->valid & ATTR_SIZE) && ia->size == 0);
	struct inode *real;
	int err;

	pthread_rwlock_wrlock(&osb->ns_lock);
	err = ovl_copy_up(inode, data);
	if (err < 0)
		goto out_unlock;
	real = OI(inode)->upper;
	err = real->iops && real->iops->setattr ? real->iops->setattr(real, ia) : -EPERM;
	ovl_sync_attrs(inode);
out_unlock:
	pthread_rwlock_unlock(&osb->ns_lock);
	return err;
}

ssize_t ovl_readlink(struct inode *inode, char *buf, size_t len)
{
	struct ovl_sb *osb = OSB(inode->sb);
	struct inode *real;
	ssize_t n;

	pthread_rwlock_rdlock(&osb->ns_lock);
	real = ovl_real(inode);
	inode_get(real);
	pthread_rwlock_unlock(&osb->ns_lock);
	n = real->iops && real->iops->readlink ? real->iops->readlink(real, buf, len) : -EINVAL;
	inode_put(real);
	return n;
}
