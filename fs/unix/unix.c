/*
 * AF_UNIX socket pairs: the shared pair, its two ends' receive queues, and the file ops
 * read/write/poll/ioctl (see unix.h for the model).
 *
 * Lock order: pair->lock -> an end's waitq (notified after pair->lock is dropped, except
 * by release). Files passed in messages are put without pair->lock: the last put of a
 * socket releases it, which takes its pair's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/util.h"
#include "common/waitq.h"
#include "fs/anon/anon.h"
#include "fs/unix/unix.h"
#include "fs/vfs/vfs.h"

#define UNIX_SHUT_RCV 1u /* Linux's RCV_SHUTDOWN */
#define UNIX_SHUT_SEND 2u /* SEND_SHUTDOWN */
#define UNIX_DGRAM_OVERHEAD 32 /* a datagram may be at most sndbuf - 32 bytes */

struct unix_msg {
	struct unix_msg *next;
	size_t len, off; /* off: bytes a stream has read of it already */
	struct unix_files files; /* SCM_RIGHTS, given to the first read of the message */
	char data[];
};

/* One end. Fields under pair->lock. */
struct unix_end {
	struct unix_pair *pair;
	struct waitq wq; /* this end's readers and writers */
	struct unix_msg *head, *tail; /* what the peer sent, unread */
	size_t queued; /* unread payload bytes in head..tail */
	unsigned shut; /* UNIX_SHUT_* */
	int err; /* pending SO_ERROR (positive), 0 */
	int sndbuf, rcvbuf;
	bool open;
	bool peer_lost; /* a datagram send found the peer gone: no peer from then on */
};

struct unix_pair {
	pthread_mutex_t lock;
	int type;
	struct unix_cred cred;
	struct unix_end end[2];
	int nopen;
};

static const struct file_ops unix_fops;

static struct unix_end *end_of(const struct file *f)
{
	return f->priv;
}

static struct unix_end *peer_of(struct unix_end *e)
{
	struct unix_pair *p = e->pair;

	return e == &p->end[0] ? &p->end[1] : &p->end[0];
}

static bool is_stream(const struct unix_pair *p)
{
	return p->type == SOCK_STREAM;
}

/* A stream or packet socket: connection-oriented (shutdown reaches the peer). */
static bool is_connected_type(const struct unix_pair *p)
{
	return p->type != SOCK_DGRAM;
}

void unix_files_put(struct unix_files *fs)
{
	for (int i = 0; i < fs->n; i++)
		file_put(fs->f[i]);
	free(fs->f);
	fs->f = NULL;
	fs->n = 0;
}

/* Frees a detached list of messages. Without the pair's lock: putting a passed file
 * may release a socket, even an end of this pair. */
static void msgs_free(struct unix_msg *m)
{
	while (m) {
		struct unix_msg *next = m->next;

		unix_files_put(&m->files);
		free(m);
		m = next;
	}
}

/* Empties e's queue; the caller frees what it returns with msgs_free. Under lock. */
static struct unix_msg *queue_detach(struct unix_end *e)
{
	struct unix_msg *m = e->head;

	e->head = e->tail = NULL;
	e->queued = 0;
	return m;
}

/* Frees the head message, whose files were taken already. Under lock. */
static void msg_pop(struct unix_end *e)
{
	struct unix_msg *m = e->head;

	e->head = m->next;
	if (!e->head)
		e->tail = NULL;
	e->queued -= m->len - m->off;
	free(m);
}

/* Hands m's files to out: moved, or new references for a peek. Under lock. */
static int msg_take_files(struct unix_msg *m, unsigned flags, struct unix_files *out)
{
	if (!m->files.n)
		return 0;
	if (!(flags & UNIX_RECV_PEEK)) {
		*out = m->files;
		m->files.f = NULL;
		m->files.n = 0;
		return 0;
	}
	out->f = malloc((size_t)m->files.n * sizeof(*out->f));
	if (!out->f)
		return -ENOMEM;
	for (int i = 0; i < m->files.n; i++)
		file_get(m->files.f[i]);
	memcpy(out->f, m->files.f, (size_t)m->files.n * sizeof(*out->f));
	out->n = m->files.n;
	return 0;
}

/* Whether e may send more: Linux's unix_writable (in flight at most a quarter of
 * sndbuf). Under lock. */
static bool end_writable(struct unix_end *e)
{
	struct unix_end *peer = peer_of(e);
	size_t inflight = peer->open ? peer->queued : 0;

	return inflight * 4 <= (size_t)e->sndbuf;
}

ssize_t unix_send(struct file *f, const struct iovec *iov, int cnt, struct unix_files *files)
{
	struct unix_end *e = end_of(f), *peer = peer_of(e);
	struct unix_pair *p = e->pair;
	size_t len = 0, take, room, done = 0;
	struct unix_msg *m;
	ssize_t ret;

	for (int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	if (is_stream(p) && len == 0)
		return 0; /* Linux's stream send loop never runs: no checks either */
	pthread_mutex_lock(&p->lock);
	if (e->shut & UNIX_SHUT_SEND) {
		ret = -EPIPE;
		goto out;
	}
	if (!is_connected_type(p) && (e->peer_lost || !peer->open)) {
		ret = e->peer_lost ? -ENOTCONN : -ECONNREFUSED;
		e->peer_lost = true;
		goto out;
	}
	if (!peer->open || (peer->shut & UNIX_SHUT_RCV)) {
		ret = -EPIPE;
		goto out;
	}
	if (!is_stream(p) && len > (size_t)e->sndbuf - UNIX_DGRAM_OVERHEAD) {
		ret = -EMSGSIZE;
		goto out;
	}
	if (peer->queued >= (size_t)e->sndbuf) {
		ret = -EAGAIN;
		goto out;
	}
	room = (size_t)e->sndbuf - peer->queued;
	/* A message goes whole once there is any room (Linux may overshoot by one skb). */
	take = is_stream(p) ? MIN(len, room) : len;
	m = malloc(sizeof(*m) + take);
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	m->next = NULL;
	m->len = take;
	m->off = 0;
	m->files.f = NULL;
	m->files.n = 0;
	if (files) {
		m->files = *files;
		files->f = NULL;
		files->n = 0;
	}
	for (int i = 0; i < cnt && done < take; i++) {
		size_t n = MIN(iov[i].iov_len, take - done);

		memcpy(m->data + done, iov[i].iov_base, n);
		done += n;
	}
	if (peer->tail)
		peer->tail->next = m;
	else
		peer->head = m;
	peer->tail = m;
	peer->queued += take;
	ret = (ssize_t)take;
out:
	pthread_mutex_unlock(&p->lock);
	if (ret >= 0)
		waitq_notify(&peer->wq, POLLIN | POLLRDNORM);
	return ret;
}

/*
 * The end of a read that found nothing: the pending error, end of file, or -EAGAIN.
 * Linux checks a datagram socket's shutdown only when it would wait, so a non-blocking
 * datagram read says -EAGAIN where a blocking one sees end of file. Under lock.
 */
static ssize_t recv_empty(struct unix_end *e, unsigned flags)
{
	int err = e->err;

	if (err) {
		e->err = 0;
		return -err;
	}
	if (!(e->shut & UNIX_SHUT_RCV))
		return -EAGAIN;
	return e->pair->type == SOCK_DGRAM && (flags & UNIX_RECV_NONBLOCK) ? -EAGAIN : 0;
}

static ssize_t recv_stream(struct unix_end *e, size_t len, unsigned flags, unix_copy_fn copy,
			   void *arg, struct unix_files *files)
{
	struct unix_msg *m = e->head;
	size_t done = 0;
	int err = 0;

	/* Even a read of 0 bytes waits for data (Linux's rcvlowat target is at least 1). */
	if (!m)
		return recv_empty(e, flags);
	if (len == 0)
		return 0;
	while (m && done < len) {
		size_t n = MIN(m->len - m->off, len - done);
		bool had_files = m->files.n > 0;

		err = copy(arg, done, m->data + m->off, n);
		if (!err)
			err = msg_take_files(m, flags, files);
		if (err)
			break;
		done += n;
		if (flags & UNIX_RECV_PEEK) {
			m = m->next;
			if (had_files)
				break;
			continue;
		}
		m->off += n;
		e->queued -= n;
		if (m->off == m->len) {
			msg_pop(e); /* nothing left of it to take off queued */
			m = e->head;
		}
		if (had_files)
			break; /* files end a read, so they arrive with their data */
	}
	return done ? (ssize_t)done : err;
}

static ssize_t recv_msg(struct unix_end *e, size_t len, unsigned flags, unix_copy_fn copy,
			void *arg, bool *truncated, struct unix_files *files)
{
	struct unix_msg *m = e->head;
	size_t n;
	ssize_t ret;
	int err = 0;

	if (!m)
		return recv_empty(e, flags);
	n = MIN(len, m->len);
	if (n)
		err = copy(arg, 0, m->data, n);
	/* A message is consumed even when its copy failed: its files go to the caller
	 * (to install or put) either way. */
	if (!err || !(flags & UNIX_RECV_PEEK))
		err = msg_take_files(m, flags, files) ?: err;
	*truncated = m->len > len;
	ret = err ? err : (flags & UNIX_RECV_TRUNC) ? (ssize_t)m->len : (ssize_t)n;
	if (!(flags & UNIX_RECV_PEEK))
		msg_pop(e);
	return ret;
}

ssize_t unix_recv(struct file *f, size_t len, unsigned flags, unix_copy_fn copy, void *arg,
		  bool *truncated, struct unix_files *files)
{
	struct unix_end *e = end_of(f);
	struct unix_pair *p = e->pair;
	struct unix_msg *head;
	size_t before;
	bool freed;
	ssize_t ret;

	*truncated = false;
	pthread_mutex_lock(&p->lock);
	before = e->queued;
	head = e->head;
	if (is_stream(p))
		ret = recv_stream(e, len, flags, copy, arg, files);
	else
		ret = recv_msg(e, len, flags, copy, arg, truncated, files);
	/* Room freed for the peer's sends (nothing is queued meanwhile, so a popped head
	 * cannot come back at the same address). */
	freed = e->queued != before || e->head != head;
	pthread_mutex_unlock(&p->lock);
	if (freed)
		waitq_notify(&peer_of(e)->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
	return ret;
}

int unix_shutdown(struct file *f, int how)
{
	struct unix_end *e = end_of(f), *peer = peer_of(e);
	struct unix_pair *p = e->pair;
	unsigned mode;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = (unsigned)how + 1; /* SHUT_RD -> RCV, SHUT_WR -> SEND, SHUT_RDWR -> both */
	pthread_mutex_lock(&p->lock);
	e->shut |= mode;
	/* A connection's peer learns of it: it cannot send to a reader that left, and
	 * reads end of file from a writer that left. */
	if (is_connected_type(p) && peer->open) {
		if (mode & UNIX_SHUT_RCV)
			peer->shut |= UNIX_SHUT_SEND;
		if (mode & UNIX_SHUT_SEND)
			peer->shut |= UNIX_SHUT_RCV;
	}
	pthread_mutex_unlock(&p->lock);
	waitq_notify(&e->wq, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	if (is_connected_type(p))
		waitq_notify(&peer->wq, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	return 0;
}

int unix_inq(struct file *f)
{
	struct unix_end *e = end_of(f);
	struct unix_pair *p = e->pair;
	size_t n;

	pthread_mutex_lock(&p->lock);
	if (p->type == SOCK_DGRAM)
		n = e->head ? e->head->len : 0;
	else
		n = e->queued;
	pthread_mutex_unlock(&p->lock);
	return (int)MIN(n, (size_t)INT32_MAX);
}

int unix_take_error(struct file *f)
{
	struct unix_end *e = end_of(f);
	int err;

	pthread_mutex_lock(&e->pair->lock);
	err = e->err;
	e->err = 0;
	pthread_mutex_unlock(&e->pair->lock);
	return err;
}

int unix_get_buf(struct file *f, bool snd)
{
	struct unix_end *e = end_of(f);
	int v;

	pthread_mutex_lock(&e->pair->lock);
	v = snd ? e->sndbuf : e->rcvbuf;
	pthread_mutex_unlock(&e->pair->lock);
	return v;
}

void unix_set_buf(struct file *f, bool snd, int val)
{
	struct unix_end *e = end_of(f);
	/* Linux: min_t(u32, val, max), so a negative value means the max. */
	uint32_t v = MIN((uint32_t)val, (uint32_t)UNIX_BUF_MAX) * 2;

	pthread_mutex_lock(&e->pair->lock);
	if (snd)
		e->sndbuf = (int)MAX(v, (uint32_t)UNIX_MIN_SNDBUF);
	else
		e->rcvbuf = (int)MAX(v, (uint32_t)UNIX_MIN_RCVBUF);
	pthread_mutex_unlock(&e->pair->lock);
	/* A bigger sndbuf may make this end writable. */
	if (snd)
		waitq_notify(&e->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
}

void unix_peer_cred(struct file *f, struct unix_cred *out)
{
	*out = end_of(f)->pair->cred;
}

bool unix_has_peer(struct file *f)
{
	struct unix_end *e = end_of(f);
	bool r;

	pthread_mutex_lock(&e->pair->lock);
	r = !e->peer_lost;
	pthread_mutex_unlock(&e->pair->lock);
	return r;
}

bool unix_is_socket(const struct file *f)
{
	return f->ops == &unix_fops;
}

int unix_type(const struct file *f)
{
	return end_of(f)->pair->type;
}

static int copy_to_iov(void *arg, size_t off, const void *src, size_t n)
{
	const struct iovec *iov = arg;

	/* The caller's iovecs cover at least off + n bytes (unix_read passes their sum). */
	while (off >= iov->iov_len) {
		off -= iov->iov_len;
		iov++;
	}
	while (n) {
		size_t k = MIN(n, iov->iov_len - off);

		memcpy((char *)iov->iov_base + off, src, k);
		src = (const char *)src + k;
		n -= k;
		off = 0;
		iov++;
	}
	return 0;
}

static ssize_t unix_read(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	struct unix_files files = { NULL, 0 };
	size_t len = 0;
	ssize_t ret;
	bool trunc;

	(void)pos;
	for (int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	if (len == 0)
		return 0; /* sock_read_iter: unlike recv(2), read(2) of nothing never waits */
	ret = unix_recv(f, len, (f->flags & O_NONBLOCK) ? UNIX_RECV_NONBLOCK : 0, copy_to_iov,
			(void *)iov, &trunc, &files);
	unix_files_put(&files); /* read(2) has nowhere to put passed files: Linux drops them */
	return ret;
}

static ssize_t unix_write(struct file *f, const struct iovec *iov, int cnt, int64_t *pos)
{
	(void)pos;
	return unix_send(f, iov, cnt, NULL);
}

/* Linux's unix_poll (streams) and unix_dgram_poll (the others) for a connected pair. */
static short unix_poll(struct file *f, short events)
{
	struct unix_end *e = end_of(f);
	struct unix_pair *p = e->pair;
	short r = 0;

	(void)events;
	pthread_mutex_lock(&p->lock);
	if (e->err)
		r |= POLLERR;
	if (e->shut == (UNIX_SHUT_RCV | UNIX_SHUT_SEND))
		r |= POLLHUP;
	if (e->shut & UNIX_SHUT_RCV)
		r |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (e->head)
		r |= POLLIN | POLLRDNORM;
	if (end_writable(e))
		r |= POLLOUT | POLLWRNORM | POLLWRBAND;
	pthread_mutex_unlock(&p->lock);
	return r;
}

static struct waitq *unix_waitq(struct file *f)
{
	return &end_of(f)->wq;
}

static long unix_ioctl(struct file *f, unsigned cmd, uint64_t arg, const struct umem *um)
{
	int n;

	if (cmd != FIONREAD) /* SIOCINQ */
		return -ENOTTY;
	n = unix_inq(f);
	return um->copy_out(um, arg, &n, sizeof(n));
}

static int64_t unix_llseek(struct file *f, int64_t off, int whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

static void pair_free(struct unix_pair *p)
{
	for (int i = 0; i < 2; i++)
		waitq_destroy(&p->end[i].wq);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Linux's unix_release_sock: the peer of a connection can neither send nor wait for
 * more, and learns with ECONNRESET that data it sent was never read. */
static void unix_release(struct file *f)
{
	struct unix_end *e = end_of(f), *peer = peer_of(e);
	struct unix_pair *p = e->pair;
	struct unix_msg *dead;
	bool last;

	pthread_mutex_lock(&p->lock);
	e->open = false;
	if (is_connected_type(p) && peer->open) {
		peer->shut = UNIX_SHUT_RCV | UNIX_SHUT_SEND;
		if (e->head)
			peer->err = ECONNRESET;
	}
	dead = queue_detach(e);
	last = --p->nopen == 0;
	/* Under the lock (allowed: pair->lock -> waitq), since once it is dropped the
	 * peer's release may free the pair. The last end has no one left to wake: waiters
	 * hold a file. */
	if (!last)
		waitq_notify(&peer->wq, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
	pthread_mutex_unlock(&p->lock);
	if (last)
		pair_free(p);
	/* Putting passed files may release a socket, even the peer: without the lock. */
	msgs_free(dead);
}

static const struct file_ops unix_fops = {
	.read = unix_read,
	.write = unix_write,
	.llseek = unix_llseek,
	.ioctl = unix_ioctl,
	.release = unix_release,
	.poll = unix_poll,
	.waitq = unix_waitq,
};

int unix_pair_create(int type, unsigned flags, const struct unix_cred *cred, uint32_t uid,
		     uint32_t gid, struct file **a, struct file **b)
{
	struct unix_pair *p = calloc(1, sizeof(*p));
	struct file *fs[2] = { NULL, NULL };
	int err = 0;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->type = type;
	p->cred = *cred;
	for (int i = 0; i < 2; i++) {
		struct unix_end *e = &p->end[i];

		e->pair = p;
		waitq_init(&e->wq);
		e->sndbuf = UNIX_BUF_DEFAULT;
		e->rcvbuf = UNIX_BUF_DEFAULT;
	}
	for (int i = 0; i < 2 && !err; i++) {
		err = anon_file_new("sockfs", &unix_fops, &p->end[i], O_RDWR | (flags & O_NONBLOCK),
				    uid, gid, &fs[i]);
		if (err)
			break;
		/* Linux's sockfs inode: a socket, rwx for all. */
		fs[i]->inode->mode = S_IFSOCK | 0777;
		p->end[i].open = true;
		p->nopen++;
	}
	if (err) {
		/* Releasing the made end frees the pair once none is left. */
		if (fs[0])
			file_put(fs[0]);
		else
			pair_free(p);
		return err;
	}
	*a = fs[0];
	*b = fs[1];
	return 0;
}
