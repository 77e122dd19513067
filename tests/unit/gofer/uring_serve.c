/* The io_uring request loop for the gofer benchmark (see uring_serve.h). */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fs/gofer/proto.h"
#include "fs/gofer/server.h"
#include "tests/unit/gofer/uring_serve.h"

struct uchan {
	int fd, donated;
	char in[GOFER_MSG_MAX];
	char out[GOFER_MSG_MAX];
	struct iovec iov_in, iov_out;
	struct msghdr msg_in, msg_out;
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} cm_in, cm_out;
};

static void post_recv(struct io_uring *ring, struct uchan *ch, int idx)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	ch->iov_in = (struct iovec){ ch->in, sizeof(ch->in) };
	ch->msg_in = (struct msghdr){ .msg_iov = &ch->iov_in,
				      .msg_iovlen = 1,
				      .msg_control = ch->cm_in.buf,
				      .msg_controllen = sizeof(ch->cm_in.buf) };
	io_uring_prep_recvmsg(sqe, ch->fd, &ch->msg_in, MSG_CMSG_CLOEXEC);
	io_uring_sqe_set_data64(sqe, (uint64_t)idx * 2);
}

static void post_send(struct io_uring *ring, struct uchan *ch, int idx, size_t len, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	ch->iov_out = (struct iovec){ ch->out, len };
	ch->msg_out = (struct msghdr){ .msg_iov = &ch->iov_out, .msg_iovlen = 1 };
	ch->donated = fd;
	if (fd >= 0) {
		struct cmsghdr *c;

		ch->msg_out.msg_control = ch->cm_out.buf;
		ch->msg_out.msg_controllen = CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(&ch->msg_out);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	io_uring_prep_sendmsg(sqe, ch->fd, &ch->msg_out, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, (uint64_t)idx * 2 + 1);
}

int uring_serve(struct gofer_server *s, const int *fds, int n)
{
	struct uchan *chs = calloc((size_t)n, sizeof(*chs));
	struct io_uring ring;
	int live = n, err;

	if (!chs)
		return -ENOMEM;
	err = io_uring_queue_init(64, &ring, 0);
	if (err < 0)
		goto out_free;
	for (int i = 0; i < n; i++) {
		chs[i].fd = fds[i];
		post_recv(&ring, &chs[i], i);
	}
	while (live > 0) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;

		err = io_uring_submit_and_wait(&ring, 1);
		if (err < 0 && err != -EINTR)
			break;
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			int idx = (int)(cqe->user_data / 2), res = cqe->res, fd;
			struct uchan *ch = &chs[idx];

			seen++;
			if (cqe->user_data & 1) {
				if (ch->donated >= 0)
					close(ch->donated);
				if (res < 0)
					live--;
				else
					post_recv(&ring, ch, idx);
				continue;
			}
			if (res <= 0) {
				live--;
				continue;
			}
			size_t len =
				gofer_server_handle(s, ch->in, (size_t)res, ch->msg_in.msg_flags,
						    (struct gofer_rep *)ch->out, &fd);
			post_send(&ring, ch, idx, len, fd);
		}
		io_uring_cq_advance(&ring, seen);
	}
	err = 0;
	io_uring_queue_exit(&ring);
out_free:
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(chs);
	return err;
}

struct ploop {
	struct gofer_server *s;
	struct uchan ch;
	pthread_t thread;
};

/*
 * One channel, its own ring: the reply's sendmsg and the next request's recvmsg go in one
 * submission, and one io_uring_enter waits for both, so each request costs one system call
 * instead of recvmsg + sendmsg.
 */
static void *ploop_main(void *arg)
{
	struct ploop *p = arg;
	struct uchan *ch = &p->ch;
	struct io_uring ring;
	unsigned inflight = 1;
	bool live = true;

	if (io_uring_queue_init(4, &ring, 0) < 0)
		return NULL;
	post_recv(&ring, ch, 0);
	while (live) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int fd;

		if (io_uring_submit_and_wait(&ring, inflight) < 0 && errno != EINTR)
			break;
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			int res = cqe->res;

			seen++;
			inflight--;
			if (cqe->user_data & 1) {
				if (ch->donated >= 0)
					close(ch->donated);
				continue;
			}
			if (res <= 0) {
				live = false;
				continue;
			}
			size_t len =
				gofer_server_handle(p->s, ch->in, (size_t)res, ch->msg_in.msg_flags,
						    (struct gofer_rep *)ch->out, &fd);
			post_send(&ring, ch, 0, len, fd);
			post_recv(&ring, ch, 0);
			inflight += 2;
		}
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

int uring_serve_per_channel(struct gofer_server *s, const int *fds, int n)
{
	struct ploop *ps = calloc((size_t)n, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		ps[i].s = s;
		ps[i].ch.fd = fds[i];
		pthread_create(&ps[i].thread, NULL, ploop_main, &ps[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(ps[i].thread, NULL);
		close(fds[i]);
	}
	free(ps);
	return 0;
}
