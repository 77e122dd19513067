/*
 * The generic halves of sendfile, splice and copy_file_range (see splice.h): file reads
 * and writes as pipe actors, and the bounce-buffer copy between two files.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/pipe/pipe.h"
#include "fs/vfs/splice.h"
#include "fs/vfs/vfs.h"

struct file_actor {
	struct file *f;
	int64_t *pos;
};

static ssize_t read_actor(void *arg, const struct iovec *iov, int iovcnt)
{
	struct file_actor *a = arg;

	return vfs_readv(a->f, iov, iovcnt, a->pos);
}

static ssize_t write_actor(void *arg, const struct iovec *iov, int iovcnt)
{
	struct file_actor *a = arg;

	return vfs_writev(a->f, iov, iovcnt, a->pos);
}

/* Linux reads into a pipe only through ->splice_read: directories and pipes have none. */
static bool splice_readable(struct file *f)
{
	return !S_ISDIR(f->inode->mode) && !pipe_is_pipe(f) && f->ops && f->ops->read;
}

ssize_t vfs_splice_read(struct file *in, int64_t *pos, struct file *pipe_wr, size_t len)
{
	struct file_actor a = { in, pos };

	if (!splice_readable(in))
		return -EINVAL;
	return pipe_splice_in(pipe_wr, len, read_actor, &a);
}

ssize_t vfs_splice_write(struct file *pipe_rd, struct file *out, int64_t *pos, size_t len)
{
	struct file_actor a = { out, pos };

	if (!out->ops || !out->ops->write)
		return -EINVAL;
	return pipe_splice_out(pipe_rd, len, write_actor, &a);
}

ssize_t vfs_copy_chunk(struct file *in, int64_t *in_pos, struct file *out, int64_t *out_pos,
		       void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	int64_t start = in_pos ? *in_pos : 0;
	ssize_t got, put;

	if (!splice_readable(in))
		return -EINVAL;
	got = vfs_readv(in, &iov, 1, in_pos);
	if (got <= 0)
		return got;
	iov.iov_len = (size_t)got;
	put = vfs_writev(out, &iov, 1, out_pos);
	if (put < got) {
		/* what out did not take is still to be read next time */
		int64_t kept = put > 0 ? put : 0;

		if (in_pos)
			*in_pos = start + kept;
		else if (vfs_file_positional(in))
			vfs_llseek(in, kept - got, SEEK_CUR);
	}
	return put;
}

bool vfs_file_positional(struct file *f)
{
	return !pipe_is_pipe(f) && vfs_llseek(f, 0, SEEK_CUR) != -ESPIPE;
}
