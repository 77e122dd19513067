/*
 * Pipes (see pipe.h): the slot ring, read/write/poll/ioctl on either end, resizing, the
 * anonymous pipefs that pipe(2) inodes live on, and the pipes behind open FIFOs.
 *
 * A pipe lives while any end is open: the last release frees it. A FIFO's pipe is found
 * through fifo_table (keyed by the FIFO's inode, which every open end holds), so the
 * filesystems need no field for it; it goes, data and all, when its last end closes, as
 * on Linux.
 *
 * Lock order: fifo_lock -> pipe->lock.
 *
 * Data lives in malloc'd pages, not memory-file pages: pipe data is never mapped into a
 * guest, so the memory file would only add accounting; a read or write is one copy
 * between the guest's pinned pages (the memory file) and the slot. The splice family
 * (splice.c) fills and drains slots in place and moves them between pipes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "common/waitq.h"
#include "fs/pipe/internal.h"
#include "fs/pipe/pipe.h"
#include "fs/vfs/iov.h"
#include "fs/vfs/vfs.h"

static pthread_mutex_t fifo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head fifo_table = LIST_HEAD_INIT(fifo_table);

static const struct file_ops pipe_fops;

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->slots = calloc(PIPE_DEF_SLOTS, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	p->nslots = PIPE_DEF_SLOTS;
	list_init(&p->fifo_node);
	pthread_mutex_init(&p->lock, NULL);
	waitq_init(&p->wq);
	return p;
}

static void pipe_free(struct pipe *p)
{
	for (unsigned i = p->tail; i != p->head; i++)
		free(slot_at(p, i)->page);
	free(p->spare);
	free(p->slots);
	waitq_destroy(&p->wq);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

char *pipe_page_get(struct pipe *p)
{
	char *pg = p->spare;

	if (pg) {
		p->spare = NULL;
		return pg;
	}
	return malloc(PAGE_SIZE);
}

void pipe_page_put(struct pipe *p, char *pg)
{
	if (!p->spare)
		p->spare = pg;
	else
		free(pg);
}

/* ---- read / write ---- */

static ssize_t pipe_read(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct pipe *p = PIPE_OF(f);
	struct iov_iter it;
	size_t want = iov_length(iov, iovcnt), done = 0;
	bool was_full;
	ssize_t ret;

	if (pos != &f->pos)
		return -ESPIPE;
	if (want == 0)
		return 0;
	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&p->lock);
	was_full = pipe_full(p);
	while (p->tail != p->head && done < want) {
		struct pipe_slot *s = slot_at(p, p->tail);
		size_t n =
			iov_iter_copy_to(&it, s->page + s->off, MIN((size_t)s->len, want - done));

		done += n;
		p->nbytes -= n;
		s->off += (uint32_t)n;
		s->len -= (uint32_t)n;
		if (s->flags & SLOT_PACKET) {
			/* a packet is read whole: what did not fit is dropped */
			p->nbytes -= s->len;
			s->len = 0;
		}
		if (s->len == 0) {
			pipe_page_put(p, s->page);
			s->page = NULL;
			p->tail++;
		}
		if (s->flags & SLOT_PACKET || n == 0)
			break;
	}
	/* Empty: EOF without writers, else the caller may wait for data. */
	ret = done || !p->writers ? (ssize_t)done : -EAGAIN;
	/* Writers wait only for a free slot (pipe_write, pipe_poll): wake them for one. */
	was_full = was_full && !pipe_full(p);
	pthread_mutex_unlock(&p->lock);
	if (was_full)
		waitq_notify(&p->wq, POLLOUT | POLLWRNORM);
	return ret;
}

/* Fills fresh slots from it while there is room; the bytes written. */
static size_t fill_slots(struct pipe *p, struct iov_iter *it, size_t left, bool packet)
{
	size_t done = 0;

	while (left > done && !pipe_full(p)) {
		struct pipe_slot *s = slot_at(p, p->head);
		size_t n = MIN(left - done, PAGE_SIZE);
		char *pg = pipe_page_get(p);

		if (!pg)
			break;
		n = iov_iter_copy_from(it, pg, n);
		if (n == 0) {
			pipe_page_put(p, pg);
			break;
		}
		*s = (struct pipe_slot){ pg, 0, (uint32_t)n, packet ? SLOT_PACKET : 0 };
		p->head++;
		p->nbytes += n;
		done += n;
	}
	return done;
}

static ssize_t pipe_write(struct file *f, const struct iovec *iov, int iovcnt, int64_t *pos)
{
	struct pipe *p = PIPE_OF(f);
	size_t total = iov_length(iov, iovcnt), done = 0, chars;
	bool packet = f->flags & O_DIRECT;
	struct iov_iter it;
	ssize_t ret;

	if (pos != &f->pos)
		return -ESPIPE;
	if (total == 0)
		return 0;
	iov_iter_init(&it, iov, iovcnt);
	pthread_mutex_lock(&p->lock);
	if (!p->readers) {
		ret = -EPIPE;
		goto out_unlock;
	}
	/* As Linux: the sub-page part tops up the last slot if it fits there whole. */
	chars = total & (PAGE_SIZE - 1);
	if (chars && p->head != p->tail && !packet) {
		struct pipe_slot *s = slot_at(p, p->head - 1);

		if (!(s->flags & (SLOT_PACKET | SLOT_NOMERGE)) &&
		    s->off + s->len + chars <= PAGE_SIZE) {
			size_t n = iov_iter_copy_from(&it, s->page + s->off + s->len, chars);

			s->len += (uint32_t)n;
			p->nbytes += n;
			done = n;
		}
	}
	/* Fresh slots take a page each, so a write of at most PIPE_BUF that did not top up
	 * the last slot goes into one slot whole, or waits: that is its atomicity. */
	if (done < total)
		done += fill_slots(p, &it, total - done, packet);
	if (done)
		ret = (ssize_t)done;
	else
		ret = pipe_full(p) ? -EAGAIN : -ENOMEM; /* room but no page */
out_unlock:
	pthread_mutex_unlock(&p->lock);
	if (ret > 0)
		waitq_notify(&p->wq, POLLIN | POLLRDNORM);
	return ret;
}

/* ---- poll, ioctl, release ---- */

static short pipe_poll(struct file *f, short events)
{
	struct pipe *p = PIPE_OF(f);
	short r = 0;

	(void)events;
	pthread_mutex_lock(&p->lock);
	if (file_readable(f)) {
		if (p->head != p->tail)
			r |= POLLIN | POLLRDNORM;
		if (!p->writers && p->w_counter != PIPE_END(f)->hup_after)
			r |= POLLHUP;
	}
	if (file_writable(f)) {
		if (!pipe_full(p))
			r |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			r |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

static struct waitq *pipe_waitq(struct file *f)
{
	return &PIPE_OF(f)->wq;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	struct pipe *p = PIPE_OF(f);
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&p->lock);
	n = (int)MIN(p->nbytes, (size_t)INT32_MAX);
	pthread_mutex_unlock(&p->lock);
	return um->copy_out(um, arg, &n, sizeof(n));
}

static int64_t pipe_llseek(struct file *f, int64_t off, int whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

static void pipe_release(struct file *f)
{
	struct pipe_end *e = PIPE_END(f);
	struct pipe *p = e->p;
	short events = 0;
	bool last;

	if (p->fifo)
		pthread_mutex_lock(&fifo_lock);
	pthread_mutex_lock(&p->lock);
	if (file_readable(f) && --p->readers == 0)
		events |= POLLERR | POLLOUT | POLLWRNORM; /* writers get EPIPE */
	if (file_writable(f) && --p->writers == 0)
		events |= POLLHUP | POLLIN | POLLRDNORM; /* readers get EOF */
	last = !p->readers && !p->writers;
	pthread_mutex_unlock(&p->lock);
	if (p->fifo) {
		if (last)
			list_del(&p->fifo_node);
		pthread_mutex_unlock(&fifo_lock);
	}
	free(e);
	/* The last end: no one holds the pipe (waiters hold a file), so no one to wake. */
	if (last)
		pipe_free(p);
	else if (events)
		waitq_notify(&p->wq, events);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.llseek = pipe_llseek,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.poll = pipe_poll,
	.waitq = pipe_waitq,
};

bool pipe_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops;
}

/* ---- sizes ---- */

long pipe_get_size(struct file *f)
{
	struct pipe *p = PIPE_OF(f);
	long n;

	pthread_mutex_lock(&p->lock);
	n = (long)p->nslots * (long)PAGE_SIZE;
	pthread_mutex_unlock(&p->lock);
	return n;
}

long pipe_set_size(struct file *f, uint64_t size, bool privileged)
{
	struct pipe *p = PIPE_OF(f);
	struct pipe_slot *slots;
	unsigned nslots = 1, used;
	bool grew;

	/* Linux's round_pipe_size: the fcntl argument is an unsigned int. */
	size = (uint32_t)size;
	if (size > (1ULL << 31))
		return -EINVAL;
	while ((uint64_t)nslots * PAGE_SIZE < size)
		nslots <<= 1;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	grew = nslots > p->nslots;
	if (grew && (uint64_t)nslots * PAGE_SIZE > PIPE_MAX_SIZE_DEFAULT && !privileged) {
		pthread_mutex_unlock(&p->lock);
		free(slots);
		return -EPERM;
	}
	used = p->head - p->tail;
	if (used > nslots) {
		pthread_mutex_unlock(&p->lock);
		free(slots);
		return -EBUSY;
	}
	for (unsigned i = 0; i < used; i++)
		slots[i] = *slot_at(p, p->tail + i);
	free(p->slots);
	p->slots = slots;
	p->nslots = nslots;
	p->tail = 0;
	p->head = used;
	pthread_mutex_unlock(&p->lock);
	if (grew)
		waitq_notify(&p->wq, POLLOUT | POLLWRNORM);
	return (long)nslots * (long)PAGE_SIZE;
}

/* ---- pipefs and pipe(2) ---- */

/* pipe(2) inodes carry nothing of their own: the pipe goes with its last open end. */
static const struct super_ops pipefs_sops = { 0 };

static struct super_block *pipefs_sb;
static struct mount *pipefs_mnt;
static pthread_once_t pipefs_once = PTHREAD_ONCE_INIT;
static uint64_t pipefs_next_ino = 1;

/*
 * The one pipefs superblock (st_dev of every pipe) and its internal mount, held for the
 * sentry's lifetime. The mount gives pipe(2) files a path, as Linux's pipefs does, so
 * /proc/[pid]/fd/N of a pipe opens a new end of the same pipe (`cat /dev/stdin`,
 * bash's `<(cmd)`).
 */
static void pipefs_init(void)
{
	struct inode *root;

	pipefs_sb = sb_new(&pipefs_sops, "pipefs", 0);
	if (!pipefs_sb)
		return;
	root = inode_new(pipefs_sb, S_IFDIR | 0700);
	if (!root || vfs_mount_root(pipefs_sb, root, &pipefs_mnt) < 0) {
		sb_put(pipefs_sb);
		pipefs_sb = NULL;
	}
	if (root)
		inode_put(root);
}

/* Opening a pipe(2) inode again (through a /proc magic link): FIFO semantics on the
 * pipe it already has, as Linux's pipefs inodes use fifo_open. */
static const struct inode_ops pipefs_iops = {
	.open = pipe_fifo_open,
};

/* Opens an end of p on inode: a new file with flags (its O_ACCMODE says which end). The
 * caller has counted the end in p->readers/writers; on failure it uncounts it. */
static int pipe_open_end(struct pipe *p, const struct path *path, struct inode *inode,
			 unsigned flags, struct file **out)
{
	struct pipe_end *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	e->p = p;
	err = file_new(path, inode, flags, out);
	if (err < 0) {
		free(e);
		return err;
	}
	(*out)->ops = &pipe_fops;
	(*out)->priv = e;
	return 0;
}

int pipe_create(uint32_t uid, uint32_t gid, unsigned flags, struct file **rd, struct file **wr)
{
	unsigned fl = flags & (O_NONBLOCK | O_DIRECT);
	struct inode *inode;
	struct timespec now;
	struct path path;
	char name[40];
	struct pipe *p;
	int err;

	pthread_once(&pipefs_once, pipefs_init);
	if (!pipefs_sb)
		return -ENOMEM;
	p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	inode = inode_new(pipefs_sb, S_IFIFO | 0600);
	if (!inode) {
		pipe_free(p);
		return -ENOMEM;
	}
	inode->ino = __atomic_fetch_add(&pipefs_next_ino, 1, __ATOMIC_RELAXED);
	inode->nlink = 1;
	inode->uid = uid;
	inode->gid = gid;
	clock_gettime(CLOCK_REALTIME, &now);
	inode->atime = inode->mtime = inode->ctime = inode->btime = now;
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)inode->ino);
	err = vfs_anon_path(pipefs_mnt, name, inode, &path);
	if (err < 0) {
		pipe_free(p);
		goto out_put_inode;
	}
	/* Both ends at once, as Linux's create_pipe_files: no partner to wait for. */
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	err = pipe_open_end(p, &path, inode, O_RDONLY | fl, rd);
	if (err < 0) {
		pipe_free(p);
		goto out_put_path;
	}
	err = pipe_open_end(p, &path, inode, O_WRONLY | fl, wr);
	if (err < 0) {
		p->writers = 0; /* so the read end's release is the last */
		file_put(*rd);
		goto out_put_path;
	}
	/* From now on a reopen finds the pipe by its inode, as a FIFO's open does (the
	 * ends exist: the release of the last one takes it out of the table again). */
	inode->iops = &pipefs_iops;
	pthread_mutex_lock(&fifo_lock);
	p->fifo = inode;
	list_add(&p->fifo_node, &fifo_table);
	pthread_mutex_unlock(&fifo_lock);
out_put_path:
	path_put(&path);
out_put_inode:
	inode_put(inode);
	return err;
}

/* ---- FIFOs ---- */

/* The open pipe of a FIFO inode, or NULL. Under fifo_lock. */
static struct pipe *fifo_find(struct inode *inode)
{
	struct pipe *p;

	list_for_each_entry(p, &fifo_table, fifo_node)
		if (p->fifo == inode)
			return p;
	return NULL;
}

int pipe_fifo_open(struct inode *inode, struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	/* a pipe(2) reopened through /proc: no waiting for a partner (fifo_open's is_pipe) */
	bool is_pipe = inode->sb == pipefs_sb;
	struct pipe_end *e;
	struct pipe *p;
	short events = 0;
	bool fresh = false;

	if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&fifo_lock);
	p = fifo_find(inode);
	if (!p && is_pipe) {
		/* its last end closed while the link was followed */
		pthread_mutex_unlock(&fifo_lock);
		free(e);
		return -ENXIO;
	}
	if (!p) {
		p = pipe_alloc();
		if (!p) {
			pthread_mutex_unlock(&fifo_lock);
			free(e);
			return -ENOMEM;
		}
		p->fifo = inode;
		fresh = true;
	}
	pthread_mutex_lock(&p->lock);
	if (acc == O_WRONLY && (f->flags & O_NONBLOCK) && !p->readers && !is_pipe) {
		pthread_mutex_unlock(&p->lock);
		pthread_mutex_unlock(&fifo_lock);
		if (fresh)
			pipe_free(p);
		free(e);
		return -ENXIO;
	}
	if (acc != O_WRONLY) {
		p->r_counter++;
		if (p->readers++ == 0)
			events |= POLLOUT | POLLWRNORM; /* a writer waiting to open */
	}
	if (acc != O_RDONLY) {
		p->w_counter++;
		if (p->writers++ == 0)
			events |= POLLIN | POLLRDNORM; /* a reader waiting to open */
	}
	e->p = p;
	if (is_pipe) {
		/* both ends were there from the start: nothing to wait for */
	} else if (acc == O_RDONLY && !p->writers) {
		/* no POLLHUP until a writer has come (and gone) */
		e->hup_after = p->w_counter;
		e->open_waits = true;
		e->open_counter = p->w_counter;
	} else if (acc == O_WRONLY && !p->readers) {
		e->open_waits = true;
		e->open_counter = p->r_counter;
	}
	pthread_mutex_unlock(&p->lock);
	if (fresh)
		list_add(&p->fifo_node, &fifo_table);
	pthread_mutex_unlock(&fifo_lock);
	f->ops = &pipe_fops;
	f->priv = e;
	if (events)
		waitq_notify(&p->wq, events);
	return 0;
}

bool pipe_fifo_open_ready(struct file *f)
{
	struct pipe_end *e = PIPE_END(f);
	struct pipe *p = e->p;
	bool ready;

	if (!e->open_waits)
		return true;
	pthread_mutex_lock(&p->lock);
	ready = (file_writable(f) ? p->r_counter : p->w_counter) != e->open_counter;
	pthread_mutex_unlock(&p->lock);
	return ready;
}
