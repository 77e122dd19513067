// SPDX-License-Identifier: MIT
/*
 * fork_loop N [PROGRAM]: N times, fork a child that exits at once (or execs PROGRAM with no
 * arguments) and wait for it. Prints "seconds=S runs=N" with S the total wall time, timed
 * inside the guest. Exits 1 without a seconds= line if fork, exec or wait fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200, i;
	const char *prog = argc > 2 ? argv[2] : NULL;
	struct timespec a, b;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			if (prog) {
				execl(prog, prog, (char *)NULL);
				_exit(127);
			}
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "fork_loop: run %ld failed (status %#x)\n", i, st);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f runs=%ld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, n);
	return 0;
}
