/*
 * Malformed messages both ways: the server answers broken requests with -EINVAL/-EBADF and
 * keeps serving; the client refuses broken replies with -EPROTO and leaks no fd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/gofer/proto.h"
#include "tests/harness/harness.h"
#include "tests/unit/gofer/gofix.h"

/* Sends len raw bytes and returns the reply's result (its tag into *tag). */
static int raw_call(int fd, const void *msg, size_t len, uint32_t *tag)
{
	char buf[GOFER_MSG_MAX];
	struct gofer_rep *rep = (struct gofer_rep *)buf;
	ssize_t n;

	if (send(fd, msg, len, 0) != (ssize_t)len)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*rep) || rep->hdr.len != (size_t)n)
		return 2;
	if (tag)
		*tag = rep->hdr.tag;
	return rep->hdr.result;
}

/* A request with one name of name_len bytes copied from name. */
static size_t build(char *buf, uint16_t op, uint32_t fid, const char *name, uint16_t name_len)
{
	struct gofer_req *req = (struct gofer_req *)buf;

	memset(req, 0, sizeof(*req));
	req->hdr.op = op;
	req->hdr.tag = 7;
	req->fid = fid;
	req->name_len = name_len;
	memcpy(req + 1, name, name_len);
	req->hdr.len = (uint32_t)(sizeof(*req) + name_len);
	return req->hdr.len;
}

static uint32_t attach_root(int fd)
{
	char buf[GOFER_MSG_MAX];
	struct gofer_rep *rep = (struct gofer_rep *)buf;
	size_t len = build(buf, GOFER_OP_ATTACH, 0, "", 0);

	if (send(fd, buf, len, 0) != (ssize_t)len || recv(fd, buf, sizeof(buf), 0) <= 0 ||
	    rep->hdr.result)
		return GOFER_NOFID;
	return rep->fid;
}

TEST(server_answers_malformed_requests_and_survives)
{
	const char *dir = harness_tmpdir();
	int fds0 = gofix_count_fds(), fd;
	char buf[GOFER_MSG_MAX + 64];
	struct gofer_req *req = (struct gofer_req *)buf;
	struct gofix fx;
	uint32_t root, tag = 99;
	size_t len;
	int ret;

	ASSERT_EQ(mkdir(strcat(strcpy(buf, dir), "/sub"), 0755), 0);
	fd = gofix_start_raw(&fx, dir);
	root = attach_root(fd);
	ASSERT_NE(root, GOFER_NOFID);

	/* a header cut short: no tag to echo, still an answer */
	EXPECT_EQ(raw_call(fd, "\x10\0\0", 3, &tag), -EINVAL);
	EXPECT_EQ(tag, 0u);
	/* hdr.len lies, both ways */
	len = build(buf, GOFER_OP_STAT, root, "", 0);
	req->hdr.len = 0xffffffff;
	EXPECT_EQ(raw_call(fd, buf, len, &tag), -EINVAL);
	EXPECT_EQ(tag, 7u);
	req->hdr.len = 4;
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	/* a fixed part shorter than a request */
	len = build(buf, GOFER_OP_STAT, root, "", 0);
	req->hdr.len = 20;
	EXPECT_EQ(raw_call(fd, buf, 20, NULL), -EINVAL);
	/* bigger than any message may be */
	memset(buf, 0, sizeof(buf));
	req->hdr.len = GOFER_MSG_MAX + 64;
	req->hdr.op = GOFER_OP_STAT;
	EXPECT_EQ(raw_call(fd, buf, GOFER_MSG_MAX + 64, NULL), -EINVAL);
	/* a name length reaching past the end, and a data length that does */
	len = build(buf, GOFER_OP_WALK, root, "sub", 4);
	req->name_len = 200;
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "sub", 4);
	req->data_len = 0x7fffffff;
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	/* bad fids */
	len = build(buf, GOFER_OP_STAT, 0xdeadbeef, "", 0);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EBADF);
	len = build(buf, GOFER_OP_WALK, GOFER_NOFID, "sub", 4);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EBADF);
	/* names: with '/', unterminated, with an inner NUL, "..", empty */
	len = build(buf, GOFER_OP_WALK, root, "sub/x", 6);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "subX", 3);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "s\0b", 4);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "..", 3);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "", 1);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, GOFER_OP_WALK, root, "", 0);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	/* a clunk whose extra fids don't tile its data, or are more than a batch */
	len = build(buf, GOFER_OP_CLUNK, GOFER_NOFID, "", 0);
	req->data_len = 3;
	req->hdr.len += 3;
	EXPECT_EQ(raw_call(fd, buf, len + 3, NULL), -EINVAL);
	len = build(buf, GOFER_OP_CLUNK, GOFER_NOFID, "", 0);
	req->data_len = (GOFER_CLUNK_BATCH + 1) * 4;
	req->hdr.len += req->data_len;
	memset(buf + len, 0xff, req->data_len);
	EXPECT_EQ(raw_call(fd, buf, len + req->data_len, NULL), -EINVAL);
	/* unknown ops */
	len = build(buf, 0, root, "", 0);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);
	len = build(buf, 999, root, "", 0);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), -EINVAL);

	/* fds sent along with a request are closed, not kept */
	{
		union {
			char b[CMSG_SPACE(2 * sizeof(int))];
			struct cmsghdr a;
		} cm;
		int two[2] = { dup(0), dup(0) };
		struct iovec iov = { buf, 0 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cm.b,
				      .msg_controllen = sizeof(cm.b) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		iov.iov_len = build(buf, GOFER_OP_STAT, root, "", 0);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(two));
		memcpy(CMSG_DATA(c), two, sizeof(two));
		ASSERT_EQ(sendmsg(fd, &msg, 0), (ssize_t)iov.iov_len);
		close(two[0]);
		close(two[1]);
		EXPECT_GT(recv(fd, buf, sizeof(buf), 0), 0);
	}

	/* random garbage: every message gets an answer, nothing crashes */
	srand(1);
	for (int i = 0; i < 3000; i++) {
		size_t n = (size_t)(rand() % 400) + 1;

		for (size_t k = 0; k < n; k++)
			buf[k] = (char)rand();
		if (i & 1) {
			/* plausible headers reach the deeper checks */
			req->hdr.len = (uint32_t)n;
			req->hdr.op = (uint16_t)(rand() % (GOFER_OP_MAX + 1));
			req->fid = root;
			if (n >= sizeof(*req)) {
				req->name_len = (uint16_t)(n - sizeof(*req));
				req->name2_len = 0;
				req->data_len = 0;
			}
		}
		if (req->hdr.op == GOFER_OP_CLUNK)
			req->hdr.op = GOFER_OP_STAT; /* keep the root for the last check */
		ret = raw_call(fd, buf, n, NULL);
		ASSERT_TRUE(ret != 1 && ret != 2);
	}
	/* still serving */
	len = build(buf, GOFER_OP_WALK, root, "sub", 4);
	EXPECT_EQ(raw_call(fd, buf, len, NULL), 0);
	gofix_stop(&fx);
	EXPECT_EQ(gofix_count_fds(), fds0);
}

/* ---- a fake gofer that answers one request with a crafted reply ---- */

enum bad {
	BAD_SHORT,
	BAD_TAG,
	BAD_OP,
	BAD_LEN,
	BAD_DATA_UNASKED,
	BAD_RESULT_RANGE,
	BAD_RESULT_POSITIVE,
	BAD_NOFID,
	BAD_FD_UNASKED,
	BAD_OPEN_NO_FD,
	BAD_OPEN_TWO_FDS,
	BAD_DIRENT_SLASH,
	BAD_DIRENT_DOTDOT,
	BAD_DIRENT_COUNT,
	BAD_DIRENT_ZERO_LEN,
	BAD_DIRENT_OVERRUN,
	BAD_READLINK_HUGE,
	BAD_XATTR_SIZE,
	BAD_HANGUP,
};

struct fake {
	int fd;
	enum bad bad;
};

static void add_dirent(char *p, size_t *off, const char *name, uint16_t len)
{
	struct gofer_dirent d = { .ino = 1, .type = DT_REG, .name_len = len };

	memset(p + *off, 0, gofer_dirent_size(len));
	memcpy(p + *off, &d, sizeof(d));
	memcpy(p + *off + sizeof(d), name, strlen(name));
	*off += gofer_dirent_size(len);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	char in[GOFER_MSG_MAX], out[GOFER_MSG_MAX];
	struct gofer_req *req = (struct gofer_req *)in;
	struct gofer_rep *rep = (struct gofer_rep *)out;
	char *payload = (char *)(rep + 1);
	int nfds = 0, sendfds[2] = { 0, 0 };
	size_t len = sizeof(*rep), off = 0;

	if (recv(f->fd, in, sizeof(in), 0) <= 0)
		return NULL;
	if (f->bad == BAD_HANGUP) {
		shutdown(f->fd, SHUT_RDWR);
		return NULL;
	}
	memset(out, 0, sizeof(*rep));
	rep->hdr.op = req->hdr.op;
	rep->hdr.tag = req->hdr.tag;
	switch (f->bad) {
	case BAD_SHORT:
		len = sizeof(rep->hdr);
		break;
	case BAD_TAG:
		rep->hdr.tag++;
		break;
	case BAD_OP:
		rep->hdr.op++;
		break;
	case BAD_LEN:
		rep->hdr.len = 1;
		break;
	case BAD_DATA_UNASKED:
		rep->data_len = 8;
		len += 8;
		break;
	case BAD_RESULT_RANGE:
		rep->hdr.result = -100000;
		break;
	case BAD_RESULT_POSITIVE:
		rep->hdr.result = 5;
		break;
	case BAD_NOFID:
		rep->fid = GOFER_NOFID;
		break;
	case BAD_FD_UNASKED:
		nfds = 1;
		break;
	case BAD_OPEN_NO_FD:
		break;
	case BAD_OPEN_TWO_FDS:
		nfds = 2;
		break;
	case BAD_DIRENT_SLASH:
		add_dirent(payload, &off, "a/b", 3);
		rep->count = 1;
		break;
	case BAD_DIRENT_DOTDOT:
		add_dirent(payload, &off, "..", 2);
		rep->count = 1;
		break;
	case BAD_DIRENT_COUNT:
		add_dirent(payload, &off, "ok", 2);
		rep->count = 2;
		break;
	case BAD_DIRENT_ZERO_LEN:
		add_dirent(payload, &off, "", 0);
		rep->count = 1;
		break;
	case BAD_DIRENT_OVERRUN:
		add_dirent(payload, &off, "abc", 3);
		((struct gofer_dirent *)payload)->name_len = 200;
		rep->count = 1;
		break;
	case BAD_READLINK_HUGE:
		off = GOFER_LINK_MAX + 1;
		memset(payload, 'a', off);
		break;
	case BAD_XATTR_SIZE:
		rep->hdr.result = 10; /* says 10, carries 3 */
		memcpy(payload, "abc", 3);
		off = 3;
		break;
	case BAD_HANGUP:
		break;
	}
	if (off) {
		rep->data_len = (uint32_t)off;
		len += off;
	}
	if (!rep->hdr.len)
		rep->hdr.len = (uint32_t)len;
	if (nfds) {
		union {
			char b[CMSG_SPACE(2 * sizeof(int))];
			struct cmsghdr a;
		} cm;
		struct iovec iov = { out, len };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cm.b,
				      .msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int)) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		sendfds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sendfds[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), sendfds, (size_t)nfds * sizeof(int));
		sendmsg(f->fd, &msg, 0);
		close(sendfds[0]);
		close(sendfds[1]);
	} else {
		send(f->fd, out, len, 0);
	}
	return NULL;
}

/* Runs one client call against a fake reply of kind bad; returns the call's result. */
static int against(enum bad bad, int (*call)(struct gofer_client *c))
{
	struct gofer_client *c;
	struct fake f = { .bad = bad };
	pthread_t t;
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return 1;
	f.fd = sv[1];
	if (gofer_client_new(&sv[0], 1, &c))
		return 2;
	pthread_create(&t, NULL, fake_main, &f);
	ret = call(c);
	pthread_join(t, NULL);
	gofer_client_free(c);
	close(sv[1]);
	return ret;
}

static int call_walk(struct gofer_client *c)
{
	struct gofer_stat st;
	uint32_t fid;

	return gofer_walk(c, 0, "x", &fid, &st);
}

static int call_stat(struct gofer_client *c)
{
	struct gofer_stat st;

	return gofer_stat(c, 0, &st);
}

static int call_open(struct gofer_client *c)
{
	int fd = -1, err = gofer_open(c, 0, O_RDONLY, &fd, NULL);

	if (!err)
		close(fd);
	return err;
}

static bool ignore(void *arg, const char *name, size_t len, uint64_t ino, unsigned type)
{
	return true;
}

static int call_readdir(struct gofer_client *c)
{
	uint64_t next;

	return gofer_readdir(c, 0, 0, ignore, NULL, &next);
}

static int call_readlink(struct gofer_client *c)
{
	char buf[64];

	return (int)gofer_readlink(c, 0, buf, sizeof(buf));
}

static int call_getxattr(struct gofer_client *c)
{
	char buf[64];

	return (int)gofer_getxattr(c, 0, "user.x", buf, sizeof(buf));
}

TEST(client_rejects_malformed_replies)
{
	int fds0 = gofix_count_fds();

	EXPECT_EQ(against(BAD_SHORT, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_TAG, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_OP, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_LEN, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_DATA_UNASKED, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_RESULT_RANGE, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_RESULT_POSITIVE, call_walk), -EPROTO);
	EXPECT_EQ(against(BAD_NOFID, call_walk), -EPROTO);
	EXPECT_EQ(against(BAD_FD_UNASKED, call_stat), -EPROTO);
	EXPECT_EQ(against(BAD_OPEN_NO_FD, call_open), -EPROTO);
	EXPECT_EQ(against(BAD_OPEN_TWO_FDS, call_open), -EPROTO);
	EXPECT_EQ(against(BAD_DIRENT_SLASH, call_readdir), -EPROTO);
	EXPECT_EQ(against(BAD_DIRENT_DOTDOT, call_readdir), -EPROTO);
	EXPECT_EQ(against(BAD_DIRENT_COUNT, call_readdir), -EPROTO);
	EXPECT_EQ(against(BAD_DIRENT_ZERO_LEN, call_readdir), -EPROTO);
	EXPECT_EQ(against(BAD_DIRENT_OVERRUN, call_readdir), -EPROTO);
	EXPECT_EQ(against(BAD_READLINK_HUGE, call_readlink), -EPROTO);
	EXPECT_EQ(against(BAD_XATTR_SIZE, call_getxattr), -EPROTO);
	EXPECT_EQ(against(BAD_HANGUP, call_stat), -EIO);
	/* every fd a refused reply carried was closed */
	EXPECT_EQ(gofix_count_fds(), fds0);
}
