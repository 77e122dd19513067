// SPDX-License-Identifier: MIT
/*
 * files_loop DIR N: N times, create a new file in DIR (O_CREAT|O_EXCL), write 100 bytes,
 * close it and unlink it: the small-file churn of a build or a package manager. Timed with
 * CLOCK_MONOTONIC; prints "seconds=S files=N". Exits 1 without a seconds= line on failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char path[4096], data[100];
	long n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DIR N\n", argv[0]);
		return 2;
	}
	n = atol(argv[2]);
	memset(data, 'f', sizeof(data));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/warden-bench.%d.%ld", argv[1], (int)getpid(), i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) {
			perror("write");
			unlink(path);
			return 1;
		}
		if (close(fd) < 0 || unlink(path) < 0) {
			perror(path);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("seconds=%.6f files=%ld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, n);
	return 0;
}
