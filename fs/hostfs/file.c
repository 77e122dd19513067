/*
 * Open hostfs files: regular files are reopened O_RDONLY through their parent's fd and
 * name (and checked to be the same host object), directories through their own O_PATH
 * fd. Reads go straight into the caller's iovecs with preadv; a directory is read
 * whole into a snapshot whose indexes are the getdents cookies.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/hostfs/internal.h"

struct dir_snapshot {
	char *buf; /* host linux_dirent64 records */
	size_t *offs; /* offset of each entry but "." and ".." */
	size_t n;
};

struct hostfs_file {
	int fd;
	struct dir_snapshot snap;
};

/* Host linux_dirent64, as getdents64 returns it. */
struct host_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static int reopen(struct inode *inode, int flags)
{
	struct hostfs_inode *hi = HI(inode);
	struct stat st;
	int fd;

	if (S_ISDIR(inode->mode))
		fd = openat(hi->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (hi->parent)
		fd = openat(HI(hi->parent)->fd, hi->name,
			    flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	else
		return -EACCES;
	if (fd < 0)
		return -errno;
	/* the name may have been replaced on the host since the lookup */
	if (fstat(fd, &st) < 0 || st.st_ino != inode->ino || st.st_dev != hi->hdev) {
		close(fd);
		return -ESTALE;
	}
	pthread_mutex_lock(&inode->lock);
	hostfs_set_attrs(inode, &st);
	pthread_mutex_unlock(&inode->lock);
	return fd;
}

int hostfs_file_open(struct inode *inode, struct file *f)
{
	struct hostfs_file *hf;
	int fd;

	/* host devices, FIFOs and sockets are not the sandbox's (fs/dev serves /dev) */
	if (!S_ISREG(inode->mode) && !S_ISDIR(inode->mode))
		return -EACCES;
	fd = reopen(inode, O_RDONLY);
	if (fd < 0)
		return fd;
	hf = calloc(1, sizeof(*hf));
	if (!hf) {
		close(fd);
		return -ENOMEM;
	}
	hf->fd = fd;
	f->priv = hf;
	return 0;
}

static void hostfs_release(struct file *f)
{
	struct hostfs_file *hf = f->priv;

	if (!hf)
		return;
	close(hf->fd);
	free(hf->snap.buf);
	free(hf->snap.offs);
	free(hf);
}

static ssize_t hostfs_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct hostfs_file *hf = f->priv;
	ssize_t n;

	do {
		n = preadv(hf->fd, iov, iovcnt, *pos);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*pos += n;
	return n;
}

static void snapshot_free(struct dir_snapshot *s)
{
	free(s->buf);
	free(s->offs);
	memset(s, 0, sizeof(*s));
}

/* Reads the whole host directory from its start. */
static int snapshot_take(int fd, struct dir_snapshot *s)
{
	size_t cap = 32768, used = 0, ncap = 0;
	int err = -ENOMEM;
	char *buf;
	ssize_t n;

	snapshot_free(s);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - used < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto out_free;
			buf = nb;
			cap *= 2;
		}
		n = getdents64(fd, buf + used, cap - used);
		if (n < 0) {
			err = -errno;
			goto out_free;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	s->buf = buf;
	for (size_t off = 0; off < used;) {
		struct host_dirent64 *d = (struct host_dirent64 *)(buf + off);

		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			if (s->n == ncap) {
				size_t *no = realloc(s->offs, (ncap ? ncap * 2 : 64) * sizeof(*no));

				if (!no) {
					snapshot_free(s);
					return -ENOMEM;
				}
				s->offs = no;
				ncap = ncap ? ncap * 2 : 64;
			}
			s->offs[s->n++] = off;
		}
		off += d->d_reclen;
	}
	return 0;
out_free:
	free(buf);
	return err;
}

static int hostfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct hostfs_file *hf = f->priv;
	int err;

	if (HI(f->inode)->hidden)
		return 0;
	/* a walk from the start (or a rewind) sees the directory as it is now */
	if (!hf->snap.buf || ctx->pos == 2) {
		err = snapshot_take(hf->fd, &hf->snap);
		if (err < 0)
			return err;
	}
	for (int64_t i = ctx->pos - 2; i >= 0 && (uint64_t)i < hf->snap.n; i++) {
		struct host_dirent64 *d = (struct host_dirent64 *)(hf->snap.buf + hf->snap.offs[i]);

		ctx->pos = i + 2;
		if (!ctx->actor(ctx, d->d_name, strlen(d->d_name), d->d_ino, d->d_type))
			return 0;
		ctx->pos = i + 3;
	}
	return 0;
}

const struct file_ops hostfs_file_fops = {
	.read = hostfs_read,
	.release = hostfs_release,
};

const struct file_ops hostfs_dir_fops = {
	.iterate = hostfs_iterate,
	.release = hostfs_release,
};
