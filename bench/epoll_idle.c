// SPDX-License-Identifier: MIT
/*
 * epoll_idle [N [FDS]]: an epoll watching FDS (default 1000) idle pipes plus one active
 * one; N (default 100000) times: write a byte to the active pipe, epoll_wait for it, read
 * it back. Prints "seconds=S iterations=N fds=FDS". What a wait costs when most watched
 * files are idle: it should not grow with FDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	int fds = argc > 2 ? atoi(argv[2]) : 1000, ep, act[2], p[2];
	struct epoll_event ev = { .events = EPOLLIN }, out[64];
	struct timespec a, b;
	struct rlimit rl;
	char c = 'x';

	/* Two fds per pipe: raise the soft limit as far as the hard one allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)fds * 2 + 16) {
		rl.rlim_cur =
			rl.rlim_max < (rlim_t)fds * 2 + 16 ? rl.rlim_max : (rlim_t)fds * 2 + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(0);
	if (ep < 0 || pipe(act) < 0) {
		perror("epoll_idle: setup");
		return 1;
	}
	for (i = 0; i < fds; i++) {
		if (pipe(p) < 0) {
			perror("epoll_idle: pipe");
			return 1;
		}
		ev.data.fd = p[0];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0) {
			perror("epoll_idle: epoll_ctl");
			return 1;
		}
	}
	ev.data.fd = act[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, act[0], &ev) < 0) {
		perror("epoll_idle: epoll_ctl");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (write(act[1], &c, 1) != 1 || epoll_wait(ep, out, 64, -1) != 1 ||
		    out[0].data.fd != act[0] || read(act[0], &c, 1) != 1) {
			fprintf(stderr, "epoll_idle: iteration %ld failed\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f iterations=%ld fds=%d\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, n, fds);
	return 0;
}
