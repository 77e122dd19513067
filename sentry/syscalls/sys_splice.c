/*
 * splice(2), tee(2) and vmsplice(2): decode and check in the order Linux's fs/splice.c
 * does (it decides which errno a caller sees when several apply), then fs/pipe and
 * fs/vfs/splice.c move the data while the task waits on the pipes' waitqs whenever a
 * blocking call cannot progress.
 *
 * Nonblocking: SPLICE_F_NONBLOCK, or O_NONBLOCK on the pipe end a transfer waits for
 * (both ends between pipes). vmsplice only honours the flag, as Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>

#include "fs/pipe/pipe.h"
#include "fs/vfs/splice.h"
#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_splice.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define VMSPLICE_MAX_IOV 1024 /* UIO_MAXIOV */

struct file *splice_fdget(struct task *t, int fd)
{
	struct file *f = fdt_get(t->fdt, fd);

	if (f && (f->flags & O_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

static int wait_result(int err)
{
	return err == -EINTR ? -ERESTARTSYS : err;
}

int splice_wait(struct task *t, struct file *in, struct file *out)
{
	if (!(vfs_poll(in, POLLIN) & (POLLIN | POLLHUP | POLLERR)))
		return wait_result(sys_wait_file(t, in, POLLIN, NULL));
	if (!(vfs_poll(out, POLLOUT) & (POLLOUT | POLLHUP | POLLERR)))
		return wait_result(sys_wait_file(t, out, POLLOUT, NULL));
	/* Both ready now: what held the transfer up changed since (a writer came). */
	return 0;
}

static long splice_step(const struct splice_req *r)
{
	switch (r->kind) {
	case SPLICE_TO_PIPE:
		return vfs_splice_read(r->in, r->in_pos, r->out, r->len);
	case SPLICE_FROM_PIPE:
		return vfs_splice_write(r->in, r->out, r->out_pos, r->len);
	case SPLICE_PIPES:
		return pipe_splice_pipe(r->in, r->out, r->len, false);
	case SPLICE_TEE:
		return pipe_splice_pipe(r->in, r->out, r->len, true);
	}
	return -EINVAL;
}

long splice_run(struct task *t, const struct splice_req *r)
{
	long ret;
	int err;

	for (;;) {
		ret = splice_step(r);
		if (ret != -EAGAIN || r->nonblock)
			break;
		err = splice_wait(t, r->in, r->out);
		if (err) {
			ret = err;
			break;
		}
	}
	if (ret == -EPIPE)
		sig_send(t, SIGPIPE, false);
	return ret;
}

/* The part of do_splice after the descriptors: offsets, modes, then the transfer. */
static long do_splice(struct task *t, struct file *in, uaddr_t uoff_in, struct file *out,
		      uaddr_t uoff_out, size_t len, unsigned flags)
{
	struct splice_req r = { .in = in, .out = out, .nonblock = flags & SPLICE_F_NONBLOCK };
	bool ipipe = pipe_is_pipe(in), opipe = pipe_is_pipe(out);
	int64_t off_in = 0, off_out = 0;
	long ret;

	if ((ipipe && uoff_in) || (opipe && uoff_out))
		return -ESPIPE;
	if (uoff_out && task_copy_in(t, uoff_out, &off_out, sizeof(off_out)) < 0)
		return -EFAULT;
	if (uoff_in && task_copy_in(t, uoff_in, &off_in, sizeof(off_in)) < 0)
		return -EFAULT;
	if (!file_readable(in) || !file_writable(out))
		return -EBADF;
	if (ipipe && opipe) {
		r.kind = SPLICE_PIPES;
		if ((in->flags | out->flags) & O_NONBLOCK)
			r.nonblock = true;
	} else if (ipipe) {
		if (uoff_out && !vfs_file_positional(out))
			return -EINVAL;
		if (out->flags & O_APPEND)
			return -EINVAL;
		if (uoff_out && !splice_range_ok(off_out, len))
			return -EINVAL;
		r.kind = SPLICE_FROM_PIPE;
		r.out_pos = uoff_out ? &off_out : NULL;
		if (in->flags & O_NONBLOCK)
			r.nonblock = true;
	} else if (opipe) {
		if (uoff_in && !vfs_file_positional(in))
			return -EINVAL;
		if (uoff_in && off_in < 0)
			return -EINVAL;
		r.kind = SPLICE_TO_PIPE;
		r.in_pos = uoff_in ? &off_in : NULL;
		if (out->flags & O_NONBLOCK)
			r.nonblock = true;
	} else {
		return -EINVAL;
	}
	r.len = MIN(len, (size_t)SYS_MAX_RW_COUNT);
	ret = splice_run(t, &r);
	if (ret < 0)
		return ret;
	if (uoff_out && task_copy_out(t, uoff_out, &off_out, sizeof(off_out)) < 0)
		return -EFAULT;
	if (uoff_in && task_copy_out(t, uoff_in, &off_in, sizeof(off_in)) < 0)
		return -EFAULT;
	return ret;
}

/* splice(2): bytes moved, or -errno. A zero length succeeds before anything is checked. */
long sys_splice(struct task *t, const struct sysargs *a)
{
	size_t len = sysarg_size(a, 4);
	unsigned flags = sysarg_uint(a, 5);
	struct file *in, *out;
	long ret;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in = splice_fdget(t, sysarg_int(a, 0));
	if (!in)
		return -EBADF;
	out = splice_fdget(t, sysarg_int(a, 2));
	if (!out) {
		ret = -EBADF;
		goto out_put_in;
	}
	ret = do_splice(t, in, sysarg_addr(a, 1), out, sysarg_addr(a, 3), len, flags);
	file_put(out);
out_put_in:
	file_put(in);
	return ret;
}

/* tee(2): bytes duplicated from one pipe into another, or -errno. */
long sys_tee(struct task *t, const struct sysargs *a)
{
	size_t len = sysarg_size(a, 2);
	unsigned flags = sysarg_uint(a, 3);
	struct splice_req r = { .kind = SPLICE_TEE, .len = len };
	long ret;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	r.in = splice_fdget(t, sysarg_int(a, 0));
	if (!r.in)
		return -EBADF;
	r.out = splice_fdget(t, sysarg_int(a, 1));
	if (!r.out) {
		ret = -EBADF;
		goto out_put_in;
	}
	if (!file_readable(r.in) || !file_writable(r.out)) {
		ret = -EBADF;
	} else if (!pipe_is_pipe(r.in) || !pipe_is_pipe(r.out)) {
		ret = -EINVAL;
	} else {
		r.nonblock =
			(flags & SPLICE_F_NONBLOCK) || ((r.in->flags | r.out->flags) & O_NONBLOCK);
		ret = splice_run(t, &r);
	}
	file_put(r.out);
out_put_in:
	file_put(r.in);
	return ret;
}

/* ---- vmsplice ----
 *
 * The data is copied into whole slot pages: Linux instead references the caller's pages,
 * one slot per page touched, so an unaligned buffer fits a little more here than there
 * (hence PARTIAL in the table). SPLICE_F_GIFT is accepted and means nothing for a copy.
 */

/* A cursor over the guest's iovecs; left caps the whole transfer. */
struct guest_iter {
	struct task *t;
	const struct linux_iovec *iov;
	int n;
	uint64_t off;
	size_t left;
};

/*
 * Copies between host iovecs (slot pages) and the guest's memory at the cursor, a guest
 * page at most at a time so a fault ends the copy exactly where the bad page starts.
 * Bytes copied, or -EFAULT if not even the first byte could be.
 */
static ssize_t guest_copy(struct guest_iter *g, const struct iovec *iov, int cnt, bool to_guest)
{
	size_t done = 0;

	for (int i = 0; i < cnt; i++) {
		char *host = iov[i].iov_base;
		size_t hlen = iov[i].iov_len, hoff = 0;

		while (hoff < hlen && g->left) {
			uaddr_t at;
			size_t k;
			int err;

			while (g->n && g->off == g->iov->iov_len) {
				g->iov++;
				g->n--;
				g->off = 0;
			}
			if (!g->n)
				return (ssize_t)done;
			at = g->iov->iov_base + g->off;
			k = MIN(hlen - hoff, (size_t)(g->iov->iov_len - g->off));
			k = MIN(MIN(k, g->left), PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			err = to_guest ? task_copy_out(g->t, at, host + hoff, k) :
					 task_copy_in(g->t, at, host + hoff, k);
			if (err < 0)
				return done ? (ssize_t)done : -EFAULT;
			hoff += k;
			g->off += k;
			g->left -= k;
			done += k;
		}
	}
	return (ssize_t)done;
}

static ssize_t guest_fill(void *arg, const struct iovec *iov, int cnt)
{
	return guest_copy(arg, iov, cnt, false);
}

static ssize_t guest_drain(void *arg, const struct iovec *iov, int cnt)
{
	return guest_copy(arg, iov, cnt, true);
}

/* import_iovec: the guest's array, checked; *total is clamped to MAX_RW_COUNT. */
static long vmsplice_iov_in(struct task *t, uaddr_t uiov, uint64_t nr, struct linux_iovec **out,
			    size_t *total)
{
	struct linux_iovec *v;
	uint64_t sum = 0;

	*out = NULL;
	*total = 0;
	if (nr > VMSPLICE_MAX_IOV)
		return -EINVAL;
	if (!nr)
		return 0;
	v = malloc(nr * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (task_copy_in(t, uiov, v, nr * sizeof(*v)) < 0) {
		free(v);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < nr; i++) {
		if ((int64_t)v[i].iov_len < 0 || v[i].iov_len > (uint64_t)INT64_MAX - sum) {
			free(v);
			return -EINVAL;
		}
		sum += v[i].iov_len;
	}
	*out = v;
	*total = MIN(sum, (uint64_t)SYS_MAX_RW_COUNT);
	return 0;
}

/* The guest's pages into the pipe (copied): waits for a free slot, then adds what fits. */
static long vmsplice_to_pipe(struct task *t, struct file *f, struct guest_iter *g, bool nonblock)
{
	long ret;
	int err;

	for (;;) {
		ret = pipe_splice_in(f, g->left, guest_fill, g);
		if (ret != -EAGAIN || nonblock)
			break;
		err = wait_result(sys_wait_file(t, f, POLLOUT, NULL));
		if (err) {
			ret = err;
			break;
		}
	}
	if (ret == -EPIPE)
		sig_send(t, SIGPIPE, false);
	return ret;
}

/* The pipe's data into the guest's buffers: waits for data, then takes what is there. */
static long vmsplice_to_user(struct task *t, struct file *f, struct guest_iter *g, bool nonblock)
{
	long ret;
	int err;

	for (;;) {
		ret = pipe_splice_out(f, g->left, guest_drain, g);
		if (ret != -EAGAIN || nonblock)
			return ret;
		err = wait_result(sys_wait_file(t, f, POLLIN, NULL));
		if (err)
			return err;
	}
}

/* vmsplice(2): a write end takes the guest's data, a read end gives its data to the
 * guest. Bytes moved, or -errno. */
long sys_vmsplice(struct task *t, const struct sysargs *a)
{
	unsigned flags = sysarg_uint(a, 3);
	struct guest_iter g = { .t = t };
	struct linux_iovec *v;
	struct file *f;
	bool to_pipe;
	long ret;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	f = splice_fdget(t, sysarg_int(a, 0));
	if (!f)
		return -EBADF;
	to_pipe = file_writable(f);
	if (!to_pipe && !file_readable(f)) {
		ret = -EBADF;
		goto out_put;
	}
	ret = vmsplice_iov_in(t, sysarg_addr(a, 1), sysarg_size(a, 2), &v, &g.left);
	if (ret < 0)
		goto out_put;
	g.iov = v;
	g.n = (int)sysarg_size(a, 2);
	if (!g.left)
		ret = 0;
	else if (!pipe_is_pipe(f))
		ret = -EBADF;
	else if (to_pipe)
		ret = vmsplice_to_pipe(t, f, &g, flags & SPLICE_F_NONBLOCK);
	else
		ret = vmsplice_to_user(t, f, &g, flags & SPLICE_F_NONBLOCK);
	free(v);
out_put:
	file_put(f);
	return ret;
}
