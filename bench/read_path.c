// SPDX-License-Identifier: MIT
/*
 * read_path FILE: reads an existing FILE from start to end in 1 MiB blocks and checks that
 * the byte count matches its size. Times only the reads (CLOCK_MONOTONIC); prints
 * "seconds=S bytes=B". Under Warden a host file is opened through the gofer, and its data
 * is read from the fd the gofer donated.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Page-aligned, as cat and dd align theirs: the kernel's copy to a buffer 16 bytes off a
 * page (where malloc puts it) runs several times slower on some CPUs and VMs, and would
 * be measured instead of the read. */
#define BLOCK (1 << 20)

int main(int argc, char **argv)
{
	char *buf = aligned_alloc(4096, BLOCK);
	struct timespec a, b;
	long long total = 0;
	struct stat st;
	ssize_t n;
	int fd;

	if (argc != 2 || !buf) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = read(fd, buf, BLOCK)) > 0)
		total += n;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (n < 0 || total != (long long)st.st_size) {
		fprintf(stderr, "read_path: read %lld bytes of %lld\n", total,
			(long long)st.st_size);
		return 1;
	}
	printf("seconds=%.6f bytes=%lld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, total);
	close(fd);
	return 0;
}
