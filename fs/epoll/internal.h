/*
 * epoll internals shared by epoll.c (the file type, callbacks, reporting) and ctl.c
 * (adding, changing and dropping items).
 *
 * Lock order (outer first):
 *   epoll_graph_lock   every item's creation and removal, every file's ep_links list and
 *                      the loop checks: the graph of who watches whom (Linux's epmutex)
 *   ep->mtx            an instance's items while they are scanned or changed; nested
 *                      instances lock outer before inner (acyclic: loops are refused)
 *   file locks         taken by the watched file's poll op
 *   waitq.lock         a watched file's waitq: the item callback runs under it and, for an
 *                      instance watched by another, notifies ep->wq, so waitq locks nest
 *                      inner instance before outer one (acyclic for the same reason)
 *   ep->lock           the ready list and item->events/on_ready; a leaf
 * An item's file stays valid while ep->mtx is held: epoll_file_release takes it before the
 * file is freed.
 */
#ifndef FS_EPOLL_INTERNAL_H
#define FS_EPOLL_INTERNAL_H

#include <pthread.h>

#include "common/list.h"
#include "common/waitq.h"
#include "fs/epoll/epoll.h"

/* Flags that are not events: a oneshot item with only these left is disabled. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

struct epoll {
	pthread_mutex_t mtx;
	pthread_mutex_t lock;
	struct waitq wq; /* POLLIN when items may be ready: epoll_wait and outer epolls */
	struct list_head items; /* struct epitem.node, under mtx and epoll_graph_lock */
	struct list_head ready; /* struct epitem.rdl, under lock */
	struct file *file; /* the epoll file itself (not counted: it owns us) */
	struct epitem **hash; /* items by (file, fd), chained; under mtx */
	unsigned nbuckets; /* a power of two, or 0 before the first item */
	int nitems; /* under mtx */
	int nowq; /* items whose file has no waitq, under mtx */
};

struct epitem {
	struct list_head node; /* in ep->items */
	struct list_head rdl; /* in ep->ready (or a scan's private list) while on_ready */
	struct list_head flink; /* in file->ep_links, under epoll_graph_lock */
	struct epitem *hnext; /* in ep->hash */
	struct epoll *ep;
	struct file *f; /* not counted (see epoll.h) */
	int fd;
	uint32_t events; /* under ep->lock */
	uint64_t data; /* under ep->lock */
	bool on_ready; /* under ep->lock */
	struct waiter w;
	struct waitq *wq; /* NULL: f has no waitq, it is polled at every scan */
	uint16_t last; /* a no-waitq item's last revents, for EPOLLET */
};

extern pthread_mutex_t epoll_graph_lock;

struct epoll *epoll_of(const struct file *f);
/* Queues it on its instance's ready list (unless it is there) and wakes the instance's
 * waiters. Any context allowed by the lock order above. */
void epoll_item_queue(struct epitem *it);
/* The waiter callback of every item on a waitq. */
void epoll_item_wake(struct waiter *w, short events);
/* Readiness of it's file for the events it asks for. Preconditions: ep->mtx held. */
uint32_t epoll_item_poll(struct epitem *it);
/* Drops every item of ep (its file is going). */
void epoll_free_items(struct epoll *ep);

#endif
