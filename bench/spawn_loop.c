// SPDX-License-Identifier: MIT
/*
 * spawn_loop N COMMAND...: runs COMMAND N times, one after another (fork, execvp, wait),
 * and prints "seconds=S runs=N" with S the mean wall time of one run, start to exit.
 * Runs on the host: it times `warden do -- /bin/true` as a whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n, i;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: %s N COMMAND...\n", argv[0]);
		return 2;
	}
	n = atol(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			perror(argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawn_loop: run %ld of %s failed (status %#x)\n", i,
				argv[2], st);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f runs=%ld\n",
	       ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9) / (double)n,
	       n);
	return 0;
}
