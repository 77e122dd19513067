/* The runtime's side of the control channel (oci_control.h). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/oci_control.h"
#include "runtime/oci_state.h"
#include "sentry/control.h"

/* sun_path holds 108 bytes; a long id is reached through /proc/self/fd/N/. */
static int sock_addr(const char *root, const char *id, int *dirfd, struct sockaddr_un *sa)
{
	char dir[4096];
	int err = oci_state_path(root, id, NULL, dir, sizeof(dir));

	if (err < 0)
		return err;
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return -errno;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd,
		 OCI_CONTROL_SOCK);
	return 0;
}

/* A SOCK_SEQPACKET socket bound and listening on the state dir's control.sock, or
 * connected to it. */
static int sock_open(const char *root, const char *id, bool listening)
{
	struct sockaddr_un sa;
	int dirfd, fd, err = sock_addr(root, id, &dirfd, &sa);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && listening)
		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0;
	else if (fd >= 0)
		err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0;
	if (fd < 0 || err) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		fd = err;
	}
	close(dirfd);
	return fd;
}

int oci_control_listen(const char *root, const char *id)
{
	return sock_open(root, id, true);
}

int oci_control_connect(const char *root, const char *id)
{
	return sock_open(root, id, false);
}

int oci_control_send(int fd, const char *const *fields, int n, const int *fds, int nfds)
{
	size_t len = 0;
	char *buf;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(3 * sizeof(int))];
	} cm;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	if (nfds > 3)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		len += strlen(fields[i]) + 1;
	if (len > CONTROL_MSG_MAX)
		return -E2BIG;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(fields[i]) + 1;

		memcpy(buf + len, fields[i], l);
		len += l;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(&cm.h), fds, nfds * sizeof(int));
	}
	r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	free(buf);
	return r < 0 ? -errno : 0;
}

int oci_control_recv(int fd, char *buf, size_t len, char **f, int max)
{
	ssize_t r;
	int n = 0;

	do
		r = recv(fd, buf, len - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EPIPE;
	buf[r] = 0;
	for (ssize_t off = 0; off < r && n < max; off += (ssize_t)strlen(buf + off) + 1)
		f[n++] = buf + off;
	if (n >= 3 && !strcmp(f[0], "err")) {
		int e = atoi(f[1]);

		return e > 0 ? -e : -EIO;
	}
	if (n < 1 || (strcmp(f[0], "ok") && strcmp(f[0], "exit")))
		return -EPROTO;
	return n;
}

int oci_control_call(const char *root, const char *id, const char *const *fields, int n, char *buf,
		     size_t len, char **f, int max)
{
	int fd = oci_control_connect(root, id), ret;

	if (fd < 0)
		return fd;
	ret = oci_control_send(fd, fields, n, NULL, 0);
	if (!ret)
		ret = oci_control_recv(fd, buf, len, f, max);
	close(fd);
	return ret;
}
