/*
 * Synthetic regular files: the text buffer, content built once per open (seq_file's
 * single_open), reads at any offset from that snapshot, and writes handed to store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/synth/internal.h"
#include "fs/vfs/iov.h"

/* The most one write(2) to a synthetic file passes to store (Linux's proc files take a
 * page at most too). */
#define SYNTH_STORE_MAX 4096

void synth_buf_init(struct synth_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void synth_buf_free(struct synth_buf *b)
{
	free(b->data);
	synth_buf_init(b);
}

static bool synth_reserve(struct synth_buf *b, size_t more)
{
	size_t cap;
	char *n;

	if (b->err)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	n = realloc(b->data, cap);
	if (!n) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = n;
	b->cap = cap;
	return true;
}

void synth_write(struct synth_buf *b, const void *data, size_t len)
{
	if (!synth_reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void synth_puts(struct synth_buf *b, const char *s)
{
	synth_write(b, s, strlen(s));
}

void synth_print_bitlist(struct synth_buf *b, uint64_t mask)
{
	bool first = true;

	for (int i = 0; i < 64; i++) {
		int j = i;

		if (!(mask & (1ULL << i)))
			continue;
		while (j + 1 < 64 && (mask & (1ULL << (j + 1))))
			j++;
		synth_printf(b, first ? "%d" : ",%d", i);
		if (j > i)
			synth_printf(b, "-%d", j);
		first = false;
		i = j;
	}
}

void synth_vprintf(struct synth_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !synth_reserve(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void synth_printf(struct synth_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	synth_vprintf(b, fmt, ap);
	va_end(ap);
}

int synth_open(struct inode *inode, struct file *f)
{
	const struct synth_ops *ops = synth_i(inode)->ops;
	struct synth_buf *b;
	int err = 0;

	if (!S_ISREG(inode->mode))
		return 0;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (file_readable(f) && ops && ops->show) {
		err = ops->show(inode, b);
		if (!err)
			err = b->err;
		if (err) {
			synth_buf_free(b);
			free(b);
			return err;
		}
	}
	f->priv = b;
	return 0;
}

static ssize_t synth_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct synth_buf *b = f->priv;
	struct iov_iter it;
	size_t n;

	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= b->len)
		return 0;
	iov_iter_init(&it, iov, iovcnt);
	n = iov_iter_copy_to(&it, b->data + *pos, b->len - (size_t)*pos);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static ssize_t synth_file_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	const struct synth_ops *ops = synth_i(f->inode)->ops;
	char buf[SYNTH_STORE_MAX + 1];
	struct iov_iter it;
	size_t len;
	ssize_t ret;

	if (!ops || !ops->store)
		return -EINVAL;
	iov_iter_init(&it, iov, iovcnt);
	len = iov_iter_copy_from(&it, buf, SYNTH_STORE_MAX);
	buf[len] = '\0';
	ret = ops->store(f->inode, buf, len);
	if (ret > 0)
		*pos += ret;
	return ret;
}

static int64_t synth_llseek(struct file *f, int64_t off, int whence)
{
	struct synth_buf *b = f->priv;
	int64_t base, ret;

	pthread_mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = (int64_t)b->len;
		break;
	default:
		pthread_mutex_unlock(&f->pos_lock);
		return -EINVAL;
	}
	ret = base + off;
	if ((off > 0 && ret < base) || ret < 0) {
		ret = -EINVAL;
	} else {
		f->pos = ret;
	}
	pthread_mutex_unlock(&f->pos_lock);
	return ret;
}

static void synth_release(struct file *f)
{
	struct synth_buf *b = f->priv;

	if (b) {
		synth_buf_free(b);
		free(b);
	}
}

const struct file_ops synth_file_fops = {
	.read = synth_read,
	.write = synth_file_write,
	.llseek = synth_llseek,
	.release = synth_release,
};

static int string_show(struct inode *inode, struct synth_buf *b)
{
	synth_puts(b, synth_i(inode)->data);
	return 0;
}

const struct synth_ops synth_string_ops = {
	.show = string_show,
};
