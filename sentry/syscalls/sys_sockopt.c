/*
 * The socket calls about a socket rather than its data, for AF_UNIX socket pairs
 * (fs/unix): shutdown, getsockname/getpeername and get/setsockopt.
 */
#include <errno.h>
#include <sys/socket.h>

#include "fs/unix/unix.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_socket.h"
#include "sentry/syscalls/syscalls.h"

/* shutdown(2). */
long sys_shutdown(struct task *t, const struct sysargs *a)
{
	struct file *f;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = unix_shutdown(f, sysarg_int(a, 1));
	file_put(f);
	return ret;
}

/* getsockname(2)/getpeername(2): an unnamed AF_UNIX address is just the family. */
static long do_getname(struct task *t, const struct sysargs *a, bool peer)
{
	struct file *f;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	if (peer && !unix_has_peer(f))
		ret = -ENOTCONN;
	else
		ret = sys_sock_addr_out(t, sysarg_addr(a, 1), sysarg_addr(a, 2),
					sizeof(sa_family_t));
	file_put(f);
	return ret;
}

long sys_getsockname(struct task *t, const struct sysargs *a)
{
	return do_getname(t, a, false);
}

long sys_getpeername(struct task *t, const struct sysargs *a)
{
	return do_getname(t, a, true);
}

/*
 * getsockopt(2), SOL_SOCKET: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_SNDBUF,
 * SO_RCVBUF, SO_ACCEPTCONN, SO_PEERCRED; other options -ENOPROTOOPT, other levels
 * -EOPNOTSUPP (what AF_UNIX says).
 */
long sys_getsockopt(struct task *t, const struct sysargs *a)
{
	int level = sysarg_int(a, 1), name = sysarg_int(a, 2);
	uaddr_t uval = sysarg_addr(a, 3), ulen = sysarg_addr(a, 4);
	struct unix_cred cred;
	struct ucred uc;
	const void *src;
	struct file *f;
	int len, v = 0;
	size_t size = sizeof(v);
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = task_copy_in(t, ulen, &len, sizeof(len));
	if (ret)
		goto out;
	ret = -EOPNOTSUPP;
	if (level != SOL_SOCKET)
		goto out;
	ret = -EINVAL;
	if (len < 0)
		goto out;
	src = &v;
	switch (name) {
	case SO_TYPE:
		v = unix_type(f);
		break;
	case SO_DOMAIN:
		v = AF_UNIX;
		break;
	case SO_PROTOCOL:
	case SO_ACCEPTCONN:
		v = 0;
		break;
	case SO_ERROR:
		v = unix_take_error(f);
		break;
	case SO_SNDBUF:
	case SO_RCVBUF:
		v = unix_get_buf(f, name == SO_SNDBUF);
		break;
	case SO_PEERCRED:
		unix_peer_cred(f, &cred);
		uc.pid = cred.pid;
		uc.uid = cred.uid;
		uc.gid = cred.gid;
		src = &uc;
		size = sizeof(uc);
		break;
	default:
		ret = -ENOPROTOOPT;
		goto out;
	}
	len = MIN(len, (int)size);
	ret = task_copy_out(t, uval, src, (size_t)len);
	if (!ret)
		ret = task_copy_out(t, ulen, &len, sizeof(len));
out:
	file_put(f);
	return ret;
}

/* setsockopt(2), SOL_SOCKET: SO_SNDBUF and SO_RCVBUF (as Linux sizes them); other
 * options -ENOPROTOOPT, other levels -EOPNOTSUPP. */
long sys_setsockopt(struct task *t, const struct sysargs *a)
{
	int level = sysarg_int(a, 1), name = sysarg_int(a, 2), len = sysarg_int(a, 4);
	struct file *f;
	int v;
	long ret;

	f = sys_sock_get(t, sysarg_int(a, 0), &ret);
	if (!f)
		return ret;
	ret = -EOPNOTSUPP;
	if (level != SOL_SOCKET)
		goto out;
	ret = -ENOPROTOOPT;
	if (name != SO_SNDBUF && name != SO_RCVBUF)
		goto out;
	ret = -EINVAL;
	if (len < (int)sizeof(v))
		goto out;
	ret = task_copy_in(t, sysarg_addr(a, 3), &v, sizeof(v));
	if (!ret)
		unix_set_buf(f, name == SO_SNDBUF, v);
out:
	file_put(f);
	return ret;
}
