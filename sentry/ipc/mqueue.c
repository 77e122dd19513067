/*
 * POSIX message queues: the queue object behind an mqueue inode, its file ops (a status
 * line for read, poll, a waitq), and what the mq_* syscalls do on it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/iov.h"
#include "sentry/ipc/mqueue_internal.h"
#include "sentry/kernel/task.h"

#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SI_MESGQ (-3)

static struct mq_queue *mq_of(const struct file *f)
{
	return f->inode->priv;
}

bool mqueue_is(const struct file *f)
{
	return f->ops == &mq_file_ops;
}

int mq_inode_new(struct super_block *sb, uint32_t mode, const struct vfs_cred *c,
		 const struct linux_mq_attr *attr, struct inode **out)
{
	struct mq_queue *q = calloc(1, sizeof(*q));
	struct inode *inode;
	struct timespec now;

	if (!q)
		return -ENOMEM;
	inode = inode_new(sb, mode);
	if (!inode) {
		free(q);
		return -ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	waitq_init(&q->wq);
	list_init(&q->msgs);
	q->maxmsg = attr->mq_maxmsg;
	q->msgsize = attr->mq_msgsize;
	inode->priv = q;
	inode->fops = &mq_file_ops;
	inode->nlink = 1;
	inode->size = MQ_FILENT_SIZE;
	inode->uid = c ? c->fsuid : 0;
	inode->gid = c ? c->fsgid : 0;
	clock_gettime(CLOCK_REALTIME, &now);
	inode->atime = inode->mtime = inode->ctime = inode->btime = now;
	*out = inode;
	return 0;
}

void mq_queue_free(struct mq_queue *q)
{
	struct mq_msg *m, *n;

	list_for_each_entry_safe(m, n, &q->msgs, node)
		free(m);
	waitq_destroy(&q->wq);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* read(2) of a queue: Linux's status line, from *pos. */
static ssize_t mq_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct mq_queue *q = mq_of(f);
	struct iov_iter it;
	char line[128];
	int len;

	pthread_mutex_lock(&q->lock);
	len = snprintf(line, sizeof(line), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		       (unsigned long)q->qsize, q->notify_tgid ? q->notify : 0,
		       q->notify_tgid && q->notify == LINUX_SIGEV_SIGNAL ? q->signo : 0,
		       q->notify_tgid);
	pthread_mutex_unlock(&q->lock);
	if (*pos >= len)
		return 0;
	iov_iter_init(&it, iov, iovcnt);
	len = (int)iov_iter_copy_to(&it, line + *pos, (size_t)(len - *pos));
	*pos += len;
	return len;
}

static short mq_poll(struct file *f, short events)
{
	struct mq_queue *q = mq_of(f);
	short r = 0;

	pthread_mutex_lock(&q->lock);
	if (q->curmsgs)
		r |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		r |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&q->lock);
	return r & (events | POLLERR | POLLHUP);
}

static struct waitq *mq_waitq(struct file *f)
{
	return &mq_of(f)->wq;
}

const struct file_ops mq_file_ops = {
	.read = mq_read,
	.poll = mq_poll,
	.waitq = mq_waitq,
};

void mqueue_getattr(struct file *f, struct linux_mq_attr *out)
{
	struct mq_queue *q = mq_of(f);

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&q->lock);
	out->mq_flags = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
	out->mq_maxmsg = q->maxmsg;
	out->mq_msgsize = q->msgsize;
	out->mq_curmsgs = q->curmsgs;
	pthread_mutex_unlock(&q->lock);
}

/* Sends the registered notification to its process (SI_MESGQ, from t). */
static void mq_deliver(struct task *t, int tgid, int signo, int64_t value)
{
	struct linux_siginfo info;
	struct task *o;

	memset(&info, 0, sizeof(info));
	info.si_signo = signo;
	info.si_code = LINUX_SI_MESGQ;
	info.proc.pid = t->tg->tgid;
	info.proc.uid = t->cred->uid;
	info.proc.value = value;
	pthread_mutex_lock(&t->k->lock);
	o = kernel_find_task(t->k, tgid);
	if (o && o->tg->tgid == tgid && !o->tg->exiting)
		sig_send_info(o, &info, true);
	pthread_mutex_unlock(&t->k->lock);
}

int mqueue_send(struct task *t, struct file *f, const void *buf, size_t len, unsigned prio)
{
	struct mq_queue *q = mq_of(f);
	int notify_tgid = 0, signo = 0;
	struct mq_msg *m, *pos;
	int64_t value = 0;

	if ((int64_t)len > q->msgsize)
		return -EMSGSIZE;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->prio = prio;
	m->len = len;
	memcpy(m->data, buf, len);
	pthread_mutex_lock(&q->lock);
	if (q->curmsgs >= q->maxmsg) {
		pthread_mutex_unlock(&q->lock);
		free(m);
		return -EAGAIN;
	}
	/* after the last message of a priority >= prio: FIFO within a priority */
	list_for_each_entry(pos, &q->msgs, node)
		if (pos->prio < prio)
			break;
	list_add_tail(&m->node, &pos->node);
	/* a message into an empty queue nobody waits on fires the registration (once) */
	if (q->curmsgs == 0 && q->notify_tgid && q->receivers == 0) {
		if (q->notify == LINUX_SIGEV_SIGNAL) {
			notify_tgid = q->notify_tgid;
			signo = q->signo;
			value = q->value;
		}
		q->notify_tgid = 0;
	}
	q->curmsgs++;
	q->qsize += len;
	pthread_mutex_unlock(&q->lock);
	waitq_notify(&q->wq, POLLIN | POLLRDNORM);
	if (notify_tgid && signo)
		mq_deliver(t, notify_tgid, signo, value);
	return 0;
}

long mqueue_receive(struct file *f, size_t len, void **buf, unsigned *prio)
{
	struct mq_queue *q = mq_of(f);
	struct mq_msg *m;
	long ret;

	if ((int64_t)len < q->msgsize)
		return -EMSGSIZE;
	pthread_mutex_lock(&q->lock);
	if (list_empty(&q->msgs)) {
		pthread_mutex_unlock(&q->lock);
		return -EAGAIN;
	}
	m = list_first_entry(&q->msgs, struct mq_msg, node);
	list_del(&m->node);
	q->curmsgs--;
	q->qsize -= m->len;
	pthread_mutex_unlock(&q->lock);
	waitq_notify(&q->wq, POLLOUT | POLLWRNORM);
	/* the message moves to the front of its own allocation for the caller */
	ret = (long)m->len;
	*prio = m->prio;
	memmove(m, m->data, m->len);
	*buf = m;
	return ret;
}

void mqueue_receiver_sleeping(struct file *f, int delta)
{
	struct mq_queue *q = mq_of(f);

	pthread_mutex_lock(&q->lock);
	q->receivers += delta;
	pthread_mutex_unlock(&q->lock);
}

int mqueue_notify(struct task *t, struct file *f, bool set, int notify, int signo, int64_t value)
{
	struct mq_queue *q = mq_of(f);
	int err = 0;

	pthread_mutex_lock(&q->lock);
	if (!set) {
		if (q->notify_tgid == t->tg->tgid)
			q->notify_tgid = 0;
	} else if (q->notify_tgid) {
		err = -EBUSY;
	} else {
		q->notify_tgid = t->tg->tgid;
		q->notify = notify;
		q->signo = signo;
		q->value = value;
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}
