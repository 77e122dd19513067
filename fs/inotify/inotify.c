/*
 * inotify instances (see inotify.h): watches as fsnotify marks, the event queue, and the
 * file's read/poll/ioctl.
 *
 * The watch table of an instance is under fsnotify_lock (fsnotify detaches marks under
 * it and tells us through the mark's detached op), the queue under the instance's lock,
 * which nests inside it. A watch pins its dentry (so a lookup of the name finds the same
 * inode, which goferfs would otherwise make anew) until its release, outside every lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "common/list.h"
#include "common/waitq.h"
#include "fs/anon/anon.h"
#include "fs/inotify/inotify.h"
#include "fs/vfs/fsnotify.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"

/* The guest's struct inotify_event header; names follow, NUL-padded to a multiple of it. */
struct inotify_rec {
	int32_t wd;
	uint32_t mask, cookie, len;
};

struct inotify_kev {
	struct list_head node;
	int32_t wd;
	uint32_t mask, cookie, len; /* len: the padded name length, 0 without a name */
	char name[];
};

struct inotify {
	pthread_mutex_t lock; /* the queue */
	struct waitq wq;
	struct list_head queue;
	unsigned nqueued;
	size_t bytes; /* FIONREAD */
	/* under fsnotify_lock */
	struct list_head watches;
	unsigned nwatches;
	int last_wd;
};

struct inotify_watch {
	struct fsnotify_mark mark;
	struct inotify *in; /* valid while the mark is attached */
	struct list_head node; /* in in->watches, under fsnotify_lock */
	struct dentry *pin; /* +1 */
	int wd;
};

static const struct file_ops inotify_fops;

#define IN_OF(f) ((struct inotify *)(f)->priv)
#define WATCH_OF(m) container_of(m, struct inotify_watch, mark)

/* The bits a watch keeps of inotify_add_watch's mask (Linux's inotify_arg_to_mask). */
#define WATCH_BITS (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

static size_t padded_len(const char *name)
{
	size_t n = strlen(name) + 1, r = sizeof(struct inotify_rec);

	return (n + r - 1) / r * r;
}

/* Queues an event, coalescing it with an identical one at the tail, as Linux does; a
 * full queue ends with one IN_Q_OVERFLOW. Notifies readers. */
static void queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
			const char *name)
{
	size_t len = name ? padded_len(name) : 0;
	struct inotify_kev *ev, *tail;

	pthread_mutex_lock(&in->lock);
	tail = list_empty(&in->queue) ? NULL : list_entry(in->queue.prev, struct inotify_kev, node);
	if (in->nqueued >= INOTIFY_MAX_QUEUED) {
		if (tail && tail->mask == IN_Q_OVERFLOW) {
			pthread_mutex_unlock(&in->lock);
			return;
		}
		wd = -1, mask = IN_Q_OVERFLOW, cookie = 0, name = NULL, len = 0;
	}
	if (tail && tail->wd == wd && tail->mask == mask && tail->cookie == cookie &&
	    tail->len == len && (!name || strcmp(tail->name, name) == 0)) {
		pthread_mutex_unlock(&in->lock);
		return;
	}
	ev = calloc(1, sizeof(*ev) + len);
	if (!ev) {
		pthread_mutex_unlock(&in->lock);
		return; /* Linux queues an overflow here; the event is lost either way */
	}
	ev->wd = wd;
	ev->mask = mask;
	ev->cookie = cookie;
	ev->len = (uint32_t)len;
	if (name)
		strcpy(ev->name, name);
	list_add_tail(&ev->node, &in->queue);
	in->nqueued++;
	in->bytes += sizeof(struct inotify_rec) + len;
	pthread_mutex_unlock(&in->lock);
	waitq_notify(&in->wq, POLLIN | POLLRDNORM);
}

/* ---- the watches' mark ops (under fsnotify_lock) ---- */

static bool watch_event(struct fsnotify_mark *m, uint32_t mask, uint32_t cookie, const char *name)
{
	struct inotify_watch *w = WATCH_OF(m);

	queue_event(w->in, w->wd, mask & (IN_ALL_EVENTS | IN_ISDIR), cookie, name);
	return m->mask & IN_ONESHOT;
}

static void watch_forget_locked(struct inotify_watch *w)
{
	queue_event(w->in, w->wd, IN_IGNORED, 0, NULL);
	list_del(&w->node);
	w->in->nwatches--;
	w->in = NULL;
}

static void watch_detached(struct fsnotify_mark *m)
{
	watch_forget_locked(WATCH_OF(m));
}

static void watch_release(struct fsnotify_mark *m)
{
	struct inotify_watch *w = WATCH_OF(m);

	dentry_put(w->pin);
	free(w);
}

static const struct fsnotify_mark_ops watch_ops = {
	.event = watch_event,
	.detached = watch_detached,
	.release = watch_release,
};

/* ---- the instance ---- */

int inotify_new(unsigned flags, uint32_t uid, uint32_t gid, struct file **out)
{
	struct inotify *in = calloc(1, sizeof(*in));
	int err;

	if (!in)
		return -ENOMEM;
	pthread_mutex_init(&in->lock, NULL);
	waitq_init(&in->wq);
	list_init(&in->queue);
	list_init(&in->watches);
	err = anon_file_new("inotify", &inotify_fops, in, O_RDONLY | (flags & O_NONBLOCK), uid, gid,
			    out);
	if (err < 0) {
		waitq_destroy(&in->wq);
		pthread_mutex_destroy(&in->lock);
		free(in);
	}
	return err;
}

bool inotify_is(const struct file *f)
{
	return f->ops == &inotify_fops;
}

/* The instance's watch on inode, or NULL. Under fsnotify_lock. */
static struct inotify_watch *watch_by_inode(struct inotify *in, const struct inode *inode)
{
	struct inotify_watch *w;

	list_for_each_entry(w, &in->watches, node)
		if (w->mark.inode == inode)
			return w;
	return NULL;
}

static bool wd_in_use(struct inotify *in, int wd)
{
	struct inotify_watch *w;

	list_for_each_entry(w, &in->watches, node)
		if (w->wd == wd)
			return true;
	return false;
}

int inotify_add(struct file *f, const struct path *p, uint32_t mask)
{
	struct inotify *in = IN_OF(f);
	struct inode *inode = p->dentry->inode;
	struct inotify_watch *w, *fresh = calloc(1, sizeof(*fresh));
	int wd;

	if (!fresh)
		return -ENOMEM;
	fsnotify_lock();
	w = watch_by_inode(in, inode);
	if (w) {
		if (mask & IN_MASK_CREATE) {
			wd = -EEXIST;
		} else {
			w->mark.mask =
				(mask & WATCH_BITS) | ((mask & IN_MASK_ADD) ? w->mark.mask : 0);
			wd = w->wd;
		}
		fsnotify_unlock();
		free(fresh);
		return wd;
	}
	if (in->nwatches >= INOTIFY_MAX_WATCHES) {
		fsnotify_unlock();
		free(fresh);
		return -ENOSPC;
	}
	/* increasing, as Linux's idr_alloc_cyclic: a removed wd is not handed out again soon */
	do
		in->last_wd = in->last_wd >= INT32_MAX ? 1 : in->last_wd + 1;
	while (wd_in_use(in, in->last_wd));
	fresh->in = in;
	fresh->wd = in->last_wd;
	fresh->pin = p->dentry;
	dentry_get(fresh->pin);
	fresh->mark.ops = &watch_ops;
	fresh->mark.mask = mask & WATCH_BITS;
	list_add_tail(&fresh->node, &in->watches);
	in->nwatches++;
	fsnotify_mark_attach_locked(&fresh->mark, inode);
	wd = fresh->wd;
	fsnotify_unlock();
	return wd;
}

int inotify_rm(struct file *f, int wd)
{
	struct inotify *in = IN_OF(f);
	struct inotify_watch *w, *found = NULL;

	fsnotify_lock();
	list_for_each_entry(w, &in->watches, node) {
		if (w->wd == wd) {
			found = w;
			break;
		}
	}
	if (found) {
		fsnotify_mark_detach_locked(&found->mark);
		watch_forget_locked(found);
	}
	fsnotify_unlock();
	if (!found)
		return -EINVAL;
	watch_release(&found->mark);
	return 0;
}

/* ---- the file ---- */

/* read(2): whole events, as many as fit; -EINVAL when not even the first fits, -EAGAIN
 * on an empty queue (the sentry waits on the waitq unless O_NONBLOCK). */
static ssize_t inotify_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct inotify *in = IN_OF(f);
	size_t room = iov_length(iov, iovcnt), done = 0;
	struct iov_iter it;
	ssize_t ret;

	(void)pos;
	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&in->lock);
	while (!list_empty(&in->queue)) {
		struct inotify_kev *ev = list_first_entry(&in->queue, struct inotify_kev, node);
		struct inotify_rec rec = { ev->wd, ev->mask, ev->cookie, ev->len };
		size_t size = sizeof(rec) + ev->len;

		if (size > room - done)
			break;
		if (iov_iter_copy_to(&it, &rec, sizeof(rec)) < sizeof(rec) ||
		    (ev->len && iov_iter_copy_to(&it, ev->name, ev->len) < ev->len)) {
			/* a bad buffer: what was copied stays consumed, as Linux */
			ret = done ? (ssize_t)done : -EFAULT;
			goto out_unlock;
		}
		done += size;
		list_del(&ev->node);
		in->nqueued--;
		in->bytes -= size;
		free(ev);
	}
	if (done)
		ret = (ssize_t)done;
	else
		ret = list_empty(&in->queue) ? -EAGAIN : -EINVAL;
out_unlock:
	pthread_mutex_unlock(&in->lock);
	return ret;
}

static short inotify_poll(struct file *f, short events)
{
	struct inotify *in = IN_OF(f);
	short ready;

	pthread_mutex_lock(&in->lock);
	ready = list_empty(&in->queue) ? 0 : (POLLIN | POLLRDNORM);
	pthread_mutex_unlock(&in->lock);
	return ready & events;
}

static struct waitq *inotify_waitq(struct file *f)
{
	return &IN_OF(f)->wq;
}

static long inotify_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	struct inotify *in = IN_OF(f);
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&in->lock);
	n = (int)in->bytes;
	pthread_mutex_unlock(&in->lock);
	return um->copy_out(um, arg, &n, sizeof(n));
}

static void inotify_release(struct file *f)
{
	struct inotify *in = IN_OF(f);
	struct inotify_watch *w, *tmp;
	struct inotify_kev *ev, *etmp;
	struct list_head gone = LIST_HEAD_INIT(gone);

	fsnotify_lock();
	list_for_each_entry_safe(w, tmp, &in->watches, node) {
		fsnotify_mark_detach_locked(&w->mark);
		list_del(&w->node);
		list_add_tail(&w->node, &gone);
	}
	fsnotify_unlock();
	list_for_each_entry_safe(w, tmp, &gone, node)
		watch_release(&w->mark);
	list_for_each_entry_safe(ev, etmp, &in->queue, node)
		free(ev);
	waitq_destroy(&in->wq);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

static const struct file_ops inotify_fops = {
	.read = inotify_read,
	.llseek = anon_llseek_noop,
	.ioctl = inotify_ioctl,
	.poll = inotify_poll,
	.waitq = inotify_waitq,
	.release = inotify_release,
};
