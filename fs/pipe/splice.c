/*
 * The pipe side of splice(2), tee(2), vmsplice(2) and sendfile(2) to a pipe (see pipe.h):
 * actors fill free slot pages in place or drain held ones, and pipe-to-pipe transfers
 * move whole slots (the page changes hands) or copy.
 *
 * Slots added here carry SLOT_NOMERGE: Linux's spliced buffers are not CAN_MERGE, so a
 * later small write takes a fresh slot there too, and capacity is counted the same way.
 *
 * Lock order: two pipes are locked lower address first (as Linux's pipe_double_lock), so
 * splice A->B and B->A at once cannot deadlock. Waiters are notified after unlocking.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pipe/internal.h"
#include "fs/pipe/pipe.h"

#define SPLICE_BATCH 16 /* slot pages per actor call */

/* Drops the first n bytes of the pipe's data (n <= nbytes). Under p->lock. */
static void consume(struct pipe *p, size_t n)
{
	while (n) {
		struct pipe_slot *s = slot_at(p, p->tail);
		size_t k = MIN(n, (size_t)s->len);

		s->off += (uint32_t)k;
		s->len -= (uint32_t)k;
		p->nbytes -= k;
		n -= k;
		if (s->len == 0) {
			pipe_page_put(p, s->page);
			s->page = NULL;
			p->tail++;
		}
	}
}

/*
 * Free pages for at most want bytes and at most room slots, as iovecs of up to a page
 * each. The number of iovecs (0 = no memory); *bytes gets their total.
 */
static int batch_pages(struct pipe *p, struct iovec *iov, unsigned room, size_t want, size_t *bytes)
{
	int n = 0;

	*bytes = 0;
	while (n < SPLICE_BATCH && (unsigned)n < room && *bytes < want) {
		char *pg = pipe_page_get(p);

		if (!pg)
			break;
		iov[n].iov_base = pg;
		iov[n].iov_len = MIN(PAGE_SIZE, want - *bytes);
		*bytes += iov[n].iov_len;
		n++;
	}
	return n;
}

/* Makes the first got bytes of the batch slots at head and gives back unused pages. */
static void commit_pages(struct pipe *p, const struct iovec *iov, int n, size_t got)
{
	for (int i = 0; i < n; i++) {
		size_t len = MIN(got, iov[i].iov_len);

		if (!len) {
			pipe_page_put(p, iov[i].iov_base);
			continue;
		}
		*slot_at(p, p->head) =
			(struct pipe_slot){ iov[i].iov_base, 0, (uint32_t)len, SLOT_NOMERGE };
		p->head++;
		p->nbytes += len;
		got -= len;
	}
}

ssize_t pipe_splice_in(struct file *wr, size_t len, pipe_actor_t fill, void *arg)
{
	struct pipe *p = PIPE_OF(wr);
	struct iovec iov[SPLICE_BATCH];
	size_t done = 0;
	ssize_t ret = 0;

	pthread_mutex_lock(&p->lock);
	if (!p->readers) {
		ret = -EPIPE;
		goto out_unlock;
	}
	if (pipe_full(p)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	while (done < len && !pipe_full(p)) {
		unsigned room = p->nslots - (p->head - p->tail);
		size_t want;
		int n = batch_pages(p, iov, room, len - done, &want);
		ssize_t got;

		if (!n) {
			ret = -ENOMEM;
			break;
		}
		got = fill(arg, iov, n);
		commit_pages(p, iov, n, got > 0 ? (size_t)got : 0);
		if (got < 0) {
			ret = got;
			break;
		}
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
out_unlock:
	pthread_mutex_unlock(&p->lock);
	if (done)
		waitq_notify(&p->wq, POLLIN | POLLRDNORM);
	return done ? (ssize_t)done : ret;
}

ssize_t pipe_splice_out(struct file *rd, size_t len, pipe_actor_t drain, void *arg)
{
	struct pipe *p = PIPE_OF(rd);
	struct iovec iov[SPLICE_BATCH];
	size_t done = 0;
	ssize_t ret = 0;
	bool was_full;

	pthread_mutex_lock(&p->lock);
	was_full = pipe_full(p);
	if (p->head == p->tail && p->writers)
		ret = -EAGAIN;
	while (done < len && p->head != p->tail) {
		size_t want = 0;
		ssize_t got;
		int n = 0;

		for (unsigned i = p->tail; i != p->head && n < SPLICE_BATCH && done + want < len;
		     i++, n++) {
			struct pipe_slot *s = slot_at(p, i);

			iov[n].iov_base = s->page + s->off;
			iov[n].iov_len = MIN((size_t)s->len, len - done - want);
			want += iov[n].iov_len;
		}
		got = drain(arg, iov, n);
		if (got < 0) {
			ret = got;
			break;
		}
		consume(p, (size_t)got);
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
	/* Writers wait only for a free slot (pipe_write, pipe_poll): wake them for one. */
	was_full = was_full && !pipe_full(p);
	pthread_mutex_unlock(&p->lock);
	if (was_full)
		waitq_notify(&p->wq, POLLOUT | POLLWRNORM);
	return done ? (ssize_t)done : ret;
}

static void lock_two(struct pipe *a, struct pipe *b)
{
	if ((uintptr_t)a > (uintptr_t)b) {
		struct pipe *t = a;

		a = b;
		b = t;
	}
	pthread_mutex_lock(&a->lock);
	pthread_mutex_lock(&b->lock);
}

/* Copies n bytes of slot s into a fresh slot at op's head. Under both locks. */
static int copy_slot(struct pipe *op, const struct pipe_slot *s, size_t n)
{
	char *pg = pipe_page_get(op);

	if (!pg)
		return -ENOMEM;
	memcpy(pg, s->page + s->off, n);
	*slot_at(op, op->head) =
		(struct pipe_slot){ pg, 0, (uint32_t)n, (s->flags & SLOT_PACKET) | SLOT_NOMERGE };
	op->head++;
	op->nbytes += n;
	return 0;
}

/* The transfer itself, under both locks: ip/op ready (see pipe_splice_pipe). */
static ssize_t move_slots(struct pipe *ip, struct pipe *op, size_t len, bool tee)
{
	size_t done = 0;
	unsigned i = ip->tail;

	while (done < len && i != ip->head && !pipe_full(op)) {
		struct pipe_slot *s = slot_at(ip, i);
		size_t n = MIN((size_t)s->len, len - done);

		if (!tee && n == s->len) {
			/* the whole slot changes pipes: its page is the output's now */
			struct pipe_slot *d = slot_at(op, op->head);

			*d = *s;
			d->flags |= SLOT_NOMERGE;
			s->page = NULL;
			s->len = 0;
			ip->tail++;
			ip->nbytes -= n;
			op->head++;
			op->nbytes += n;
			i++;
		} else {
			if (copy_slot(op, s, n) < 0)
				return done ? (ssize_t)done : -ENOMEM;
			if (tee) {
				i++;
			} else {
				s->off += (uint32_t)n;
				s->len -= (uint32_t)n;
				ip->nbytes -= n;
			}
		}
		done += n;
	}
	return (ssize_t)done;
}

ssize_t pipe_splice_pipe(struct file *rd, struct file *wr, size_t len, bool tee)
{
	struct pipe *ip = PIPE_OF(rd), *op = PIPE_OF(wr);
	bool in_was_full;
	ssize_t ret;

	if (ip == op)
		return -EINVAL;
	lock_two(ip, op);
	in_was_full = pipe_full(ip);
	/* Linux's order: wait for input (ipipe_prep), then for room (opipe_prep). */
	if (ip->head == ip->tail && ip->writers)
		ret = -EAGAIN;
	else if (pipe_full(op) && op->readers)
		ret = -EAGAIN;
	else if (!op->readers)
		ret = -EPIPE;
	else
		ret = move_slots(ip, op, len, tee);
	in_was_full = in_was_full && !pipe_full(ip);
	pthread_mutex_unlock(&ip->lock);
	pthread_mutex_unlock(&op->lock);
	if (ret > 0)
		waitq_notify(&op->wq, POLLIN | POLLRDNORM);
	if (in_was_full)
		waitq_notify(&ip->wq, POLLOUT | POLLWRNORM);
	return ret;
}
