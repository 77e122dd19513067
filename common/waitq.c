/* Wait queues: waiters with an event mask, woken by waitq_notify (see waitq.h). */
#include "common/bug.h"
#include "common/waitq.h"

void waitq_init(struct waitq *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	list_init(&wq->waiters);
}

void waitq_destroy(struct waitq *wq)
{
	BUG_ON(!list_empty(&wq->waiters));
	pthread_mutex_destroy(&wq->lock);
}

void waitq_add(struct waitq *wq, struct waiter *w)
{
	pthread_mutex_lock(&wq->lock);
	BUG_ON(w->queued);
	list_add_tail(&w->node, &wq->waiters);
	w->queued = true;
	pthread_mutex_unlock(&wq->lock);
}

void waitq_remove(struct waitq *wq, struct waiter *w)
{
	/* Taking the lock even when w looks unqueued waits out a notify that is calling it. */
	pthread_mutex_lock(&wq->lock);
	if (w->queued) {
		list_del(&w->node);
		w->queued = false;
	}
	pthread_mutex_unlock(&wq->lock);
}

void waitq_notify(struct waitq *wq, short events)
{
	struct waiter *w, *n;

	pthread_mutex_lock(&wq->lock);
	list_for_each_entry_safe(w, n, &wq->waiters, node) {
		short hit = (short)(w->mask & events);

		if (hit)
			w->fn(w, hit);
	}
	pthread_mutex_unlock(&wq->lock);
}

bool waitq_has_waiters(struct waitq *wq)
{
	bool any;

	pthread_mutex_lock(&wq->lock);
	any = !list_empty(&wq->waiters);
	pthread_mutex_unlock(&wq->lock);
	return any;
}
