/* The console socket (oci_console.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/oci_console.h"

static int send_master(const char *path, int master)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[] = "/dev/ptmx";
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cm.b,
			     .msg_controllen = sizeof(cm.b) };
	int fd, err = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&cm, 0, sizeof(cm));
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&cm.h), &master, sizeof(int));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		err = -errno;
	close(fd);
	return err;
}

int oci_console_open(const char *path, unsigned rows, unsigned cols, int *replica)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), err;
	char *name;

	*replica = -1;
	if (master < 0)
		return -errno;
	if (grantpt(master) < 0 || unlockpt(master) < 0 || !(name = ptsname(master))) {
		err = -errno;
		close(master);
		return err;
	}
	*replica = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*replica < 0) {
		err = -errno;
		close(master);
		return err;
	}
	if (rows && cols)
		ioctl(*replica, TIOCSWINSZ, &ws);
	err = send_master(path, master);
	close(master);
	if (err) {
		close(*replica);
		*replica = -1;
	}
	return err;
}
