/*
 * sendfile(2), copy_file_range(2), and the page-cache hints readahead(2) and
 * fadvise64(2). sendfile to a pipe is a splice into it (sys_splice.c); every other copy
 * goes through one bounce buffer of VFS_COPY_CHUNK bytes per call, whatever the count,
 * and stops early (with the bytes copied) when a signal is pending.
 *
 * Warden keeps no page cache of its own for these files beyond what a filesystem does,
 * so the hints are validated as Linux validates them and otherwise have no effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs/pipe/pipe.h"
#include "fs/vfs/splice.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_splice.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define FADV_MAX 5 /* POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE */

/*
 * Copies up to count bytes from in to out through a bounce buffer, in chunks; positions
 * as in vfs_copy_chunk. Stops at the first short chunk (end of file, a short write, or a
 * stream that had less to give) or when a signal is pending. Bytes copied, or -errno
 * when nothing was.
 */
static long copy_loop(struct task *t, struct file *in, int64_t *in_pos, struct file *out,
		      int64_t *out_pos, size_t count)
{
	size_t done = 0;
	ssize_t n = 0;
	void *buf;

	if (!count)
		return 0;
	buf = malloc(MIN(count, VFS_COPY_CHUNK));
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t want = MIN(count - done, VFS_COPY_CHUNK);

		n = vfs_copy_chunk(in, in_pos, out, out_pos, buf, want);
		if (n == -EAGAIN && !(out->flags & O_NONBLOCK)) {
			int err = sys_wait_file(t, out, POLLOUT, NULL);

			if (!err)
				continue;
			n = err == -EINTR ? -ERESTARTSYS : n;
		}
		if (n <= 0)
			break;
		done += (size_t)n;
		if ((size_t)n < want || sig_pending(t))
			break;
	}
	free(buf);
	return done ? (long)done : n;
}

/* do_sendfile: pos NULL uses (and moves) in's file position. */
static long do_sendfile(struct task *t, int out_fd, int in_fd, int64_t *pos, size_t count)
{
	struct file *in, *out;
	long ret;

	in = splice_fdget(t, in_fd);
	if (!in)
		return -EBADF;
	ret = -EBADF;
	if (!file_readable(in))
		goto out_put_in;
	ret = -ESPIPE;
	if (pos && !vfs_file_positional(in))
		goto out_put_in;
	ret = -EINVAL;
	if ((int64_t)count < 0 || (pos && !splice_range_ok(*pos, count)))
		goto out_put_in;
	count = MIN(count, (size_t)SYS_MAX_RW_COUNT);
	ret = -EBADF;
	out = splice_fdget(t, out_fd);
	if (!out)
		goto out_put_in;
	if (!file_writable(out)) {
		ret = -EBADF;
	} else if (pipe_is_pipe(out)) {
		/* Only the pipe's O_NONBLOCK counts (Linux ignores in's, see do_sendfile). */
		struct splice_req r = { .kind = SPLICE_TO_PIPE,
					.in = in,
					.out = out,
					.in_pos = pos,
					.len = count,
					.nonblock = out->flags & O_NONBLOCK };

		ret = splice_run(t, &r);
	} else if (out->flags & O_APPEND) {
		ret = -EINVAL;
	} else {
		ret = copy_loop(t, in, pos, out, NULL, count);
	}
	file_put(out);
out_put_in:
	file_put(in);
	return ret;
}

/* sendfile(2) (sendfile64 on x86-64): the offset is written back even on failure. */
long sys_sendfile(struct task *t, const struct sysargs *a)
{
	uaddr_t uoff = sysarg_addr(a, 2);
	int64_t off;
	long ret;

	if (!uoff)
		return do_sendfile(t, sysarg_int(a, 0), sysarg_int(a, 1), NULL, sysarg_size(a, 3));
	if (task_copy_in(t, uoff, &off, sizeof(off)) < 0)
		return -EFAULT;
	ret = do_sendfile(t, sysarg_int(a, 0), sysarg_int(a, 1), &off, sysarg_size(a, 3));
	if (task_copy_out(t, uoff, &off, sizeof(off)) < 0)
		return -EFAULT;
	return ret;
}

/* ---- copy_file_range ---- */

static int64_t file_pos(struct file *f)
{
	int64_t pos;

	pthread_mutex_lock(&f->pos_lock);
	pos = f->pos;
	pthread_mutex_unlock(&f->pos_lock);
	return pos;
}

static void set_file_pos(struct file *f, int64_t pos)
{
	pthread_mutex_lock(&f->pos_lock);
	f->pos = pos;
	pthread_mutex_unlock(&f->pos_lock);
}

/*
 * generic_copy_file_checks and rw_verify_area: file types, modes, the same filesystem
 * (no filesystem here copies across superblocks), wrap-around, the copy shortened to
 * in's end, no overlap within one file. 0 and *len adjusted, or -errno.
 */
static long copy_checks(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out,
			size_t *len)
{
	uint64_t count = *len;
	struct kstat st;
	long err;

	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode))
		return -EISDIR;
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode))
		return -EINVAL;
	if (!file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
		return -EBADF;
	if (in->inode->sb != out->inode->sb)
		return -EXDEV;
	if ((uint64_t)pos_in + count < (uint64_t)pos_in ||
	    (uint64_t)pos_out + count < (uint64_t)pos_out)
		return -EOVERFLOW;
	err = vfs_fstat(in, &st);
	if (err < 0)
		return err;
	count = pos_in >= st.size ? 0 : MIN(count, (uint64_t)(st.size - pos_in));
	if (in->inode == out->inode && (uint64_t)pos_out + count > (uint64_t)pos_in &&
	    (uint64_t)pos_out < (uint64_t)pos_in + count)
		return -EINVAL;
	if (!splice_range_ok(pos_in, count) || !splice_range_ok(pos_out, count))
		return -EINVAL;
	*len = (size_t)count;
	return 0;
}

long sys_copy_file_range(struct task *t, const struct sysargs *a)
{
	uaddr_t uoff_in = sysarg_addr(a, 1), uoff_out = sysarg_addr(a, 3);
	size_t len = sysarg_size(a, 4);
	int64_t pos_in, pos_out;
	struct file *in, *out;
	long ret;

	in = splice_fdget(t, sysarg_int(a, 0));
	if (!in)
		return -EBADF;
	ret = -EBADF;
	out = splice_fdget(t, sysarg_int(a, 2));
	if (!out)
		goto out_put_in;
	ret = -EFAULT;
	if (uoff_in ? task_copy_in(t, uoff_in, &pos_in, sizeof(pos_in)) < 0 :
		      (pos_in = file_pos(in), false))
		goto out_put_out;
	if (uoff_out ? task_copy_in(t, uoff_out, &pos_out, sizeof(pos_out)) < 0 :
		       (pos_out = file_pos(out), false))
		goto out_put_out;
	ret = -EINVAL;
	if (sysarg_uint(a, 5))
		goto out_put_out;
	ret = copy_checks(in, pos_in, out, pos_out, &len);
	if (ret < 0 || !len)
		goto out_put_out;
	ret = copy_loop(t, in, &pos_in, out, &pos_out, MIN(len, (size_t)SYS_MAX_RW_COUNT));
	if (ret <= 0)
		goto out_put_out;
	if (!uoff_in)
		set_file_pos(in, pos_in);
	else if (task_copy_out(t, uoff_in, &pos_in, sizeof(pos_in)) < 0)
		ret = -EFAULT;
	if (!uoff_out)
		set_file_pos(out, pos_out);
	else if (task_copy_out(t, uoff_out, &pos_out, sizeof(pos_out)) < 0)
		ret = -EFAULT;
out_put_out:
	file_put(out);
out_put_in:
	file_put(in);
	return ret;
}

/* ---- hints ---- */

/* readahead(2): only regular files can be read ahead. */
long sys_readahead(struct task *t, const struct sysargs *a)
{
	struct file *f = splice_fdget(t, sysarg_int(a, 0));
	long ret = 0;

	if (!f)
		return -EBADF;
	if (!file_readable(f))
		ret = -EBADF;
	else if (!S_ISREG(f->inode->mode) || (int64_t)sysarg_size(a, 2) < 0)
		ret = -EINVAL;
	file_put(f);
	return ret;
}

/* fadvise64(2): a pipe has no pages to advise about (-ESPIPE), whatever the advice. */
long sys_fadvise64(struct task *t, const struct sysargs *a)
{
	struct file *f = splice_fdget(t, sysarg_int(a, 0));
	int advice = sysarg_int(a, 3);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (pipe_is_pipe(f) || S_ISFIFO(f->inode->mode))
		ret = -ESPIPE;
	else if (advice < 0 || advice > FADV_MAX)
		ret = -EINVAL;
	file_put(f);
	return ret;
}
