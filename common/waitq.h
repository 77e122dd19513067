/*
 * Wait queues: the one readiness-notification mechanism every file type shares.
 *
 * A file that can become ready later (a pipe, and later eventfd, sockets, ttys...) embeds
 * a struct waitq and calls waitq_notify(wq, events) whenever it may have become readable
 * or writable (or hung up). Its file ops never block: they return -EAGAIN. Whoever wants to
 * wait (a task in read(2), poll(2); later an epoll instance) adds a struct waiter with the
 * events it cares about, re-checks readiness with the file's poll op (so a notification
 * between its check and its add is not lost), and sleeps until its callback runs.
 *
 * Callbacks run under wq->lock, from whichever thread notifies. They must be short and
 * must not take the lock of any waitq or file: they set a flag and wake a sleeper (the
 * sentry's task waiter), or put an item on a ready list (epoll, later).
 *
 * Lock order: file-type locks (pipe->lock, ...) -> waitq.lock -> a waiter's own lock (the
 * sleeping task's wait mutex, an epoll ready-list lock) -> task->lock. Pipes notify after
 * dropping pipe->lock, so in practice waitq.lock nests only the waiter locks.
 */
#ifndef COMMON_WAITQ_H
#define COMMON_WAITQ_H

#include <pthread.h>
#include <stdbool.h>

#include "common/list.h"

struct waiter;

/* Called with the events that happened (already masked with the waiter's mask). */
typedef void (*waiter_fn)(struct waiter *w, short events);

struct waiter {
	struct list_head node; /* in waitq.waiters while queued */
	short mask; /* POLLIN, POLLOUT...; POLLERR/POLLHUP only if the waiter asks for them */
	waiter_fn fn;
	void *priv;
	bool queued;
};

struct waitq {
	pthread_mutex_t lock;
	struct list_head waiters;
};

void waitq_init(struct waitq *wq);
/* Preconditions: no waiter is queued (the owner is being freed). */
void waitq_destroy(struct waitq *wq);

static inline void waiter_init(struct waiter *w, short mask, waiter_fn fn, void *priv)
{
	list_init(&w->node);
	w->mask = mask;
	w->fn = fn;
	w->priv = priv;
	w->queued = false;
}

/* Adds w to wq; a waiter is on at most one queue at a time. */
void waitq_add(struct waitq *wq, struct waiter *w);
/* Removes w from wq if it is queued there. After it returns, w's callback is not running
 * and will not run again for wq, so w may be freed. */
void waitq_remove(struct waitq *wq, struct waiter *w);
/* Calls every waiter whose mask meets events. */
void waitq_notify(struct waitq *wq, short events);
/* Whether anyone waits (a cheap check before notifying is not needed; for tests). */
bool waitq_has_waiters(struct waitq *wq);

#endif
