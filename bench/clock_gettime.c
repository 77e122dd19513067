// SPDX-License-Identifier: MIT
/*
 * clock_gettime [N]: N (default 10,000,000) glibc clock_gettime(CLOCK_MONOTONIC) calls,
 * which a vDSO serves without entering the kernel (or the sentry). Timed with the raw
 * syscall, so the clock under test does not time itself. Prints "seconds=S calls=N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000, i;
	struct timespec a, b, t;
	long long sum = 0;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		sum += t.tv_nsec & 1; /* keeps the calls from being optimized away */
	}
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f calls=%ld odd=%lld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, n, sum);
	return 0;
}
