// SPDX-License-Identifier: MIT
/*
 * getpid_loop [N]: N (default 100000) raw getpid syscalls, timed with CLOCK_MONOTONIC.
 * Prints "seconds=S calls=N". The cost of one round trip into the kernel, or the sentry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f calls=%ld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, n);
	return 0;
}
