/*
 * The gofer client: builds requests, sends them on a free channel, and checks each reply
 * (length, op, tag, result range, payload size, fd count) before handing anything back.
 * The gofer is a separate, less trusted process: nothing it says may crash the sentry.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fs/gofer/client.h"

struct chan {
	pthread_mutex_t lock;
	int fd;
	int cpu; /* atomic: where the gofer serves it (its last reply says), or -1 */
	uint32_t tag;
	char *buf; /* GOFER_MSG_MAX, for both directions */
};

struct gofer_client {
	int nchan;
	unsigned next; /* atomic: where the next call starts looking for a free channel */
	pthread_mutex_t clunk_lock; /* the deferred clunks */
	uint32_t nclunk;
	uint32_t clunks[GOFER_CLUNK_BATCH];
	struct chan ch[];
};

/* One call: the request's fixed fields, its variable parts, and where the reply goes. */
struct call {
	struct gofer_req req;
	const char *name, *name2;
	const void *data;
	size_t data_len;
	struct gofer_rep rep;
	void *out; /* payload destination, out_cap bytes */
	size_t out_cap;
	int *fd; /* the op donates an fd on success */
	bool sized; /* a positive result is a size (xattrs) */
};

int gofer_client_new(const int *fds, int nchan, struct gofer_client **out)
{
	struct gofer_client *c;
	int i;

	if (nchan <= 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c) + (size_t)nchan * sizeof(c->ch[0]));
	if (!c)
		goto out_close;
	c->nchan = nchan;
	pthread_mutex_init(&c->clunk_lock, NULL);
	for (i = 0; i < nchan; i++) {
		c->ch[i].buf = malloc(GOFER_MSG_MAX);
		if (!c->ch[i].buf)
			goto out_free;
		pthread_mutex_init(&c->ch[i].lock, NULL);
		c->ch[i].fd = fds[i];
		c->ch[i].cpu = -1;
	}
	*out = c;
	return 0;
out_free:
	while (i-- > 0) {
		free(c->ch[i].buf);
		pthread_mutex_destroy(&c->ch[i].lock);
	}
	free(c);
out_close:
	for (i = 0; i < nchan; i++)
		close(fds[i]);
	return -ENOMEM;
}

void gofer_client_free(struct gofer_client *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nchan; i++) {
		close(c->ch[i].fd);
		free(c->ch[i].buf);
		pthread_mutex_destroy(&c->ch[i].lock);
	}
	/* deferred clunks die with the channels: the gofer forgets every fid at EOF */
	pthread_mutex_destroy(&c->clunk_lock);
	free(c);
}

/*
 * A locked channel: a free one served on the caller's CPU (task threads are pinned, and
 * a wake-up on the other CPU costs far more than the request), else any free one from a
 * rotating start, else wait for one on our CPU (or the start).
 */
static struct chan *chan_get(struct gofer_client *c)
{
	unsigned start = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED) % (unsigned)c->nchan;
	struct chan *wait = &c->ch[start];
	int cpu = sched_getcpu();

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < c->nchan; i++) {
			struct chan *ch = &c->ch[(start + (unsigned)i) % (unsigned)c->nchan];
			bool here = cpu >= 0 && __atomic_load_n(&ch->cpu, __ATOMIC_RELAXED) == cpu;

			if (here && wait == &c->ch[start])
				wait = ch;
			if ((pass || here) && !pthread_mutex_trylock(&ch->lock))
				return ch;
		}
	}
	pthread_mutex_lock(&wait->lock);
	return wait;
}

static void close_fds(struct msghdr *msg, int *nfds, int *first)
{
	*nfds = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (++*nfds == 1 && first)
				*first = fd;
			else
				close(fd);
		}
	}
}

static int send_req(struct chan *ch, struct call *k)
{
	size_t n1 = k->name ? strlen(k->name) + 1 : 0, n2 = k->name2 ? strlen(k->name2) + 1 : 0;
	size_t len = sizeof(k->req) + n1 + n2 + k->data_len;
	char *p = ch->buf;
	ssize_t n;

	if (n1 > UINT16_MAX || n2 > UINT16_MAX || len > GOFER_MSG_MAX)
		return -ENAMETOOLONG;
	k->req.hdr.len = (uint32_t)len;
	k->req.hdr.tag = ++ch->tag;
	k->req.hdr.result = 0;
	k->req.name_len = (uint16_t)n1;
	k->req.name2_len = (uint16_t)n2;
	k->req.data_len = (uint32_t)k->data_len;
	memcpy(p, &k->req, sizeof(k->req));
	p += sizeof(k->req);
	if (n1)
		memcpy(p, k->name, n1);
	p += n1;
	if (n2)
		memcpy(p, k->name2, n2);
	p += n2;
	if (k->data_len)
		memcpy(p, k->data, k->data_len);
	do {
		/* sendmsg, not send (sendto): one pair, recvmsg and sendmsg, for filters to allow */
		n = sendmsg(ch->fd,
			    &(struct msghdr){ .msg_iov = &(struct iovec){ ch->buf, len },
					      .msg_iovlen = 1 },
			    MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE || errno == ECONNRESET ? -EIO : -errno;
	return 0;
}

/* Receives and checks the reply to k; fills k->rep and k->out. */
static int recv_rep(struct chan *ch, struct call *k)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { ch->buf, GOFER_MSG_MAX };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cm.buf,
			      .msg_controllen = sizeof(cm.buf) };
	struct gofer_rep *rep = (struct gofer_rep *)ch->buf;
	int nfds, fd = -1, res;
	ssize_t n;

	do {
		n = recvmsg(ch->fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n == 0 || errno == ECONNRESET ? -EIO : -errno;
	close_fds(&msg, &nfds, k->fd ? &fd : NULL);
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		goto out_proto;
	if ((size_t)n < sizeof(*rep) || rep->hdr.len != (size_t)n ||
	    rep->data_len != (size_t)n - sizeof(*rep) || rep->hdr.tag != k->req.hdr.tag ||
	    rep->hdr.op != k->req.hdr.op)
		goto out_proto;
	res = rep->hdr.result;
	if (res < -4095 || (res > 0 && !k->sized) || (res < 0 && rep->data_len))
		goto out_proto;
	if (rep->data_len > k->out_cap)
		goto out_proto;
	/* exactly one fd with a successful open or create, none with anything else */
	if (nfds != ((k->fd && res >= 0) ? 1 : 0))
		goto out_proto;
	/* only a hint for chan_get: a wrong one costs time, never correctness */
	__atomic_store_n(&ch->cpu, rep->cpu < CPU_SETSIZE ? (int)rep->cpu : -1, __ATOMIC_RELAXED);
	memcpy(&k->rep, rep, sizeof(*rep));
	if (rep->data_len)
		memcpy(k->out, rep + 1, rep->data_len);
	if (k->fd && res >= 0)
		*k->fd = fd;
	return res;
out_proto:
	if (fd >= 0)
		close(fd);
	return -EPROTO;
}

static int rpc(struct gofer_client *c, struct call *k, uint16_t op)
{
	struct chan *ch = chan_get(c);
	int err;

	k->req.hdr.op = op;
	err = send_req(ch, k);
	if (!err)
		err = recv_rep(ch, k);
	pthread_mutex_unlock(&ch->lock);
	return err;
}

/* Copies a node-making reply's fid and stat out. */
static int node_out(struct call *k, int err, uint32_t *fid, struct gofer_stat *st)
{
	if (err < 0)
		return err;
	if (k->rep.fid == GOFER_NOFID)
		return -EPROTO;
	if (fid)
		*fid = k->rep.fid;
	if (st)
		*st = k->rep.st;
	return 0;
}

int gofer_attach(struct gofer_client *c, uint32_t *fid, struct gofer_stat *st)
{
	struct call k = { 0 };

	return node_out(&k, rpc(c, &k, GOFER_OP_ATTACH), fid, st);
}

int gofer_walk(struct gofer_client *c, uint32_t dir, const char *name, uint32_t *fid,
	       struct gofer_stat *st)
{
	struct call k = { .req.fid = dir, .name = name };
	int err = rpc(c, &k, GOFER_OP_WALK);

	/* the gofer may be out of fds that deferred clunks still hold */
	if ((err == -EMFILE || err == -ENFILE) && gofer_clunk_flush(c) > 0)
		err = rpc(c, &k, GOFER_OP_WALK);
	return node_out(&k, err, fid, st);
}

int gofer_stat(struct gofer_client *c, uint32_t fid, struct gofer_stat *st)
{
	struct call k = { .req.fid = fid };
	int err = rpc(c, &k, GOFER_OP_STAT);

	if (!err)
		*st = k.rep.st;
	return err;
}

int gofer_open(struct gofer_client *c, uint32_t fid, int flags, int *fd, struct gofer_stat *st)
{
	struct call k = { .req.fid = fid, .req.flags = (uint32_t)flags, .fd = fd };
	int err = rpc(c, &k, GOFER_OP_OPEN);

	if (!err && st)
		*st = k.rep.st;
	return err;
}

int gofer_create(struct gofer_client *c, uint32_t dir, const char *name, int flags, uint32_t mode,
		 uint32_t uid, uint32_t gid, uint32_t *fid, struct gofer_stat *st, int *fd)
{
	struct call k = { .req = { .fid = dir,
				   .flags = (uint32_t)flags,
				   .mode = mode,
				   .uid = uid,
				   .gid = gid },
			  .name = name,
			  .fd = fd };
	int err = rpc(c, &k, GOFER_OP_CREATE);

	if (err < 0)
		return err;
	err = node_out(&k, err, fid, st);
	if (err < 0)
		close(*fd); /* a reply refused after its fd was taken */
	return err;
}

static int make_node(struct gofer_client *c, uint16_t op, uint32_t dir, const char *name,
		     const char *target, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *fid,
		     struct gofer_stat *st)
{
	struct call k = { .req = { .fid = dir, .mode = mode, .uid = uid, .gid = gid },
			  .name = name,
			  .name2 = target };

	return node_out(&k, rpc(c, &k, op), fid, st);
}

int gofer_mkdir(struct gofer_client *c, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *fid, struct gofer_stat *st)
{
	return make_node(c, GOFER_OP_MKDIR, dir, name, NULL, mode, uid, gid, fid, st);
}

int gofer_mknod(struct gofer_client *c, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *fid, struct gofer_stat *st)
{
	return make_node(c, GOFER_OP_MKNOD, dir, name, NULL, mode, uid, gid, fid, st);
}

int gofer_symlink(struct gofer_client *c, uint32_t dir, const char *name, const char *target,
		  uint32_t uid, uint32_t gid, uint32_t *fid, struct gofer_stat *st)
{
	if (!target[0])
		return -ENOENT;
	return make_node(c, GOFER_OP_SYMLINK, dir, name, target, 0, uid, gid, fid, st);
}

int gofer_link(struct gofer_client *c, uint32_t dir, const char *name, uint32_t fid,
	       struct gofer_stat *st)
{
	struct call k = { .req = { .fid = dir, .fid2 = fid }, .name = name };
	int err = rpc(c, &k, GOFER_OP_LINK);

	if (!err && st)
		*st = k.rep.st;
	return err;
}

int gofer_unlink(struct gofer_client *c, uint32_t dir, const char *name, int flags)
{
	struct call k = { .req = { .fid = dir, .flags = (uint32_t)flags }, .name = name };

	return rpc(c, &k, GOFER_OP_UNLINK);
}

int gofer_rename(struct gofer_client *c, uint32_t odir, const char *oname, uint32_t ndir,
		 const char *nname, unsigned flags)
{
	struct call k = { .req = { .fid = odir, .fid2 = ndir, .flags = flags },
			  .name = oname,
			  .name2 = nname };

	return rpc(c, &k, GOFER_OP_RENAME);
}

ssize_t gofer_readlink(struct gofer_client *c, uint32_t fid, char *buf, size_t len)
{
	char target[GOFER_LINK_MAX];
	struct call k = { .req.fid = fid, .out = target, .out_cap = sizeof(target) };
	int err = rpc(c, &k, GOFER_OP_READLINK);
	size_t n;

	if (err < 0)
		return err;
	n = k.rep.data_len < len ? k.rep.data_len : len;
	memcpy(buf, target, n);
	return (ssize_t)n;
}

/* Checks and delivers readdir records: -EPROTO if they don't tile the payload exactly. */
static int parse_dirents(const char *p, size_t len, uint32_t count, gofer_dirent_fn fn, void *arg)
{
	size_t off = 0;

	for (uint32_t i = 0; i < count; i++) {
		struct gofer_dirent d;
		const char *name;

		if (len - off < sizeof(d))
			return -EPROTO;
		memcpy(&d, p + off, sizeof(d));
		if (d.name_len == 0 || d.name_len > GOFER_NAME_MAX ||
		    gofer_dirent_size(d.name_len) > len - off)
			return -EPROTO;
		name = p + off + sizeof(d);
		if (memchr(name, '/', d.name_len) || memchr(name, 0, d.name_len) ||
		    (d.name_len == 1 && name[0] == '.') ||
		    (d.name_len == 2 && name[0] == '.' && name[1] == '.'))
			return -EPROTO;
		off += gofer_dirent_size(d.name_len);
	}
	if (off != len)
		return -EPROTO;
	/* only a reply that checks out whole reaches the caller */
	off = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct gofer_dirent d;
		char name[GOFER_NAME_MAX + 1];

		memcpy(&d, p + off, sizeof(d));
		memcpy(name, p + off + sizeof(d), d.name_len);
		name[d.name_len] = 0;
		off += gofer_dirent_size(d.name_len);
		if (fn && !fn(arg, name, d.name_len, d.ino, d.type))
			break;
	}
	return 0;
}

int gofer_readdir(struct gofer_client *c, uint32_t fid, uint64_t cookie, gofer_dirent_fn fn,
		  void *arg, uint64_t *next)
{
	size_t cap = GOFER_MSG_MAX - sizeof(struct gofer_rep);
	char *buf = malloc(cap);
	struct call k = { .req = { .fid = fid, .arg = cookie }, .out = buf, .out_cap = cap };
	int err;

	/* the previous reply held the last entries: the end, without asking */
	if (cookie == GOFER_COOKIE_END) {
		free(buf);
		*next = cookie;
		return 0;
	}
	if (!buf)
		return -ENOMEM;
	err = rpc(c, &k, GOFER_OP_READDIR);
	if (!err)
		err = parse_dirents(buf, k.rep.data_len, k.rep.count, fn, arg);
	if (!err) {
		*next = k.rep.cookie;
		err = (int)k.rep.count;
	}
	free(buf);
	return err;
}

int gofer_setattr(struct gofer_client *c, uint32_t fid, const struct gofer_setattr *sa,
		  struct gofer_stat *st)
{
	struct call k = { .req = { .fid = fid,
				   .flags = sa->valid,
				   .mode = sa->mode,
				   .uid = sa->uid,
				   .gid = sa->gid,
				   .arg = sa->size,
				   .atime = sa->atime,
				   .mtime = sa->mtime } };
	int err = rpc(c, &k, GOFER_OP_SETATTR);

	if (!err && st)
		*st = k.rep.st;
	return err;
}

int gofer_statfs(struct gofer_client *c, uint32_t fid, struct gofer_statfs *out)
{
	struct call k = { .req.fid = fid, .out = out, .out_cap = sizeof(*out) };
	int err = rpc(c, &k, GOFER_OP_STATFS);

	if (!err && k.rep.data_len != sizeof(*out))
		return -EPROTO;
	return err;
}

static ssize_t xattr_read(struct gofer_client *c, uint16_t op, uint32_t fid, const char *name,
			  void *buf, size_t len)
{
	struct call k = { .req = { .fid = fid, .arg = len },
			  .name = name,
			  .out = buf,
			  .out_cap = len,
			  .sized = true };
	int res = rpc(c, &k, op);

	if (res < 0)
		return res;
	/* a size query carries no data; a read carries exactly what it says it has */
	if (res > GOFER_XATTR_MAX || (len && k.rep.data_len != (uint32_t)res) ||
	    (!len && k.rep.data_len))
		return -EPROTO;
	return res;
}

ssize_t gofer_getxattr(struct gofer_client *c, uint32_t fid, const char *name, void *buf,
		       size_t len)
{
	/* ls -l asks for security.selinux and system.posix_acl_access on every file */
	if (!gofer_xattr_name_ok(name))
		return -EOPNOTSUPP;
	return xattr_read(c, GOFER_OP_GETXATTR, fid, name, buf, len);
}

ssize_t gofer_listxattr(struct gofer_client *c, uint32_t fid, char *buf, size_t len)
{
	return xattr_read(c, GOFER_OP_LISTXATTR, fid, NULL, buf, len);
}

int gofer_setxattr(struct gofer_client *c, uint32_t fid, const char *name, const void *val,
		   size_t len, int flags)
{
	struct call k = { .req = { .fid = fid, .flags = (uint32_t)flags },
			  .name = name,
			  .data = val,
			  .data_len = len };

	if (!gofer_xattr_name_ok(name))
		return -EOPNOTSUPP;
	if (len > GOFER_XATTR_MAX)
		return -E2BIG;
	return rpc(c, &k, GOFER_OP_SETXATTR);
}

int gofer_removexattr(struct gofer_client *c, uint32_t fid, const char *name)
{
	struct call k = { .req.fid = fid, .name = name };

	if (!gofer_xattr_name_ok(name))
		return -EOPNOTSUPP;
	return rpc(c, &k, GOFER_OP_REMOVEXATTR);
}

int gofer_clunk(struct gofer_client *c, uint32_t fid)
{
	struct call k = { .req.fid = fid };

	return rpc(c, &k, GOFER_OP_CLUNK);
}

/* One message for fids[0..n): the first in req.fid, the others in the data. */
static int clunk_batch(struct gofer_client *c, const uint32_t *fids, uint32_t n)
{
	struct call k = { .req.fid = fids[0],
			  .data = fids + 1,
			  .data_len = (n - 1) * sizeof(fids[0]) };

	return rpc(c, &k, GOFER_OP_CLUNK);
}

int gofer_clunk_deferred(struct gofer_client *c, uint32_t fid)
{
	uint32_t batch[GOFER_CLUNK_BATCH], n = 0;

	pthread_mutex_lock(&c->clunk_lock);
	c->clunks[c->nclunk++] = fid;
	if (c->nclunk == GOFER_CLUNK_BATCH) {
		n = c->nclunk;
		memcpy(batch, c->clunks, n * sizeof(batch[0]));
		c->nclunk = 0;
	}
	pthread_mutex_unlock(&c->clunk_lock);
	return n ? clunk_batch(c, batch, n) : 0;
}

int gofer_clunk_flush(struct gofer_client *c)
{
	uint32_t batch[GOFER_CLUNK_BATCH], n;
	int err;

	pthread_mutex_lock(&c->clunk_lock);
	n = c->nclunk;
	memcpy(batch, c->clunks, n * sizeof(batch[0]));
	c->nclunk = 0;
	pthread_mutex_unlock(&c->clunk_lock);
	if (!n)
		return 0;
	err = clunk_batch(c, batch, n);
	return err < 0 ? err : (int)n;
}
