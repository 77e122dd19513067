// SPDX-License-Identifier: MIT
/*
 * eventfd_pingpong N: two threads pass a token back and forth through two eventfds, N
 * round trips (each a write and a blocking read on either side). Prints "seconds=S n=N",
 * the main thread's wall time for all of them. Exits 1 without a seconds= line on any
 * failure.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int ping, pong;
static long rounds;

static int take(int fd)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) == sizeof(v) && v == 1 ? 0 : -1;
}

static int give(int fd)
{
	uint64_t v = 1;

	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static void *ponger(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++) {
		if (take(ping) || give(pong))
			return (void *)1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	pthread_t th;
	void *res;

	rounds = argc > 1 ? atol(argv[1]) : 100000;
	ping = eventfd(0, 0);
	pong = eventfd(0, 0);
	if (ping < 0 || pong < 0) {
		perror("eventfd");
		return 1;
	}
	if (pthread_create(&th, NULL, ponger, NULL)) {
		fprintf(stderr, "eventfd_pingpong: pthread_create failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < rounds; i++) {
		if (give(ping) || take(pong)) {
			perror("eventfd_pingpong");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (pthread_join(th, &res) || res) {
		fprintf(stderr, "eventfd_pingpong: the other thread failed\n");
		return 1;
	}
	printf("seconds=%.6f n=%ld\n",
	       (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, rounds);
	return 0;
}
