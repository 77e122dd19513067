/*
 * warden gofer --root DIR --fd N [--fd N]... [--ro]: the process that opens host files for
 * a sandbox. It chroots to DIR, keeps only the capabilities file service needs, installs
 * its seccomp filter and serves the gofer protocol on the inherited channels until the
 * sentry closes them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/gofer/filter.h"
#include "fs/gofer/server.h"
#include "runtime/cmd.h"

#define MAX_CHANNELS 64

/* What serving files needs: ignoring the host's permission bits (the sentry checks the
 * guest's), owning and chowning what the guest creates. Nothing else survives. */
static const int kept_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
};

static bool cap_kept(int cap)
{
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++) {
		if (kept_caps[i] == cap)
			return true;
	}
	return false;
}

static int drop_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (!cap_kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t keep = 0;

		for (int b = 0; b < 32; b++) {
			if (cap_kept(i * 32 + b))
				keep |= 1u << b;
		}
		d[i].effective &= keep;
		d[i].permitted &= keep;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

static int parse_fd(const char *s)
{
	char *end;
	long v;
	int type;
	socklen_t len = sizeof(type);

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	if (getsockopt((int)v, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	return type == SOCK_SEQPACKET ? (int)v : -EPROTOTYPE;
}

int cmd_gofer(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "fd", required_argument, NULL, 'f' },
		{ "ro", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int fds[MAX_CHANNELS], nfds = 0, root_fd, err, c;
	struct gofer_server *s;
	const char *root = NULL;
	struct rlimit rl;
	bool ro = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'f':
			if (nfds == MAX_CHANNELS) {
				cmd_error("gofer: at most %d channels", MAX_CHANNELS);
				return EXIT_USAGE;
			}
			fds[nfds] = parse_fd(optarg);
			if (fds[nfds] < 0) {
				cmd_error("gofer: --fd %s: %s", optarg,
					  fds[nfds] == -EINVAL ? "not a number" :
								 strerror(-fds[nfds]));
				return EXIT_USAGE;
			}
			nfds++;
			break;
		case 'o':
			ro = true;
			break;
		default:
			return cmd_usage("gofer");
		}
	}
	if (!root || !nfds || optind != argc)
		return cmd_usage("gofer");

	/* the channels must not leak into anything; there is no exec after this anyway */
	for (int i = 0; i < nfds; i++)
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, "warden-gofer", 0, 0, 0); /* what ps shows on the host */
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		cmd_error("gofer: %s: %s", root, strerror(errno));
		return 1;
	}
	if (chroot(root) < 0 || chdir("/") < 0) {
		cmd_error("gofer: chroot %s: %s", root, strerror(errno));
		return 1;
	}
	/* one O_PATH fd per node the sentry holds: the default soft limit of 1024 is too few */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	err = drop_caps();
	if (err < 0) {
		cmd_error("gofer: dropping capabilities: %s", strerror(-err));
		return 1;
	}
	err = gofer_server_new(root_fd, ro, &s);
	close(root_fd);
	if (err < 0) {
		cmd_error("gofer: %s", strerror(-err));
		return 1;
	}
	err = gofer_filter_install();
	if (err < 0) {
		cmd_error("gofer: seccomp filter: %s", strerror(-err));
		gofer_server_free(s);
		return 1;
	}
	err = gofer_server_serve(s, fds, nfds);
	gofer_server_free(s);
	if (err < 0) {
		cmd_error("gofer: %s", strerror(-err));
		return 1;
	}
	return 0;
}

int cmd_gofer_spawn(const char *root, bool readonly, int nchan, int *client_fds, pid_t *pid)
{
	int srv[MAX_CHANNELS], i, err;
	pid_t child;

	if (nchan <= 0 || nchan > MAX_CHANNELS)
		return -EINVAL;
	for (i = 0; i < nchan; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			err = -errno;
			goto out_close;
		}
		client_fds[i] = sv[0];
		srv[i] = sv[1];
	}
	child = fork();
	if (child < 0) {
		err = -errno;
		goto out_close;
	}
	if (child == 0) {
		char *argv[4 + 2 * MAX_CHANNELS + 2], num[MAX_CHANNELS][12];
		int k = 0;

		/* the channels become fds 3..3+nchan-1, every other fd is closed: the gofer
		 * holds nothing of the CLI's */
		for (i = 0; i < nchan; i++) {
			srv[i] = fcntl(srv[i], F_DUPFD, 3 + nchan);
			if (srv[i] < 0)
				_exit(125);
		}
		for (i = 0; i < nchan; i++) {
			if (dup2(srv[i], 3 + i) < 0)
				_exit(125);
		}
		syscall(SYS_close_range, 3 + nchan, ~0u, 0);
		argv[k++] = "warden";
		argv[k++] = "gofer";
		argv[k++] = "--root";
		argv[k++] = (char *)root;
		for (i = 0; i < nchan; i++) {
			snprintf(num[i], sizeof(num[i]), "%d", 3 + i);
			argv[k++] = "--fd";
			argv[k++] = num[i];
		}
		if (readonly)
			argv[k++] = "--ro";
		argv[k] = NULL;
		execv("/proc/self/exe", argv);
		_exit(125);
	}
	for (i = 0; i < nchan; i++)
		close(srv[i]);
	*pid = child;
	return 0;
out_close:
	while (i-- > 0) {
		close(client_fds[i]);
		close(srv[i]);
	}
	return err;
}
