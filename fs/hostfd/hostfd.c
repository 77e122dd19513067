/*
 * Files over host fds. The file owns a duplicate of the fd (closed when its inode
 * goes); read(2)/write(2) use the host's file offset (readv/writev), pread/pwrite the
 * explicit one, so a terminal, a pipe or a redirected regular file each behave as the
 * host makes them behave.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"

#define KERNEL_TERMIOS_SIZE 36 /* struct termios of the TCGETS ioctl (not glibc's) */
#define WINSIZE_SIZE 8

static int host_fd(const struct inode *inode)
{
	return (int)(intptr_t)inode->priv;
}

static void fill_from_host(struct inode *inode, const struct stat *st)
{
	inode->ino = st->st_ino;
	inode->mode = st->st_mode;
	inode->uid = st->st_uid;
	inode->gid = st->st_gid;
	inode->nlink = st->st_nlink;
	inode->rdev = st->st_rdev;
	inode->size = st->st_size;
	inode->blocks = st->st_blocks;
	inode->atime = st->st_atim;
	inode->mtime = st->st_mtim;
	inode->ctime = st->st_ctim;
}

static int hostfd_getattr(struct inode *inode, struct kstat *st)
{
	struct stat hst;

	if (fstat(host_fd(inode), &hst) < 0)
		return -errno;
	pthread_mutex_lock(&inode->lock);
	fill_from_host(inode, &hst);
	pthread_mutex_unlock(&inode->lock);
	vfs_kstat_from_host(&hst, st);
	return 0;
}

static ssize_t hostfd_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	int fd = host_fd(f->inode);
	ssize_t n;

	if (pos == &f->pos)
		n = readv(fd, iov, iovcnt);
	else
		n = preadv(fd, iov, iovcnt, *pos);
	if (n < 0)
		return -errno;
	if (pos != &f->pos)
		*pos += n;
	return n;
}

static ssize_t hostfd_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	int fd = host_fd(f->inode);
	ssize_t n;

	if (pos == &f->pos)
		n = writev(fd, iov, iovcnt);
	else
		n = pwritev(fd, iov, iovcnt, *pos);
	if (n < 0)
		return -errno;
	if (pos != &f->pos)
		*pos += n;
	return n;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	off_t r = lseek(host_fd(f->inode), off, whence);

	return r < 0 ? -errno : r;
}

static int hostfd_fsync(struct file *f, bool datasync)
{
	int r = datasync ? fdatasync(host_fd(f->inode)) : fsync(host_fd(f->inode));

	return r < 0 ? -errno : 0;
}

static int hostfd_setfl(struct file *f, unsigned flags)
{
	int fd = host_fd(f->inode), cur = fcntl(fd, F_GETFL);

	if (cur < 0)
		return -errno;
	cur = (cur & ~(O_APPEND | O_NONBLOCK)) | (int)(flags & (O_APPEND | O_NONBLOCK));
	return fcntl(fd, F_SETFL, cur) < 0 ? -errno : 0;
}

/* The host fd's readiness right now. */
static short hostfd_poll(struct file *f, short events)
{
	struct pollfd p = { .fd = host_fd(f->inode), .events = events };

	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return p.revents;
}

/* Runs a host ioctl whose argument is a size-byte struct: in, out, or neither. */
static long ioctl_struct(int fd, unsigned cmd, uint64_t arg, const struct umem *um, size_t size,
			 bool in, bool out)
{
	unsigned char buf[64] = { 0 };
	int err;

	if (in) {
		err = um->copy_in(um, arg, buf, size);
		if (err < 0)
			return err;
	}
	if (ioctl(fd, cmd, buf) < 0)
		return -errno;
	if (out) {
		err = um->copy_out(um, arg, buf, size);
		if (err < 0)
			return err;
	}
	return 0;
}

static long hostfd_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	int fd = host_fd(f->inode);

	switch (cmd) {
	case TCGETS:
		return ioctl_struct(fd, cmd, arg, um, KERNEL_TERMIOS_SIZE, false, true);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return ioctl_struct(fd, cmd, arg, um, KERNEL_TERMIOS_SIZE, true, false);
	case TIOCGWINSZ:
		return ioctl_struct(fd, cmd, arg, um, WINSIZE_SIZE, false, true);
	case TIOCSWINSZ:
		return ioctl_struct(fd, cmd, arg, um, WINSIZE_SIZE, true, false);
	case TIOCGPGRP:
	case FIONREAD:
		return ioctl_struct(fd, cmd, arg, um, sizeof(int), false, true);
	default:
		return -ENOTTY;
	}
}

static void hostfd_evict(struct inode *inode)
{
	close(host_fd(inode));
}

static const struct super_ops hostfd_sops = {
	.evict_inode = hostfd_evict,
};

static const struct inode_ops hostfd_iops = {
	.getattr = hostfd_getattr,
};

static const struct file_ops hostfd_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.fsync = hostfd_fsync,
	.setfl = hostfd_setfl,
	.poll = hostfd_poll,
};

int hostfd_file_new(int host_fd_in, unsigned flags, struct file **out)
{
	struct super_block *sb;
	struct inode *inode;
	struct stat st;
	int fd, err;

	fd = fcntl(host_fd_in, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	sb = sb_new(&hostfd_sops, "hostfd", 0);
	if (!sb) {
		close(fd);
		return -ENOMEM;
	}
	inode = inode_new(sb, st.st_mode);
	sb_put(sb); /* the inode holds it now */
	if (!inode) {
		close(fd);
		return -ENOMEM;
	}
	inode->priv = (void *)(intptr_t)fd;
	fill_from_host(inode, &st);
	inode->iops = &hostfd_iops;
	inode->fops = &hostfd_fops;
	err = file_new(NULL, inode, flags & ~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC),
		       out);
	inode_put(inode);
	return err;
}

int hostfd_wait_fd(struct file *f)
{
	return f->ops == &hostfd_fops ? host_fd(f->inode) : -1;
}
