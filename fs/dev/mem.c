/*
 * The memory character devices (Linux's drivers/char/mem.c, major 1): null, zero,
 * full, random and urandom, served entirely in the sentry.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "fs/dev/devfs.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"

static ssize_t write_all(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	size_t n = iov_length(iov, iovcnt);

	return n > SSIZE_MAX ? SSIZE_MAX : (ssize_t)n;
}

static ssize_t read_eof(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	return 0;
}

static ssize_t read_zero(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct iov_iter it;

	iov_iter_init(&it, iov, iovcnt);
	return (ssize_t)iov_iter_zero(&it, iov_length(iov, iovcnt));
}

static ssize_t write_full(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	return iov_length(iov, iovcnt) ? -ENOSPC : 0;
}

static ssize_t read_random(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	size_t done = 0;

	for (int i = 0; i < iovcnt; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len) {
			ssize_t n =
				getrandom((char *)iov[i].iov_base + off, iov[i].iov_len - off, 0);

			if (n < 0) {
				if (errno == EINTR && !done)
					return -EINTR;
				return done ? (ssize_t)done : -errno;
			}
			off += (size_t)n;
			done += (size_t)n;
		}
	}
	return (ssize_t)done;
}

/* Seeking these devices is accepted and means nothing, as on Linux. */
static int64_t seek_zero(struct file *f, int64_t off, int whence)
{
	return 0;
}

static const struct file_ops null_fops = {
	.read = read_eof,
	.write = write_all,
	.llseek = seek_zero,
};

static const struct file_ops zero_fops = {
	.read = read_zero,
	.write = write_all,
	.llseek = seek_zero,
};

static const struct file_ops full_fops = {
	.read = read_zero,
	.write = write_full,
	.llseek = seek_zero,
};

static const struct file_ops random_fops = {
	.read = read_random,
	.write = write_all,
	.llseek = seek_zero,
};

static void register_devices(void)
{
	vfs_chrdev_register(makedev(1, 3), &null_fops);
	vfs_chrdev_register(makedev(1, 5), &zero_fops);
	vfs_chrdev_register(makedev(1, 7), &full_fops);
	vfs_chrdev_register(makedev(1, 8), &random_fops);
	vfs_chrdev_register(makedev(1, 9), &random_fops);
}

void devfs_register_devices(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_devices);
}
