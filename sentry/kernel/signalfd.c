/*
 * signalfd files (see signalfd.h). The file holds only its mask (an atomic word): poll
 * reads the polling task's pending sets without the signal lock (a racy read is only a
 * hint, the waiter looks again after each notification), so it can be called under any
 * waiter's lock; read dequeues through sig_dequeue_set.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/waitq.h"
#include "fs/anon/anon.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"

struct signalfd {
	linux_sigset_t mask; /* atomic */
};

static struct waitq signalfd_wq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.waiters = LIST_HEAD_INIT(signalfd_wq.waiters),
};
static int signalfd_count; /* open signalfds (atomic): none, no notification */

static const struct file_ops signalfd_fops;

void signalfd_notify(void)
{
	if (__atomic_load_n(&signalfd_count, __ATOMIC_ACQUIRE))
		waitq_notify(&signalfd_wq, POLLIN | POLLRDNORM);
}

/* Linux's signalfd_copyinfo: which siginfo fields a record carries depends on the
 * siginfo's layout (kill, timer, fault, SIGCHLD, sigqueue...). */
static void to_ssi(const struct linux_siginfo *in, struct linux_signalfd_siginfo *out)
{
	int sig = in->si_signo, code = in->si_code;

	memset(out, 0, sizeof(*out));
	out->ssi_signo = (uint32_t)sig;
	out->ssi_errno = in->si_errno;
	out->ssi_code = code;
	if (code == SI_TIMER) {
		out->ssi_tid = (uint32_t)in->timer.tid;
		out->ssi_overrun = (uint32_t)in->timer.overrun;
		out->ssi_ptr = (uint64_t)in->timer.value;
		out->ssi_int = (int32_t)in->timer.value;
	} else if (code == SI_USER || code == SI_KERNEL) {
		out->ssi_pid = (uint32_t)in->proc.pid;
		out->ssi_uid = in->proc.uid;
	} else if (code < 0) {
		/* sigqueue, tgkill, mq_notify...: a sender and a value */
		out->ssi_pid = (uint32_t)in->proc.pid;
		out->ssi_uid = in->proc.uid;
		out->ssi_ptr = (uint64_t)in->proc.value;
		out->ssi_int = (int32_t)in->proc.value;
	} else if (sig == SIGCHLD) {
		out->ssi_pid = (uint32_t)in->proc.pid;
		out->ssi_uid = in->proc.uid;
		out->ssi_status = in->proc.chld.status;
		out->ssi_utime = (uint64_t)in->proc.chld.utime;
		out->ssi_stime = (uint64_t)in->proc.chld.stime;
	} else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		   sig == SIGTRAP) {
		out->ssi_addr = in->fault.addr;
	} else {
		out->ssi_pid = (uint32_t)in->proc.pid;
		out->ssi_uid = in->proc.uid;
	}
}

/* read(2): as many records as fit, at least one; -EINVAL for a buffer smaller than one,
 * -EAGAIN while none of the mask's signals is pending for the reader. */
static ssize_t signalfd_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct signalfd *s = f->priv;
	struct task *t = task_current();
	struct linux_signalfd_siginfo ssi;
	struct linux_siginfo info;
	size_t room = iov_length(iov, iovcnt) / sizeof(ssi);
	linux_sigset_t mask = __atomic_load_n(&s->mask, __ATOMIC_ACQUIRE);
	struct iov_iter it;
	ssize_t done = 0;

	(void)pos;
	if (!room)
		return -EINVAL;
	if (!t)
		return -EAGAIN;
	iov_iter_init(&it, iov, iovcnt);
	while (room--) {
		memset(&info, 0, sizeof(info));
		if (!sig_dequeue_set(t, mask, &info))
			break;
		/* What delivery does for a POSIX timer's signal: report the overrun and let
		 * the timer queue its signal again. */
		if (info.si_code == SI_TIMER)
			info.timer.overrun = timer_signal_delivered(t, info.timer.tid);
		to_ssi(&info, &ssi);
		iov_iter_copy_to(&it, &ssi, sizeof(ssi));
		done += (ssize_t)sizeof(ssi);
	}
	return done ? done : -EAGAIN;
}

static short signalfd_poll(struct file *f, short events)
{
	struct signalfd *s = f->priv;
	struct task *t = task_current();
	linux_sigset_t pending;

	if (!t)
		return 0;
	pending = __atomic_load_n(&t->sig.pending.set, __ATOMIC_ACQUIRE) |
		  __atomic_load_n(&t->tg->sig.pending.set, __ATOMIC_ACQUIRE);
	if (!(pending & __atomic_load_n(&s->mask, __ATOMIC_ACQUIRE)))
		return 0;
	return (POLLIN | POLLRDNORM) & events;
}

static struct waitq *signalfd_waitq(struct file *f)
{
	(void)f;
	return &signalfd_wq;
}

static void signalfd_release(struct file *f)
{
	__atomic_sub_fetch(&signalfd_count, 1, __ATOMIC_RELEASE);
	free(f->priv);
}

static const struct file_ops signalfd_fops = {
	.llseek = anon_llseek_noop,
	.read = signalfd_read,
	.poll = signalfd_poll,
	.waitq = signalfd_waitq,
	.release = signalfd_release,
};

int signalfd_create(struct task *t, linux_sigset_t mask, unsigned flags, struct file **out)
{
	struct signalfd *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->mask = mask & ~SIG_UNBLOCKABLE;
	err = anon_file_new("signalfd", &signalfd_fops, s, O_RDWR | (flags & O_NONBLOCK),
			    t->cred->fsuid, t->cred->fsgid, out);
	if (err < 0) {
		free(s);
		return err;
	}
	__atomic_add_fetch(&signalfd_count, 1, __ATOMIC_RELEASE);
	return 0;
}

bool signalfd_is_signalfd(const struct file *f)
{
	return f->ops == &signalfd_fops;
}

void signalfd_set_mask(struct file *f, linux_sigset_t mask)
{
	struct signalfd *s = f->priv;

	__atomic_store_n(&s->mask, mask & ~SIG_UNBLOCKABLE, __ATOMIC_RELEASE);
	/* Signals already pending may now be in the mask. */
	waitq_notify(&signalfd_wq, POLLIN | POLLRDNORM);
}
