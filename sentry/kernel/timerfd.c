/*
 * timerfd files (see timerfd.h) on the sentry's timer thread.
 *
 * The setting (the embedded ktimer) is under the timer lock, like every kernel timer.
 * The expiry count is a lone atomic, so read(2) and poll never take the timer lock: the
 * timer thread notifies the waitq while holding it (timer lock -> waitq lock -> waiter
 * locks), and a poller such as epoll may call poll under a waiter lock of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "common/util.h"
#include "common/waitq.h"
#include "fs/anon/anon.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/timer_internal.h"
#include "sentry/kernel/timerfd.h"

#define NS 1000000000LL

struct timerfd {
	struct ktimer k; /* kind KTIMER_FN; k.clock is the guest clock */
	uint64_t ticks; /* expiries not yet read (atomic) */
	bool cancel_on_set; /* recorded: the sandbox's realtime clock is never set */
	struct waitq wq;
};

static const struct file_ops timerfd_fops;

/* Timer thread, tm.lock held. */
static void timerfd_expired(struct ktimer *k, uint64_t n)
{
	struct timerfd *tfd = container_of(k, struct timerfd, k);

	__atomic_add_fetch(&tfd->ticks, n, __ATOMIC_RELEASE);
	waitq_notify(&tfd->wq, POLLIN | POLLRDNORM);
}

/* read(2): the expiry count as 8 bytes, reset to 0; -EINVAL for a shorter buffer,
 * -EAGAIN while it is 0. */
static ssize_t timerfd_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct timerfd *tfd = f->priv;
	struct iov_iter it;
	uint64_t n;

	(void)pos;
	if (iov_length(iov, iovcnt) < sizeof(n))
		return -EINVAL;
	n = __atomic_exchange_n(&tfd->ticks, 0, __ATOMIC_ACQ_REL);
	if (!n)
		return -EAGAIN;
	iov_iter_init(&it, iov, iovcnt);
	iov_iter_copy_to(&it, &n, sizeof(n));
	return sizeof(n);
}

static short timerfd_poll(struct file *f, short events)
{
	struct timerfd *tfd = f->priv;

	if (!__atomic_load_n(&tfd->ticks, __ATOMIC_ACQUIRE))
		return 0;
	return (POLLIN | POLLRDNORM) & events;
}

static struct waitq *timerfd_waitq(struct file *f)
{
	struct timerfd *tfd = f->priv;

	return &tfd->wq;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tfd = f->priv;

	/* Once off the heap under tm.lock, the timer thread cannot be in timerfd_expired. */
	pthread_mutex_lock(&tm.lock);
	timer_disarm(&tfd->k);
	pthread_mutex_unlock(&tm.lock);
	waitq_destroy(&tfd->wq);
	free(tfd);
}

static const struct file_ops timerfd_fops = {
	.llseek = anon_llseek_noop,
	.read = timerfd_read,
	.poll = timerfd_poll,
	.waitq = timerfd_waitq,
	.release = timerfd_release,
};

int timerfd_new(struct task *t, int clock, unsigned flags, struct file **out)
{
	struct timerfd *tfd;
	int err;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		break;
	default:
		return -EINVAL;
	}
	tfd = calloc(1, sizeof(*tfd));
	if (!tfd)
		return -ENOMEM;
	timer_init(&tfd->k, NULL, KTIMER_FN, 0);
	tfd->k.clock = clock;
	tfd->k.fn = timerfd_expired;
	waitq_init(&tfd->wq);
	err = anon_file_new("timerfd", &timerfd_fops, tfd, O_RDWR | (flags & O_NONBLOCK),
			    t->cred->fsuid, t->cred->fsgid, out);
	if (err < 0) {
		waitq_destroy(&tfd->wq);
		free(tfd);
	}
	return err;
}

bool timerfd_is_timerfd(const struct file *f)
{
	return f->ops == &timerfd_fops;
}

/* The host clock a guest timer clock reads (the alarm clocks tick like their bases). */
static clockid_t host_clock(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
		return CLOCK_REALTIME;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return CLOCK_BOOTTIME;
	default:
		return CLOCK_MONOTONIC;
	}
}

/* a + b for a deadline, saturating: a huge it_value means "never" in practice. */
static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

int timerfd_set(struct file *f, bool abs, bool cancel_on_set, const struct ktimer_spec *nv,
		struct ktimer_spec *old)
{
	struct timerfd *tfd = f->priv;
	int64_t expires = 0, now;
	int err;

	pthread_mutex_lock(&tm.lock);
	timer_remaining(&tfd->k, old);
	if (nv->value) {
		now = timer_mono_ns();
		if (!abs) {
			expires = add_sat(now, nv->value);
		} else {
			struct timespec ts;

			/* A time on the timer's clock becomes a monotonic deadline now, so a
			 * later step of the realtime clock does not move it. */
			clock_gettime(host_clock(tfd->k.clock), &ts);
			expires = add_sat(now, nv->value - (ts.tv_sec * NS + ts.tv_nsec));
		}
		if (expires <= 0)
			expires = 1;
	}
	tfd->cancel_on_set =
		cancel_on_set && abs &&
		(tfd->k.clock == CLOCK_REALTIME || tfd->k.clock == CLOCK_REALTIME_ALARM);
	__atomic_store_n(&tfd->ticks, 0, __ATOMIC_RELEASE);
	err = timer_arm(&tfd->k, expires, nv->interval);
	pthread_mutex_unlock(&tm.lock);
	return err;
}

void timerfd_get(struct file *f, struct ktimer_spec *cur)
{
	struct timerfd *tfd = f->priv;

	pthread_mutex_lock(&tm.lock);
	timer_remaining(&tfd->k, cur);
	pthread_mutex_unlock(&tm.lock);
}
