/*
 * eventfd files (see eventfd.h). The counter is under the eventfd's lock; readers and
 * writers never block here: they say -EAGAIN and the syscall layer waits on the waitq,
 * which is notified after the lock is dropped (lock order: eventfd lock, then none).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "common/waitq.h"
#include "fs/anon/anon.h"
#include "fs/eventfd/eventfd.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"

struct eventfd {
	pthread_mutex_t lock;
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

static const struct file_ops eventfd_fops;

/* read(2): the count (or 1 in semaphore mode) as 8 bytes; -EINVAL for a shorter buffer,
 * -EAGAIN while the count is 0. */
static ssize_t eventfd_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct eventfd *e = f->priv;
	struct iov_iter it;
	uint64_t v;

	(void)pos;
	if (iov_length(iov, iovcnt) < sizeof(v))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (!e->count) {
		pthread_mutex_unlock(&e->lock);
		return -EAGAIN;
	}
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	pthread_mutex_unlock(&e->lock);
	waitq_notify(&e->wq, POLLOUT | POLLWRNORM);
	iov_iter_init(&it, iov, iovcnt);
	iov_iter_copy_to(&it, &v, sizeof(v));
	return sizeof(v);
}

/* write(2): adds an 8-byte value; -EINVAL for any other length (Linux 6.9 on; before,
 * only a shorter one) or for 0xffffffffffffffff, -EAGAIN while the sum would pass
 * EVENTFD_MAX. */
static ssize_t eventfd_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct eventfd *e = f->priv;
	struct iov_iter it;
	uint64_t v;

	(void)pos;
	if (iov_length(iov, iovcnt) != sizeof(v))
		return -EINVAL;
	iov_iter_init(&it, iov, iovcnt);
	iov_iter_copy_from(&it, &v, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (v > EVENTFD_MAX - e->count) {
		pthread_mutex_unlock(&e->lock);
		return -EAGAIN;
	}
	e->count += v;
	pthread_mutex_unlock(&e->lock);
	if (v)
		waitq_notify(&e->wq, POLLIN | POLLRDNORM);
	return sizeof(v);
}

static short eventfd_poll(struct file *f, short events)
{
	struct eventfd *e = f->priv;
	short ready = 0;
	uint64_t c;

	pthread_mutex_lock(&e->lock);
	c = e->count;
	pthread_mutex_unlock(&e->lock);
	if (c)
		ready |= POLLIN | POLLRDNORM;
	if (c < EVENTFD_MAX)
		ready |= POLLOUT | POLLWRNORM;
	return ready & events;
}

static struct waitq *eventfd_waitq(struct file *f)
{
	struct eventfd *e = f->priv;

	return &e->wq;
}

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;

	waitq_destroy(&e->wq);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static const struct file_ops eventfd_fops = {
	.llseek = anon_llseek_noop,
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.waitq = eventfd_waitq,
	.release = eventfd_release,
};

int eventfd_create(uint64_t initval, bool semaphore, unsigned flags, uint32_t uid, uint32_t gid,
		   struct file **out)
{
	struct eventfd *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	waitq_init(&e->wq);
	e->count = initval;
	e->semaphore = semaphore;
	err = anon_file_new("eventfd", &eventfd_fops, e, O_RDWR | (flags & O_NONBLOCK), uid, gid,
			    out);
	if (err < 0) {
		waitq_destroy(&e->wq);
		pthread_mutex_destroy(&e->lock);
		free(e);
	}
	return err;
}

bool eventfd_is_eventfd(const struct file *f)
{
	return f->ops == &eventfd_fops;
}
