/*
 * The socket calls for AF_UNIX socket pairs (fs/unix): socketpair, send/recv in their
 * sendto/recvfrom/sendmsg/recvmsg forms, shutdown, get/setsockopt, getsockname and
 * getpeername. socket(2) itself (and bind/connect/listen/accept) belongs to the network
 * stack and stays unimplemented. Data moves through a sentry bounce buffer (send) or is
 * copied straight out under the socket's lock (recv); a call that would block waits on
 * the end's waitq and retries, restartably. sendmsg/recvmsg pass files (SCM_RIGHTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fs/unix/unix.h"
#include "fs/vfs/vfs.h"
#include "sentry/abi/linux.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_socket.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define SOCK_UIO_MAXIOV 1024
#define SOCK_MAX_RW 0x7ffff000L /* MAX_RW_COUNT */
#define SOCK_CHUNK (64UL << 10) /* stream bytes copied in per call down */
#define SOCK_ADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define SOCK_TYPE_MASK 0xf
#define SOCK_OPTMEM_MAX 131072 /* net.core.optmem_max: the most control data at once */

/* A guest message: its iovecs (or the one buffer of send/recv) and total length. */
struct sock_msg {
	struct linux_iovec one;
	struct linux_iovec *iov; /* &one or malloc'd */
	int cnt;
	size_t len;
	bool has_name; /* a destination address was given: name[0..namelen) */
	char name[SOCK_ADDR_MAX];
	int namelen;
};

static void msg_free(struct sock_msg *m)
{
	if (m->iov != &m->one)
		free(m->iov);
}

static void msg_one(struct sock_msg *m, uaddr_t buf, size_t len)
{
	m->one.iov_base = buf;
	m->one.iov_len = MIN(len, (size_t)SOCK_MAX_RW); /* Linux clamps len to INT_MAX */
	m->iov = &m->one;
	m->cnt = 1;
	m->len = m->one.iov_len;
	m->has_name = false;
}

/* Reads cnt guest iovecs at uiov: 0, -EMSGSIZE (too many), -EINVAL (a negative length),
 * -EFAULT, -ENOMEM. The total is clamped to MAX_RW_COUNT as Linux. */
static int msg_iov_in(struct task *t, struct sock_msg *m, uaddr_t uiov, uint64_t cnt)
{
	size_t total = 0;
	int err;

	m->iov = &m->one;
	m->cnt = 0;
	m->len = 0;
	if (cnt > SOCK_UIO_MAXIOV)
		return -EMSGSIZE;
	if (cnt == 0)
		return 0;
	m->iov = malloc(cnt * sizeof(*m->iov));
	if (!m->iov) {
		m->iov = &m->one;
		return -ENOMEM;
	}
	m->cnt = (int)cnt;
	err = task_copy_in(t, uiov, m->iov, cnt * sizeof(*m->iov));
	if (err)
		return err;
	for (int i = 0; i < m->cnt; i++) {
		if ((int64_t)m->iov[i].iov_len < 0)
			return -EINVAL;
		m->iov[i].iov_len = MIN(m->iov[i].iov_len, (uint64_t)SOCK_MAX_RW - total);
		total += m->iov[i].iov_len;
	}
	m->len = total;
	return 0;
}

/* Copies n guest bytes at offset off of m into buf. 0 or -EFAULT. */
static int msg_gather(struct task *t, const struct sock_msg *m, size_t off, char *buf, size_t n)
{
	for (int i = 0; i < m->cnt && n; i++) {
		size_t len = m->iov[i].iov_len, k;
		int err;

		if (off >= len) {
			off -= len;
			continue;
		}
		k = MIN(len - off, n);
		err = task_copy_in(t, m->iov[i].iov_base + off, buf, k);
		if (err)
			return err;
		buf += k;
		n -= k;
		off = 0;
	}
	return 0;
}

struct scatter {
	struct task *t;
	const struct sock_msg *m;
	size_t base; /* bytes of m filled by earlier calls down */
};

/* unix_copy_fn into the guest iovecs. */
static int msg_scatter(void *arg, size_t off, const void *src, size_t n)
{
	struct scatter *s = arg;
	const char *p = src;

	off += s->base;
	for (int i = 0; i < s->m->cnt && n; i++) {
		size_t len = s->m->iov[i].iov_len, k;
		int err;

		if (off >= len) {
			off -= len;
			continue;
		}
		k = MIN(len - off, n);
		err = task_copy_out(s->t, s->m->iov[i].iov_base + off, p, k);
		if (err)
			return err;
		p += k;
		n -= k;
		off = 0;
	}
	return 0;
}

struct file *sys_sock_get(struct task *t, int fd, long *err)
{
	struct file *f = fdt_get(t->fdt, fd);

	*err = -EBADF;
	if (!f)
		return NULL;
	if (!unix_is_socket(f)) {
		*err = (f->flags & O_PATH) ? -EBADF : -ENOTSOCK;
		file_put(f);
		return NULL;
	}
	return f;
}

/* Waits for f to be ready for events after -EAGAIN: 0 to retry, or -ERESTARTSYS. */
static long sock_wait(struct task *t, struct file *f, short events)
{
	return sys_wait_file(t, f, events, NULL) ? -ERESTARTSYS : 0;
}

/*
 * Where a datagram addressed to m's name would go: no socket is ever bound in the
 * sandbox, so the answer is an error, Linux's for the address (-EINVAL malformed, the
 * lookup's error for a missing path, else -ECONNREFUSED).
 */
static long dgram_dest_error(struct task *t, const struct sock_msg *m)
{
	const struct sockaddr_un *sun = (const void *)m->name;
	size_t plen = (size_t)m->namelen - offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(sun->sun_path) + 1];
	struct vfs_cred c;
	struct path p;
	int err;

	if (m->namelen <= (int)offsetof(struct sockaddr_un, sun_path) ||
	    m->namelen > (int)sizeof(*sun) || sun->sun_family != AF_UNIX)
		return -EINVAL;
	if (sun->sun_path[0] == 0)
		return -ECONNREFUSED; /* abstract: none bound */
	memcpy(path, sun->sun_path, plen);
	path[plen] = 0;
	sys_fs_cred(t, &c);
	err = vfs_walk(t->fs, NULL, path, LOOKUP_FOLLOW, &c, &p);
	if (err)
		return err;
	path_put(&p);
	return -ECONNREFUSED;
}

/*
 * Sends m on f with flags (MSG_DONTWAIT, MSG_NOSIGNAL; MSG_OOB is -EOPNOTSUPP). A stream
 * goes in chunks until all is sent (a wait interrupted after some returns those); a
 * message goes whole. -EPIPE raises SIGPIPE (streams only, as Linux) unless MSG_NOSIGNAL.
 * files (NULL = none) go with the first chunk; the caller puts what was not sent.
 */
static long sock_send(struct task *t, struct file *f, const struct sock_msg *m, int flags,
		      struct unix_files *files)
{
	bool stream = unix_type(f) == SOCK_STREAM;
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	size_t done = 0, bufsz;
	struct iovec hiov;
	char *buf;
	long ret = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->has_name) {
		/* Linux: a stream is connected (-EISCONN), a packet socket ignores the name;
		 * a datagram would go to a named socket, and none exist here. */
		if (stream)
			return -EISCONN;
		if (unix_type(f) == SOCK_DGRAM)
			return dgram_dest_error(t, m);
	}
	if (!stream && m->len > (size_t)unix_get_buf(f, true))
		return -EMSGSIZE; /* before allocating a guest-sized buffer */
	bufsz = stream ? MIN(m->len, SOCK_CHUNK) : m->len;
	buf = malloc(bufsz ? bufsz : 1);
	if (!buf)
		return -ENOMEM;
	do {
		size_t n = stream ? MIN(m->len - done, bufsz) : m->len;

		ret = msg_gather(t, m, done, buf, n);
		if (ret)
			break;
		hiov.iov_base = buf;
		hiov.iov_len = n;
		ret = unix_send(f, &hiov, 1, files);
		if (ret >= 0) {
			done += (size_t)ret;
			if (!stream)
				break;
			continue;
		}
		if (ret != -EAGAIN || nonblock)
			break;
		ret = sock_wait(t, f, POLLOUT);
	} while (ret >= 0 && done < m->len);
	free(buf);
	if (ret == -EPIPE && stream && !(flags & MSG_NOSIGNAL))
		sig_send(t, SIGPIPE, false);
	if (done)
		return (long)done;
	return ret < 0 ? ret : 0;
}

/*
 * Receives into m with flags (MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, MSG_WAITALL for
 * streams). *oflags gets MSG_TRUNC when a message was cut; *files the files passed with
 * the data (for the caller to install or put). Bytes, or -errno.
 */
static long sock_recv(struct task *t, struct file *f, const struct sock_msg *m, int flags,
		      int *oflags, struct unix_files *files)
{
	bool stream = unix_type(f) == SOCK_STREAM;
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	unsigned uflags = 0;
	struct scatter s = { .t = t, .m = m, .base = 0 };
	bool trunc;
	long ret;

	*oflags = 0;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_PEEK)
		uflags |= UNIX_RECV_PEEK;
	if (nonblock)
		uflags |= UNIX_RECV_NONBLOCK;
	if ((flags & MSG_TRUNC) && !stream)
		uflags |= UNIX_RECV_TRUNC;
	for (;;) {
		ret = unix_recv(f, m->len - s.base, uflags, msg_scatter, &s, &trunc, files);
		/* MSG_WAITALL goes on, but not past files (they end a read). */
		if (ret > 0 && stream && (flags & MSG_WAITALL) && !(flags & MSG_PEEK) &&
		    !files->n && s.base + (size_t)ret < m->len) {
			s.base += (size_t)ret;
			continue;
		}
		if (ret >= 0) {
			ret += (long)s.base;
			break;
		}
		if (ret != -EAGAIN || nonblock) {
			break;
		}
		ret = sock_wait(t, f, POLLIN);
		if (ret)
			break;
	}
	if (ret < 0 && s.base)
		ret = (long)s.base; /* MSG_WAITALL: what arrived before the error */
	if (trunc)
		*oflags |= MSG_TRUNC;
	return ret;
}

/* A destination address into m, as move_addr_to_kernel: 0, -EINVAL, -EFAULT. */
static int addr_in(struct task *t, uaddr_t uaddr, int len, struct sock_msg *m)
{
	int err;

	if (len < 0 || len > SOCK_ADDR_MAX)
		return -EINVAL;
	err = len ? task_copy_in(t, uaddr, m->name, (size_t)len) : 0;
	m->namelen = len;
	m->has_name = !err && len > 0;
	return err;
}

int sys_sock_addr_out(struct task *t, uaddr_t uaddr, uaddr_t ulen, int klen)
{
	uint16_t family = AF_UNIX;
	int len;
	int err = task_copy_in(t, ulen, &len, sizeof(len));

	if (err)
		return err;
	if (len < 0)
		return -EINVAL;
	len = MIN(len, klen);
	if (len) {
		err = task_copy_out(t, uaddr, &family, (size_t)len);
		if (err)
			return err;
	}
	return task_copy_out(t, ulen, &klen, sizeof(klen));
}

/* socketpair(2): AF_UNIX only (no other family exists in the sandbox: -EAFNOSUPPORT). */
long sys_socketpair(struct task *t, const struct sysargs *a)
{
	int domain = sysarg_int(a, 0), type = sysarg_int(a, 1), proto = sysarg_int(a, 2);
	uaddr_t usv = sysarg_addr(a, 3);
	int flags = type & ~SOCK_TYPE_MASK;
	struct unix_cred cred;
	struct file *fa, *fb;
	int fds[2];
	long ret;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	type &= SOCK_TYPE_MASK;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (proto && proto != PF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM; /* as Linux's unix_create */
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	cred.pid = t->tg->tgid;
	cred.uid = t->cred->euid;
	cred.gid = t->cred->egid;
	ret = unix_pair_create(type, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &cred,
			       t->cred->fsuid, t->cred->fsgid, &fa, &fb);
	if (ret < 0)
		return ret;
	ret = fdt_install(t->fdt, fa, 0, flags & SOCK_CLOEXEC, sys_nofile(t));
	if (ret < 0)
		goto out_put;
	fds[0] = (int)ret;
	ret = fdt_install(t->fdt, fb, 0, flags & SOCK_CLOEXEC, sys_nofile(t));
	if (ret < 0) {
		fdt_close(t->fdt, fds[0]);
		goto out_put;
	}
	fds[1] = (int)ret;
	ret = task_copy_out(t, usv, fds, sizeof(fds));
	if (ret < 0) {
		fdt_close(t->fdt, fds[0]);
		fdt_close(t->fdt, fds[1]);
	}
out_put:
	file_put(fa);
	file_put(fb);
	return ret;
}

/* sendto(2): the address is checked, then -EISCONN (stream), ignored (packet). */
long sys_sendto(struct task *t, const struct sysargs *a)
{
	uaddr_t uaddr = sysarg_addr(a, 4);
	int alen = sysarg_int(a, 5);
	struct sock_msg m;
	struct file *f;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	msg_one(&m, sysarg_addr(a, 1), sysarg_size(a, 2));
	ret = 0;
	if (uaddr)
		ret = addr_in(t, uaddr, alen, &m);
	if (!ret)
		ret = sock_send(t, f, &m, sysarg_int(a, 3), NULL);
	file_put(f);
	return ret;
}

/* recvfrom(2): an unnamed peer has an empty address (length 0), as Linux. */
long sys_recvfrom(struct task *t, const struct sysargs *a)
{
	uaddr_t uaddr = sysarg_addr(a, 4), ulen = sysarg_addr(a, 5);
	struct unix_files files = { NULL, 0 };
	struct sock_msg m;
	struct file *f;
	int oflags;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	msg_one(&m, sysarg_addr(a, 1), sysarg_size(a, 2));
	ret = sock_recv(t, f, &m, sysarg_int(a, 3), &oflags, &files);
	unix_files_put(&files); /* no room for them: dropped, as Linux */
	if (ret >= 0 && uaddr) {
		int err = sys_sock_addr_out(t, uaddr, ulen, 0);

		if (err)
			ret = err;
	}
	file_put(f);
	return ret;
}

/* Adds the files of an SCM_RIGHTS payload (n fds) to fs, as Linux's scm_fp_copy: at
 * most UNIX_MAX_FDS in all (-EINVAL), each open (-EBADF). */
static int rights_in(struct task *t, const int *fds, size_t n, struct unix_files *fs)
{
	if (n == 0)
		return 0;
	if (fs->n + n > UNIX_MAX_FDS)
		return -EINVAL;
	if (!fs->f) {
		fs->f = malloc(UNIX_MAX_FDS * sizeof(*fs->f));
		if (!fs->f)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct file *f = fdt_get(t->fdt, fds[i]);

		if (!f)
			return -EBADF;
		fs->f[fs->n++] = f;
	}
	return 0;
}

/*
 * Control data of sendmsg into fs: SCM_RIGHTS files are passed; cmsgs of other levels
 * are skipped (as Linux's __scm_send). SCM_CREDENTIALS is not supported and, like
 * malformed headers and unknown SOL_SOCKET types, is -EINVAL (nothing is silently
 * dropped). On error the caller puts fs.
 */
static int control_in(struct task *t, uaddr_t uctl, uint64_t len, struct unix_files *fs)
{
	struct cmsghdr *c;
	char *buf;
	int err;

	if (len == 0)
		return 0;
	if (len > SOCK_OPTMEM_MAX)
		return -ENOBUFS; /* Linux's sock_kmalloc over optmem_max */
	buf = malloc(len);
	if (!buf)
		return -ENOBUFS;
	err = task_copy_in(t, uctl, buf, len);
	for (size_t off = 0; !err && off + sizeof(*c) <= len;) {
		c = (struct cmsghdr *)(buf + off);
		if (c->cmsg_len < sizeof(*c) || c->cmsg_len > len - off)
			err = -EINVAL;
		else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			err = rights_in(t, (const int *)CMSG_DATA(c),
					(c->cmsg_len - CMSG_LEN(0)) / sizeof(int), fs);
		else if (c->cmsg_level == SOL_SOCKET)
			err = -EINVAL;
		off += CMSG_ALIGN(c->cmsg_len);
	}
	free(buf);
	return err;
}

/*
 * recvmsg's SCM_RIGHTS, as Linux's scm_detach_fds: installs as many of fs as the control
 * buffer has room for (MSG_CMSG_CLOEXEC: close-on-exec), flags MSG_CTRUNC when some did
 * not fit (those are dropped), and writes the cmsg. *used: control bytes written. Puts fs.
 */
static int rights_out(struct task *t, uaddr_t uctl, uint64_t room, int flags, struct unix_files *fs,
		      int *oflags, uint64_t *used)
{
	struct {
		struct cmsghdr h;
		int fds[UNIX_MAX_FDS];
	} *c = NULL;
	int max = 0, n = 0, err = 0;

	*used = 0;
	if (!fs->n)
		return 0;
	if (room > sizeof(struct cmsghdr))
		max = (int)MIN((room - sizeof(struct cmsghdr)) / sizeof(int), (uint64_t)fs->n);
	if (max) {
		c = malloc(sizeof(*c));
		if (!c)
			err = -ENOMEM;
	}
	while (!err && n < max) {
		long fd = fdt_install(t->fdt, fs->f[n], 0, flags & MSG_CMSG_CLOEXEC, sys_nofile(t));

		if (fd < 0)
			break;
		c->fds[n++] = (int)fd;
	}
	if (n < fs->n)
		*oflags |= MSG_CTRUNC;
	if (n) {
		c->h.cmsg_len = CMSG_LEN(n * sizeof(int));
		c->h.cmsg_level = SOL_SOCKET;
		c->h.cmsg_type = SCM_RIGHTS;
		err = task_copy_out(t, uctl, c, c->h.cmsg_len);
		*used = MIN((uint64_t)CMSG_SPACE(n * sizeof(int)), room);
	}
	free(c);
	unix_files_put(fs);
	return err;
}

struct msghdr_in {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

/* sendmsg(2): iovecs; a name as sendto; control data see control_in. */
long sys_sendmsg(struct task *t, const struct sysargs *a)
{
	struct unix_files files = { NULL, 0 };
	struct msghdr_in h;
	struct sock_msg m = { .iov = &m.one };
	struct file *f;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = task_copy_in(t, sysarg_addr(a, 1), &h, sizeof(h));
	if (!ret && h.name)
		ret = addr_in(t, h.name, (int)h.namelen, &m);
	if (!ret)
		ret = msg_iov_in(t, &m, h.iov, h.iovlen);
	if (!ret)
		ret = control_in(t, h.control, h.controllen, &files);
	if (!ret)
		ret = sock_send(t, f, &m, sysarg_int(a, 2), &files);
	unix_files_put(&files); /* what was not sent */
	msg_free(&m);
	file_put(f);
	return ret;
}

/* recvmsg(2): control data is SCM_RIGHTS only; msg_flags gets MSG_TRUNC for a cut
 * message, MSG_CTRUNC for files that did not fit. */
long sys_recvmsg(struct task *t, const struct sysargs *a)
{
	struct unix_files files = { NULL, 0 };
	uaddr_t uh = sysarg_addr(a, 1);
	struct msghdr_in h;
	struct sock_msg m = { .iov = &m.one };
	struct file *f;
	int oflags;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = task_copy_in(t, uh, &h, sizeof(h));
	if (!ret)
		ret = msg_iov_in(t, &m, h.iov, h.iovlen);
	if (!ret)
		ret = sock_recv(t, f, &m, sysarg_int(a, 2), &oflags, &files);
	if (ret >= 0) {
		uint64_t ctl = 0;
		int32_t fl;
		int err = rights_out(t, h.control, h.controllen, sysarg_int(a, 2), &files, &oflags,
				     &ctl);

		/* Linux starts msg_flags from the call's MSG_CMSG_CLOEXEC */
		fl = oflags | (sysarg_int(a, 2) & MSG_CMSG_CLOEXEC);
		if (!err && h.name)
			err = sys_sock_addr_out(t, h.name, uh + offsetof(struct msghdr_in, namelen),
						0);
		if (!err)
			err = task_copy_out(t, uh + offsetof(struct msghdr_in, flags), &fl,
					    sizeof(fl));
		if (!err)
			err = task_copy_out(t, uh + offsetof(struct msghdr_in, controllen), &ctl,
					    sizeof(ctl));
		if (err)
			ret = err;
	}
	unix_files_put(&files); /* after an error */
	msg_free(&m);
	file_put(f);
	return ret;
}
