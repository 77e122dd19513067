/*
 * read/write and their positional and vectored forms, and lseek. Guest buffers are
 * pinned and handed to the file as host iovecs into the memory file, a batch at a
 * time; a fault after some bytes moved ends the call with the bytes moved, as Linux.
 * A file that would block says -EAGAIN; unless it is O_NONBLOCK the task waits on its
 * waitq and retries (rw_call), so every file type with a waitq blocks the same way.
 */
#include <errno.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "fs/unix/unix.h"
#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define RW_MAX_IOV 64 /* host iovecs (and pins) per call down */
#define RW_BATCH (4UL << 20) /* bytes per call down */
#define RW_UIO_MAXIOV 1024

#ifndef RWF_HIPRI
#define RWF_HIPRI 0x01
#define RWF_DSYNC 0x02
#define RWF_SYNC 0x04
#define RWF_NOWAIT 0x08
#define RWF_APPEND 0x10
#endif

struct rw_batch {
	struct iovec iov[RW_MAX_IOV];
	struct mm_pin pins[RW_MAX_IOV];
	int niov, npins;
	size_t bytes;
};

static void batch_unpin(struct rw_batch *b)
{
	for (int i = 0; i < b->npins; i++)
		mm_unpin_iov(&b->pins[i]);
	b->npins = 0;
}

/* A stream (tty, pipe, socket) returns what it has: one call down per read. */
static bool is_stream(const struct file *f)
{
	return !S_ISREG(f->inode->mode) && !S_ISBLK(f->inode->mode);
}

/* Drops the first n bytes of iov[0..*cnt), in place. */
static struct iovec *iov_advance(struct iovec *iov, int *cnt, size_t n)
{
	while (*cnt && n >= iov->iov_len) {
		n -= iov->iov_len;
		iov++;
		(*cnt)--;
	}
	if (*cnt) {
		iov->iov_base = (char *)iov->iov_base + n;
		iov->iov_len -= n;
	}
	return iov;
}

/*
 * One call down for a batch of host iovecs, waiting while the file says -EAGAIN (unless
 * it is O_NONBLOCK or has no waitq). A blocking write to a stream (a pipe) goes on until
 * the whole batch is written, as Linux's pipe_write does; an interrupted wait returns the
 * bytes moved so far, or -ERESTARTSYS. -EPIPE from a write raises SIGPIPE, even after
 * a partial write.
 */
static ssize_t rw_call(struct task *t, struct file *f, struct iovec *iov, int cnt, int64_t *pos,
		       bool is_read)
{
	size_t done = 0;
	ssize_t n;
	int err;

	for (;;) {
		n = is_read ? vfs_readv(f, iov, cnt, pos) : vfs_writev(f, iov, cnt, pos);
		if (n > 0) {
			done += (size_t)n;
			if (is_read || (f->flags & O_NONBLOCK) || !is_stream(f) || !vfs_waitq(f))
				return (ssize_t)done;
			iov = iov_advance(iov, &cnt, (size_t)n);
			if (!cnt)
				return (ssize_t)done;
			continue;
		}
		/* Linux raises SIGPIPE for pipes and stream sockets, not for packet sockets */
		if (n == -EPIPE && !is_read && !(unix_is_socket(f) && unix_type(f) != SOCK_STREAM))
			sig_send(t, SIGPIPE, false);
		if (n != -EAGAIN || (f->flags & O_NONBLOCK))
			break;
		err = sys_wait_file(t, f, is_read ? POLLIN : POLLOUT, NULL);
		if (err == -EAGAIN)
			break; /* no waitq: the file's -EAGAIN stands */
		if (err) {
			n = -ERESTARTSYS;
			break;
		}
	}
	return done ? (ssize_t)done : n;
}

/*
 * Moves at most total bytes between f and the guest iovecs giov[0..gcnt). pos: NULL
 * for the file position. Returns bytes moved or -errno.
 */
static long do_rw(struct task *t, struct file *f, const struct linux_iovec *giov, int gcnt,
		  size_t total, int64_t *pos, bool is_read)
{
	struct rw_batch *b;
	size_t done = 0, goff = 0;
	int gi = 0;
	long ret = 0;

	if (total == 0)
		return is_read ? vfs_readv(f, NULL, 0, pos) : vfs_writev(f, NULL, 0, pos);
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->npins = 0;
	while (done < total) {
		bool fault = false;
		ssize_t n;

		b->niov = 0;
		b->bytes = 0;
		while (gi < gcnt && b->niov < RW_MAX_IOV && b->bytes < RW_BATCH &&
		       done + b->bytes < total) {
			size_t left = giov[gi].iov_len - goff, want, len;
			int got;

			if (left == 0) {
				gi++;
				goff = 0;
				continue;
			}
			want = MIN(MIN(left, RW_BATCH - b->bytes), total - done - b->bytes);
			len = want;
			ret = mm_pin_iov(t->mm, giov[gi].iov_base + goff, &len, is_read,
					 b->iov + b->niov, RW_MAX_IOV - b->niov, &got,
					 &b->pins[b->npins]);
			if (ret < 0) {
				fault = true;
				break;
			}
			b->npins++;
			b->niov += got;
			b->bytes += len;
			goff += len;
			/* short: out of iovecs, or a fault further on the next batch meets */
			if (len < want)
				break;
		}
		if (b->bytes == 0) {
			ret = fault ? -EFAULT : 0;
			break;
		}
		n = rw_call(t, f, b->iov, b->niov, pos, is_read);
		batch_unpin(b);
		if (n < 0) {
			ret = n;
			break;
		}
		done += (size_t)n;
		ret = 0;
		if ((size_t)n < b->bytes || (is_read && is_stream(f)))
			break;
	}
	batch_unpin(b);
	free(b);
	return done ? (long)done : ret;
}

/* The file at fd, checked for the access a read (or write) needs. */
static struct file *rw_file(struct task *t, int fd, bool is_read, long *err)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (is_read ? !file_readable(f) : !file_writable(f)) {
		file_put(f);
		*err = -EBADF;
		return NULL;
	}
	return f;
}

static long rw_flat(struct task *t, const struct sysargs *a, bool is_read, int64_t *pos)
{
	struct linux_iovec giov = { sysarg_addr(a, 1), sysarg_size(a, 2) };
	struct file *f;
	long ret;

	f = rw_file(t, sysarg_int(a, 0), is_read, &ret);
	if (!f)
		return ret;
	if (giov.iov_len > SYS_MAX_RW_COUNT)
		giov.iov_len = SYS_MAX_RW_COUNT;
	ret = do_rw(t, f, &giov, 1, giov.iov_len, pos, is_read);
	file_put(f);
	return ret;
}

/* read(2): bytes read, or -errno. */
long sys_read(struct task *t, const struct sysargs *a)
{
	return rw_flat(t, a, true, NULL);
}

/* write(2): bytes written, or -errno. */
long sys_write(struct task *t, const struct sysargs *a)
{
	return rw_flat(t, a, false, NULL);
}

/* pread64(2) */
long sys_pread64(struct task *t, const struct sysargs *a)
{
	int64_t pos = sysarg_long(a, 3);

	if (pos < 0)
		return -EINVAL;
	return rw_flat(t, a, true, &pos);
}

/* pwrite64(2) */
long sys_pwrite64(struct task *t, const struct sysargs *a)
{
	int64_t pos = sysarg_long(a, 3);

	if (pos < 0)
		return -EINVAL;
	return rw_flat(t, a, false, &pos);
}

/* Copies in and checks a guest iovec array; *total is the clamped byte count. */
static long iov_in(struct task *t, uaddr_t addr, int cnt, struct linux_iovec **out, size_t *total)
{
	struct linux_iovec *v;
	uint64_t sum = 0;
	long err;

	*out = NULL;
	*total = 0;
	if (cnt < 0 || cnt > RW_UIO_MAXIOV)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	v = malloc((size_t)cnt * sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = task_copy_in(t, addr, v, (size_t)cnt * sizeof(*v));
	if (err < 0) {
		free(v);
		return err;
	}
	for (int i = 0; i < cnt; i++) {
		if ((int64_t)v[i].iov_len < 0 || v[i].iov_len > (uint64_t)INT64_MAX - sum) {
			free(v);
			return -EINVAL;
		}
		sum += v[i].iov_len;
	}
	*out = v;
	*total = sum > SYS_MAX_RW_COUNT ? SYS_MAX_RW_COUNT : (size_t)sum;
	return 0;
}

static long rw_vec(struct task *t, int fd, uaddr_t uiov, int cnt, int64_t *pos, bool is_read)
{
	struct linux_iovec *giov;
	struct file *f;
	size_t total;
	long ret;

	f = rw_file(t, fd, is_read, &ret);
	if (!f)
		return ret;
	ret = iov_in(t, uiov, cnt, &giov, &total);
	if (ret == 0)
		ret = do_rw(t, f, giov, cnt, total, pos, is_read);
	free(giov);
	file_put(f);
	return ret;
}

/* readv(2) */
long sys_readv(struct task *t, const struct sysargs *a)
{
	return rw_vec(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2), NULL, true);
}

/* writev(2) */
long sys_writev(struct task *t, const struct sysargs *a)
{
	return rw_vec(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2), NULL, false);
}

/* preadv(2): on x86-64 the offset is the whole of pos_l. */
long sys_preadv(struct task *t, const struct sysargs *a)
{
	int64_t pos = sysarg_long(a, 3);

	if (pos < 0)
		return -EINVAL;
	return rw_vec(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2), &pos, true);
}

/* pwritev(2) */
long sys_pwritev(struct task *t, const struct sysargs *a)
{
	int64_t pos = sysarg_long(a, 3);

	if (pos < 0)
		return -EINVAL;
	return rw_vec(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2), &pos, false);
}

/* preadv2/pwritev2: offset -1 means the file position; the sync hints are accepted,
 * RWF_NOWAIT / RWF_APPEND and anything unknown are -EOPNOTSUPP. */
static long rw_vec2(struct task *t, const struct sysargs *a, bool is_read)
{
	int64_t pos = sysarg_long(a, 3);
	uint64_t flags = sysarg_size(a, 5);

	if (flags & ~(uint64_t)(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP;
	if (pos < -1)
		return -EINVAL;
	return rw_vec(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2),
		      pos == -1 ? NULL : &pos, is_read);
}

long sys_preadv2(struct task *t, const struct sysargs *a)
{
	return rw_vec2(t, a, true);
}

long sys_pwritev2(struct task *t, const struct sysargs *a)
{
	return rw_vec2(t, a, false);
}

/* lseek(2): the new offset, or -errno. */
long sys_lseek(struct task *t, const struct sysargs *a)
{
	struct file *f = fdt_get(t->fdt, sysarg_int(a, 0));
	unsigned whence = sysarg_uint(a, 2);
	long ret;

	if (!f)
		return -EBADF;
	if (whence > SEEK_HOLE)
		ret = -EINVAL;
	else
		ret = vfs_llseek(f, sysarg_long(a, 1), (int)whence);
	file_put(f);
	return ret;
}
