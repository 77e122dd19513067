/*
 * The gofer server's frame: the fid table, one thread per channel (pinned to a CPU, the
 * channels spread over the CPUs) receiving requests, checking every length and name in
 * them before fs/gofer/ops.c sees them, and sending the replies (with a donated fd when
 * there is one).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "fs/gofer/server.h"
#include "fs/gofer/server_internal.h"

void gnode_get(struct gnode *n)
{
	__atomic_add_fetch(&n->refs, 1, __ATOMIC_RELAXED);
}

void gnode_put(struct gnode *n)
{
	while (n && __atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct gnode *parent = n->parent;

		close(n->fd);
		if (n->dir_fd >= 0)
			close(n->dir_fd);
		pthread_mutex_destroy(&n->dir_lock);
		free(n->name);
		free(n);
		n = parent; /* iterative, so a deep tree can't overflow the stack */
	}
}

struct gnode *gofer_fid_get(struct gofer_server *s, uint32_t fid)
{
	struct gnode *n = NULL;

	pthread_mutex_lock(&s->lock);
	if (fid < s->nfids && s->fids[fid]) {
		n = s->fids[fid];
		gnode_get(n);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

int gofer_fid_install(struct gofer_server *s, struct gnode *n)
{
	uint32_t fid;

	pthread_mutex_lock(&s->lock);
	for (fid = s->hint; fid < s->nfids && s->fids[fid]; fid++)
		;
	if (fid == s->nfids) {
		uint32_t nn = s->nfids ? s->nfids * 2 : 64;
		struct gnode **nf = NULL;

		if (nn <= GOFER_MAX_FIDS)
			nf = realloc(s->fids, nn * sizeof(*nf));
		if (!nf) {
			pthread_mutex_unlock(&s->lock);
			gnode_put(n);
			return -ENFILE;
		}
		memset(nf + s->nfids, 0, (nn - s->nfids) * sizeof(*nf));
		s->fids = nf;
		s->nfids = nn;
	}
	s->fids[fid] = n;
	s->hint = fid + 1;
	pthread_mutex_unlock(&s->lock);
	return (int)fid;
}

/* Takes fid out of the table (s->lock held): its node, whose reference passes to the
 * caller, or NULL. */
static struct gnode *fid_take_locked(struct gofer_server *s, uint32_t fid)
{
	struct gnode *n;

	if (fid >= s->nfids)
		return NULL;
	n = s->fids[fid];
	s->fids[fid] = NULL;
	if (n && fid < s->hint)
		s->hint = fid;
	return n;
}

int gofer_fid_clunk(struct gofer_server *s, uint32_t fid)
{
	return gofer_fid_clunk_many(s, &fid, 1);
}

int gofer_fid_clunk_many(struct gofer_server *s, const uint32_t *fids, size_t n)
{
	struct gnode *nodes[GOFER_CLUNK_BATCH];
	int err = 0;

	while (n) {
		size_t k = MIN(n, ARRAY_SIZE(nodes));

		pthread_mutex_lock(&s->lock);
		for (size_t i = 0; i < k; i++)
			nodes[i] = fid_take_locked(s, fids[i]);
		pthread_mutex_unlock(&s->lock);
		/* the closes happen outside the lock: gnode_put never takes it */
		for (size_t i = 0; i < k; i++) {
			if (!nodes[i])
				err = -EBADF;
			gnode_put(nodes[i]);
		}
		fids += k;
		n -= k;
	}
	return err;
}

struct gnode *gnode_where(struct gofer_server *s, struct gnode *n, char *buf)
{
	struct gnode *p;

	pthread_mutex_lock(&s->lock);
	p = n->parent;
	if (p)
		gnode_get(p);
	strcpy(buf, n->name);
	pthread_mutex_unlock(&s->lock);
	return p;
}

static bool same_node(const struct gnode *a, const struct gnode *b)
{
	return a && b && a->dev == b->dev && a->ino == b->ino;
}

/* Moves one node to (ndir, nname); both the old name and the parent are replaced. */
static void move_node(struct gnode *n, struct gnode *ndir, char *nname)
{
	struct gnode *old = n->parent;

	gnode_get(ndir);
	n->parent = ndir;
	free(n->name);
	n->name = nname;
	/* may free the old parent chain: gnode_put never takes the table lock */
	gnode_put(old);
}

void gofer_renamed(struct gofer_server *s, struct gnode *odir, const char *oname,
		   struct gnode *ndir, const char *nname, bool exchange)
{
	pthread_mutex_lock(&s->lock);
	for (uint32_t i = 0; i < s->nfids; i++) {
		struct gnode *n = s->fids[i];
		char *dup;

		if (!n || !n->parent)
			continue;
		if (same_node(n->parent, odir) && !strcmp(n->name, oname)) {
			dup = strdup(nname);
			if (dup)
				move_node(n, ndir, dup);
		} else if (exchange && same_node(n->parent, ndir) && !strcmp(n->name, nname)) {
			dup = strdup(oname);
			if (dup)
				move_node(n, odir, dup);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

/* The CPUs this process may use, found before any filter is on: the channels' threads
 * are spread over them. */
static void server_find_cpus(struct gofer_server *s)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE && s->ncpus < GOFER_MAX_CPUS; cpu++) {
		if (CPU_ISSET(cpu, &set))
			s->cpus[s->ncpus++] = cpu;
	}
}

int gofer_server_new(int root_fd, bool readonly, struct gofer_server **out)
{
	struct gofer_server *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	if (s->root_fd < 0) {
		int err = -errno;

		free(s);
		return err;
	}
	s->readonly = readonly;
	pthread_mutex_init(&s->lock, NULL);
	server_find_cpus(s);
	*out = s;
	return 0;
}

void gofer_server_free(struct gofer_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nfids; i++)
		gnode_put(s->fids[i]);
	free(s->fids);
	close(s->root_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* A name of len bytes (NUL included) at p: the NUL last and nowhere else. */
static bool name_ok(const char *p, uint16_t len)
{
	return len >= 2 && p[len - 1] == 0 && strlen(p) == (size_t)len - 1;
}

/* Checks a request's layout; 0 with r filled in, or -EINVAL. */
static int decode(const void *buf, size_t n, struct greq *r)
{
	const struct gofer_req *req = buf;
	const char *p = (const char *)(req + 1);
	uint64_t want;

	if (n < sizeof(*req) || req->hdr.len != n)
		return -EINVAL;
	want = sizeof(*req) + (uint64_t)req->name_len + req->name2_len + req->data_len;
	if (want != n)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->req = req;
	if (req->name_len) {
		if (!name_ok(p, req->name_len))
			return -EINVAL;
		r->name = p;
	}
	p += req->name_len;
	if (req->name2_len) {
		if (!name_ok(p, req->name2_len))
			return -EINVAL;
		r->name2 = p;
	}
	p += req->name2_len;
	r->data = req->data_len ? p : NULL;
	return 0;
}

static int send_reply(int fd, struct gofer_rep *rep, int donate)
{
	struct iovec iov = { rep, rep->hdr.len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (donate >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &donate, sizeof(int));
	}
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* Closes any fds a client sent: requests never carry any. */
static void drop_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

struct channel {
	struct gofer_server *s;
	int fd;
	int cpu; /* pinned to, or -1 */
	pthread_t thread;
	bool started;
};

/* Pins the calling thread to ch->cpu; on failure it runs anywhere and says so. */
static void channel_pin(struct channel *ch)
{
	cpu_set_t set;

	if (ch->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(ch->cpu, &set);
	/* pid 0, the calling thread: the only form the gofer's filter allows */
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		ch->cpu = -1;
}

size_t gofer_server_handle(struct gofer_server *s, const void *in, size_t n, int msg_flags,
			   struct gofer_rep *rep, int *fd)
{
	const struct gofer_hdr *h = in;
	struct greq r;
	int err;

	*fd = -1;
	memset(rep, 0, sizeof(*rep));
	/* a header too short to hold a tag still gets an answer, with tag 0 */
	if (n >= sizeof(*h)) {
		rep->hdr.op = h->op;
		rep->hdr.tag = h->tag;
	}
	err = (msg_flags & MSG_TRUNC) ? -EINVAL : decode(in, n, &r);
	if (!err)
		err = gofer_dispatch(s, &r, rep, rep + 1, GOFER_MSG_MAX - sizeof(*rep), fd);
	if (err < 0) {
		rep->data_len = 0;
		rep->count = 0;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	rep->hdr.result = err;
	rep->hdr.len = (uint32_t)(sizeof(*rep) + rep->data_len);
	rep->cpu = GOFER_NOCPU;
	return rep->hdr.len;
}

/* Answers one received message of n bytes (msg_flags from recvmsg). */
static int serve_one(struct channel *ch, const void *in, size_t n, int flags, struct gofer_rep *rep)
{
	int fd, err;

	gofer_server_handle(ch->s, in, n, flags, rep, &fd);
	rep->cpu = ch->cpu >= 0 ? (uint32_t)ch->cpu : GOFER_NOCPU;
	err = send_reply(ch->fd, rep, fd);
	if (fd >= 0)
		close(fd);
	return err;
}

static void *channel_main(void *arg)
{
	struct channel *ch = arg;
	void *in = malloc(GOFER_MSG_MAX);
	struct gofer_rep *rep = malloc(GOFER_MSG_MAX);
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} cm;

	channel_pin(ch);
	while (in && rep) {
		struct iovec iov = { in, GOFER_MSG_MAX };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cm.buf,
				      .msg_controllen = sizeof(cm.buf) };
		ssize_t n = recvmsg(ch->fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the client closed the channel (or it broke) */
		drop_fds(&msg);
		if (serve_one(ch, in, (size_t)n, msg.msg_flags, rep) < 0)
			break;
	}
	free(in);
	free(rep);
	return NULL;
}

int gofer_server_serve(struct gofer_server *s, const int *fds, int n)
{
	struct channel *chs;
	int err = 0;

	if (n <= 0)
		return -EINVAL;
	chs = calloc((size_t)n, sizeof(*chs));
	if (!chs) {
		err = -ENOMEM;
		goto out_close;
	}
	for (int i = 0; i < n; i++) {
		chs[i].s = s;
		chs[i].fd = fds[i];
		/* only with more than one CPU: with one, everything is on it anyway */
		chs[i].cpu = s->ncpus > 1 ? s->cpus[i % s->ncpus] : -1;
	}
	for (int i = 1; i < n; i++) {
		int e = pthread_create(&chs[i].thread, NULL, channel_main, &chs[i]);

		if (e) {
			err = -e;
			/* the channels that did start still run to the end */
			break;
		}
		chs[i].started = true;
	}
	channel_main(&chs[0]);
	for (int i = 1; i < n; i++) {
		if (chs[i].started)
			pthread_join(chs[i].thread, NULL);
	}
	free(chs);
out_close:
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return err;
}
