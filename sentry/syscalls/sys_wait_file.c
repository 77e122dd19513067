/* Blocking a task until files are ready: waiters on file waitqs (see sys_wait_file.h). */
#include <errno.h>
#include <poll.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_wait_file.h"

/* One per task thread: what task_block sleeps on and file waiters poke. */
struct task_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC, as task_block's deadlines */
	bool notified;
	bool ready;
};

static __thread struct task_wait tw;

static struct task_wait *task_wait_self(void)
{
	if (!tw.ready) {
		pthread_condattr_t ca;

		pthread_mutex_init(&tw.mu, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&tw.cv, &ca);
		pthread_condattr_destroy(&ca);
		tw.ready = true;
	}
	return &tw;
}

/* Waiter callback, under the waitq's lock: tw->mu is a leaf below it. */
static void task_wait_wake(struct waiter *w, short events)
{
	struct task_wait *self = w->priv;

	(void)events;
	pthread_mutex_lock(&self->mu);
	self->notified = true;
	pthread_cond_broadcast(&self->cv);
	pthread_mutex_unlock(&self->mu);
}

void task_wait_arm(void)
{
	struct task_wait *self = task_wait_self();

	pthread_mutex_lock(&self->mu);
	self->notified = false;
	pthread_mutex_unlock(&self->mu);
}

bool file_waiter_add(struct file_waiter *fw, struct file *f, short events)
{
	struct waitq *wq = vfs_waitq(f);

	fw->wq = wq;
	if (!wq)
		return false;
	waiter_init(&fw->w, (short)(events | POLLERR | POLLHUP), task_wait_wake, task_wait_self());
	waitq_add(wq, &fw->w);
	return true;
}

void file_waiter_del(struct file_waiter *fw)
{
	if (fw->wq)
		waitq_remove(fw->wq, &fw->w);
	fw->wq = NULL;
}

int task_wait_block(struct task *t, const struct timespec *abstime)
{
	struct task_wait *self = task_wait_self();
	int err = 0;

	pthread_mutex_lock(&self->mu);
	while (!self->notified && !err)
		err = task_block(t, &self->mu, &self->cv, abstime);
	pthread_mutex_unlock(&self->mu);
	return err;
}

int sys_wait_file(struct task *t, struct file *f, short events, const struct timespec *abstime)
{
	struct file_waiter fw;
	int err = 0;

	task_wait_arm();
	if (!file_waiter_add(&fw, f, events))
		return -EAGAIN;
	/* Ready between the op's -EAGAIN and the add: no notification will come. */
	if (!(vfs_poll(f, events) & (events | POLLERR | POLLHUP)))
		err = task_wait_block(t, abstime);
	file_waiter_del(&fw);
	return err;
}
