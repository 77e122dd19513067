/*
 * epoll items: epoll_ctl's add/modify/delete with Linux's argument rules, the loop and
 * nesting-depth checks for epolls watching epolls, and dropping items when a watched
 * file's last reference goes (or the epoll itself goes).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/epoll/internal.h"
#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"

pthread_mutex_t epoll_graph_lock = PTHREAD_MUTEX_INITIALIZER;

/* Event bits EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EP_EXCLUSIVE_OK \
	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

/* Larger than any legal depth: what a loop counts as. */
#define EP_LOOP (EPOLL_MAX_NESTS + 1)

/*
 * Whether Linux would let epoll watch f: its file type has a poll op. Host stdio is one
 * file type here but many on the host: regular files, directories, block devices and the
 * memory devices other than random/urandom (/dev/null, /dev/zero...) have no poll there.
 */
static bool pollable(struct file *f)
{
	int hfd = hostfd_wait_fd(f);
	struct stat st;

	if (!f->ops || !f->ops->poll)
		return false;
	if (hfd < 0 || fstat(hfd, &st) < 0)
		return true;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
		return false;
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1)
		return minor(st.st_rdev) == 8 || minor(st.st_rdev) == 9;
	return true;
}

/* The bucket of (f, fd) in a table of n (a power of two) buckets. */
static unsigned item_bucket(const struct file *f, int fd, unsigned n)
{
	uint64_t h = ((uintptr_t)f >> 4) * 0x9e3779b97f4a7c15ULL ^ (uint32_t)fd;

	return (unsigned)(h ^ (h >> 29)) & (n - 1);
}

/* Preconditions: ep->mtx held. */
static struct epitem *item_find(struct epoll *ep, struct file *f, int fd)
{
	struct epitem *it;

	if (!ep->nbuckets)
		return NULL;
	for (it = ep->hash[item_bucket(f, fd, ep->nbuckets)]; it; it = it->hnext) {
		if (it->f == f && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Room for one more item: the table doubles when it has as many items as buckets, so
 * lookups stay O(1) for the tens of thousands of fds a server watches. */
static int hash_reserve(struct epoll *ep)
{
	unsigned n = ep->nbuckets ? ep->nbuckets * 2 : 16;
	struct epitem **h, *it;

	if ((unsigned)ep->nitems < ep->nbuckets)
		return 0;
	h = calloc(n, sizeof(*h));
	if (!h)
		return ep->nbuckets ? 0 : -ENOMEM; /* a fuller table still works */
	list_for_each_entry(it, &ep->items, node) {
		unsigned b = item_bucket(it->f, it->fd, n);

		it->hnext = h[b];
		h[b] = it;
	}
	free(ep->hash);
	ep->hash = h;
	ep->nbuckets = n;
	return 0;
}

static void hash_del(struct epoll *ep, struct epitem *it)
{
	struct epitem **pp = &ep->hash[item_bucket(it->f, it->fd, ep->nbuckets)];

	while (*pp != it)
		pp = &(*pp)->hnext;
	*pp = it->hnext;
}

/*
 * How many epolls deep the instances below ep go (0: ep watches none), or EP_LOOP when
 * into is among them. Preconditions: epoll_graph_lock held (items of every instance are
 * stable under it).
 */
static int depth_down(struct epoll *ep, struct epoll *into, int depth)
{
	struct epitem *it;
	int result = 0;

	list_for_each_entry(it, &ep->items, node) {
		struct epoll *sub;

		if (!epoll_is(it->f))
			continue;
		sub = epoll_of(it->f);
		if (sub == into || depth > EPOLL_MAX_NESTS)
			result = EP_LOOP;
		else
			result = MAX(result, depth_down(sub, into, depth + 1) + 1);
		if (result >= EP_LOOP)
			break;
	}
	return result;
}

/* How many epolls watch ep, one above the other. Preconditions: epoll_graph_lock held. */
static int depth_up(struct epoll *ep, int depth)
{
	struct epitem *it;
	int result = 0;

	if (depth > EPOLL_MAX_NESTS)
		return EP_LOOP;
	list_for_each_entry(it, &ep->file->ep_links, flink)
		result = MAX(result, depth_up(it->ep, depth + 1) + 1);
	return result;
}

/* Linux's ep_loop_check: -ELOOP if ep watching to makes a loop or too deep a chain. */
static int loop_check(struct epoll *ep, struct epoll *to)
{
	int down = depth_down(to, ep, 0);

	if (down > EPOLL_MAX_NESTS)
		return -ELOOP;
	return down + 1 + depth_up(ep, 0) > EPOLL_MAX_NESTS ? -ELOOP : 0;
}

/* Preconditions: epoll_graph_lock and ep->mtx held. */
static int item_insert(struct epoll *ep, struct file *f, int fd, const struct epoll_ev *ev)
{
	struct epitem *it;
	unsigned b;

	if (hash_reserve(ep))
		return -ENOMEM;
	it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->f = f;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	list_init(&it->rdl);
	/* Every notification reaches the callback, which filters with it->events: so
	 * EPOLL_CTL_MOD changes the interest without touching the waitq. */
	waiter_init(&it->w, (short)0xffff, epoll_item_wake, it);
	it->wq = vfs_waitq(f);
	list_add_tail(&it->node, &ep->items);
	list_add_tail(&it->flink, &f->ep_links);
	b = item_bucket(f, fd, ep->nbuckets);
	it->hnext = ep->hash[b];
	ep->hash[b] = it;
	ep->nitems++;
	if (it->wq)
		waitq_add(it->wq, &it->w);
	else
		ep->nowq++;
	/* Ready already (or never notifying: polled at every scan). */
	if (!it->wq || epoll_item_poll(it))
		epoll_item_queue(it);
	return 0;
}

/* Preconditions: epoll_graph_lock and ep->mtx held; no scan runs (it needs mtx). */
static void item_unlink(struct epoll *ep, struct epitem *it)
{
	/* After this the callback neither runs nor will: it may be freed. */
	if (it->wq)
		waitq_remove(it->wq, &it->w);
	else
		ep->nowq--;
	pthread_mutex_lock(&ep->lock);
	if (it->on_ready) {
		list_del(&it->rdl);
		it->on_ready = false;
	}
	pthread_mutex_unlock(&ep->lock);
	list_del(&it->node);
	list_del(&it->flink);
	hash_del(ep, it);
	ep->nitems--;
	free(it);
}

/* Preconditions: ep->mtx held. */
static void item_modify(struct epitem *it, const struct epoll_ev *ev)
{
	struct epoll *ep = it->ep;

	pthread_mutex_lock(&ep->lock);
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	it->last = 0;
	pthread_mutex_unlock(&ep->lock);
	/* Re-armed: reported again if ready now, edge-triggered or not (as Linux). */
	if (!it->wq || epoll_item_poll(it))
		epoll_item_queue(it);
}

int epoll_ctl(struct file *epf, int op, struct file *tf, int fd, const struct epoll_ev *ev)
{
	struct epoll *ep;
	struct epitem *it;
	int err = 0;

	/* The order of Linux's do_epoll_ctl checks. */
	if (!pollable(tf))
		return -EPERM;
	if (epf == tf || !epoll_is(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (epoll_is(tf) || (ev->events & ~EP_EXCLUSIVE_OK)))
			return -EINVAL;
	}
	ep = epoll_of(epf);
	pthread_mutex_lock(&epoll_graph_lock);
	if (op == EPOLL_CTL_ADD && epoll_is(tf)) {
		err = loop_check(ep, epoll_of(tf));
		if (err)
			goto out_unlock_graph;
	}
	pthread_mutex_lock(&ep->mtx);
	it = item_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		err = it ? -EEXIST : item_insert(ep, tf, fd, ev);
		break;
	case EPOLL_CTL_DEL:
		if (it)
			item_unlink(ep, it);
		else
			err = -ENOENT;
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			err = -ENOENT;
		else if (it->events & EPOLLEXCLUSIVE)
			err = -EINVAL;
		else
			item_modify(it, ev);
		break;
	default:
		err = -EINVAL;
	}
	pthread_mutex_unlock(&ep->mtx);
out_unlock_graph:
	pthread_mutex_unlock(&epoll_graph_lock);
	return err;
}

void epoll_free_items(struct epoll *ep)
{
	pthread_mutex_lock(&epoll_graph_lock);
	pthread_mutex_lock(&ep->mtx);
	while (!list_empty(&ep->items))
		item_unlink(ep, list_first_entry(&ep->items, struct epitem, node));
	pthread_mutex_unlock(&ep->mtx);
	pthread_mutex_unlock(&epoll_graph_lock);
}

void epoll_file_release(struct file *f)
{
	/* Unlocked look: no reference is left, so nothing can add an item (that needs one);
	 * a concurrent removal only makes the list empty sooner. */
	if (__atomic_load_n(&f->ep_links.next, __ATOMIC_ACQUIRE) == &f->ep_links)
		return;
	pthread_mutex_lock(&epoll_graph_lock);
	while (!list_empty(&f->ep_links)) {
		struct epitem *it = list_first_entry(&f->ep_links, struct epitem, flink);
		struct epoll *ep = it->ep;

		pthread_mutex_lock(&ep->mtx);
		item_unlink(ep, it);
		pthread_mutex_unlock(&ep->mtx);
	}
	pthread_mutex_unlock(&epoll_graph_lock);
}
