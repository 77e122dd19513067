// SPDX-License-Identifier: MIT
/*
 * pipe_loop MIB: a child writes MIB mebibytes into a pipe in 1 MiB writes, the parent
 * reads them in 1 MiB reads and checks the count. Prints "seconds=S mib=MIB", the parent's
 * wall time from fork to EOF. Exits 1 without a seconds= line on any failure (no fork...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Page-aligned, as cat and dd align theirs: the kernel's copy to a buffer 16 bytes off a
 * page (where malloc puts it) runs several times slower on some CPUs and VMs, and would
 * be measured instead of the read. */
#define BLOCK (1 << 20)

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 1024;
	long long total = 0;
	struct timespec a, b;
	char *buf = aligned_alloc(4096, BLOCK);
	int fd[2], st;
	pid_t pid;
	ssize_t n;

	if (!buf || pipe(fd) < 0) {
		perror("pipe_loop");
		return 1;
	}
	memset(buf, 'p', BLOCK);
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(fd[0]);
		for (long i = 0; i < mib; i++) {
			for (size_t off = 0; off < BLOCK; off += (size_t)n) {
				n = write(fd[1], buf + off, BLOCK - off);
				if (n <= 0)
					_exit(1);
			}
		}
		_exit(0);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, BLOCK)) > 0)
		total += n;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (n < 0 || waitpid(pid, &st, 0) != pid || st != 0 || total != (long long)mib << 20) {
		fprintf(stderr, "pipe_loop: moved %lld bytes of %ld MiB\n", total, mib);
		return 1;
	}
	printf("seconds=%.6f mib=%ld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, mib);
	return 0;
}
