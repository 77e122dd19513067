/*
 * The epoll file type: its instance, the callback that queues an item when its file
 * notifies, reporting ready items (epoll_wait) and the instance's own readiness (poll,
 * nested epolls). Items are added and dropped in ctl.c; locking is in internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "fs/anon/anon.h"
#include "fs/epoll/internal.h"
#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"

struct epoll *epoll_of(const struct file *f)
{
	return f->priv;
}

/* Queues it at the tail unless it is queued (under ep->lock). */
static void ready_add(struct epoll *ep, struct epitem *it)
{
	if (!it->on_ready) {
		list_add_tail(&it->rdl, &ep->ready);
		it->on_ready = true;
	}
}

void epoll_item_queue(struct epitem *it)
{
	struct epoll *ep = it->ep;

	pthread_mutex_lock(&ep->lock);
	ready_add(ep, it);
	pthread_mutex_unlock(&ep->lock);
	waitq_notify(&ep->wq, POLLIN | POLLRDNORM);
}

/* Waiter callback, under the watched file's waitq lock. Every notification queues the
 * item (this is what makes EPOLLET report each new write to a pipe, as Linux does). */
void epoll_item_wake(struct waiter *w, short events)
{
	struct epitem *it = w->priv;
	struct epoll *ep = it->ep;
	uint32_t ev = (uint16_t)events;
	bool queued = false;

	pthread_mutex_lock(&ep->lock);
	/* A fired oneshot item has only private bits left: disabled until EPOLL_CTL_MOD. */
	if ((it->events & ~EP_PRIVATE_BITS) && (!ev || (ev & it->events))) {
		ready_add(ep, it);
		queued = true;
	}
	pthread_mutex_unlock(&ep->lock);
	if (queued)
		waitq_notify(&ep->wq, POLLIN | POLLRDNORM);
}

uint32_t epoll_item_poll(struct epitem *it)
{
	uint32_t events = it->events;

	if (!(events & ~EP_PRIVATE_BITS))
		return 0;
	return (uint16_t)vfs_poll(it->f, (short)(events & 0xffff)) & events;
}

/* Moves the whole ready list to tx (under ep->lock). */
static void ready_take(struct epoll *ep, struct list_head *tx)
{
	list_init(tx);
	if (list_empty(&ep->ready))
		return;
	tx->next = ep->ready.next;
	tx->prev = ep->ready.prev;
	tx->next->prev = tx;
	tx->prev->next = tx;
	list_init(&ep->ready);
}

/* Puts what is left of tx back at the head of the ready list (under ep->lock). */
static void ready_give_back(struct epoll *ep, struct list_head *tx)
{
	if (list_empty(tx))
		return;
	tx->prev->next = ep->ready.next;
	ep->ready.next->prev = tx->prev;
	ep->ready.next = tx->next;
	tx->next->prev = &ep->ready;
	list_init(tx);
}

/*
 * Whether an item's current readiness is reported. A file without a waitq is polled at
 * every scan, so for EPOLLET "new" means bits that were not set at the previous scan.
 */
static bool item_reports(struct epitem *it, uint32_t revents)
{
	bool fresh = revents & ~(uint32_t)it->last;

	if (it->wq)
		return revents != 0;
	it->last = (uint16_t)revents;
	return revents && (fresh || !(it->events & EPOLLET));
}

int epoll_send(struct file *file, epoll_put_fn put, void *ctx, int max)
{
	struct epoll *ep = epoll_of(file);
	struct list_head tx;
	int n = 0, ret = 0;

	pthread_mutex_lock(&ep->mtx);
	pthread_mutex_lock(&ep->lock);
	ready_take(ep, &tx);
	pthread_mutex_unlock(&ep->lock);
	while (n < max) {
		struct epitem *it;
		struct epoll_ev ev;
		uint32_t revents;
		bool again;
		int err;

		pthread_mutex_lock(&ep->lock);
		if (list_empty(&tx)) {
			pthread_mutex_unlock(&ep->lock);
			break;
		}
		/* Off the list before polling: a notification from now on queues it anew
		 * on ep->ready (not tx), so an edge that comes during the scan is kept. */
		it = list_first_entry(&tx, struct epitem, rdl);
		list_del(&it->rdl);
		it->on_ready = false;
		pthread_mutex_unlock(&ep->lock);

		revents = epoll_item_poll(it);
		if (!item_reports(it, revents)) {
			/* Polled again at the next scan; no wakeup: nothing changed. */
			if (!it->wq && (it->events & ~EP_PRIVATE_BITS)) {
				pthread_mutex_lock(&ep->lock);
				ready_add(ep, it);
				pthread_mutex_unlock(&ep->lock);
			}
			continue;
		}
		ev.events = revents;
		ev.data = it->data;
		err = put(ctx, n, &ev);
		pthread_mutex_lock(&ep->lock);
		if (err) {
			/* Not delivered: it stays first in line. */
			if (!it->on_ready) {
				list_add(&it->rdl, &ep->ready);
				it->on_ready = true;
			}
			pthread_mutex_unlock(&ep->lock);
			ret = n ? 0 : err;
			break;
		}
		n++;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_PRIVATE_BITS;
		/* Level-triggered items stay queued: the next wait polls them again. */
		again = !(it->events & EPOLLET) || !it->wq;
		if (again && (it->events & ~EP_PRIVATE_BITS))
			ready_add(ep, it);
		pthread_mutex_unlock(&ep->lock);
	}
	pthread_mutex_lock(&ep->lock);
	ready_give_back(ep, &tx);
	pthread_mutex_unlock(&ep->lock);
	pthread_mutex_unlock(&ep->mtx);
	return ret ? ret : n;
}

int epoll_host_fds(struct file *file, struct pollfd *out, int max, bool *notifying)
{
	struct epoll *ep = epoll_of(file);
	struct epitem *it;
	int n = 0;

	pthread_mutex_lock(&ep->mtx);
	*notifying = ep->nitems > ep->nowq;
	if (ep->nowq) {
		list_for_each_entry(it, &ep->items, node) {
			int hfd = it->wq ? -1 : hostfd_wait_fd(it->f);
			uint16_t ev = (uint16_t)it->events;

			if (hfd < 0 || !(it->events & ~EP_PRIVATE_BITS))
				continue;
			/* Edge-triggered: what was reported would wake the host poll at once
			 * (a spin); a hangup cannot be masked, so that fd sits this one out
			 * (poll skips negative fds) and the slice's end rechecks it. */
			if (it->events & EPOLLET) {
				ev &= (uint16_t)~it->last;
				if (it->last & (POLLHUP | POLLERR))
					hfd = -1;
			}
			if (n < max)
				out[n] = (struct pollfd){ hfd, (short)ev, 0 };
			n++;
		}
	}
	pthread_mutex_unlock(&ep->mtx);
	return n;
}

/*
 * An epoll file is readable when one of its queued items really is ready. Queued items
 * that are not (level-triggered ones drained since) leave the list, as Linux's
 * ep_read_events_proc does, so an outer epoll sees no stale readiness.
 */
static short epoll_poll(struct file *f, short events)
{
	struct epoll *ep = epoll_of(f);
	struct list_head *cur;
	bool ready = false;

	(void)events;
	pthread_mutex_lock(&ep->mtx);
	pthread_mutex_lock(&ep->lock);
	cur = ep->ready.next;
	while (cur != &ep->ready) {
		struct epitem *it = list_entry(cur, struct epitem, rdl);
		uint32_t r;

		/* Under mtx only this thread takes items off; callbacks only append. */
		pthread_mutex_unlock(&ep->lock);
		r = epoll_item_poll(it);
		pthread_mutex_lock(&ep->lock);
		cur = cur->next;
		if (r) {
			ready = true;
			break;
		}
		if (it->wq) {
			list_del(&it->rdl);
			it->on_ready = false;
		}
	}
	pthread_mutex_unlock(&ep->lock);
	pthread_mutex_unlock(&ep->mtx);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static struct waitq *epoll_waitq(struct file *f)
{
	return &epoll_of(f)->wq;
}

static void epoll_release(struct file *f)
{
	struct epoll *ep = epoll_of(f);

	epoll_free_items(ep);
	free(ep->hash);
	waitq_destroy(&ep->wq);
	pthread_mutex_destroy(&ep->lock);
	pthread_mutex_destroy(&ep->mtx);
	free(ep);
}

static const struct file_ops epoll_fops = {
	.release = epoll_release,
	.poll = epoll_poll,
	.waitq = epoll_waitq,
};

bool epoll_is(const struct file *f)
{
	return f->ops == &epoll_fops;
}

int epoll_file_new(uint32_t uid, uint32_t gid, struct file **out)
{
	struct epoll *ep = calloc(1, sizeof(*ep));
	int err;

	if (!ep)
		return -ENOMEM;
	pthread_mutex_init(&ep->mtx, NULL);
	pthread_mutex_init(&ep->lock, NULL);
	waitq_init(&ep->wq);
	list_init(&ep->items);
	list_init(&ep->ready);
	err = anon_file_new("eventpoll", &epoll_fops, ep, O_RDWR, uid, gid, out);
	if (err < 0) {
		waitq_destroy(&ep->wq);
		pthread_mutex_destroy(&ep->lock);
		pthread_mutex_destroy(&ep->mtx);
		free(ep);
		return err;
	}
	ep->file = *out;
	return 0;
}
