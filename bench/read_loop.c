// SPDX-License-Identifier: MIT
/*
 * read_loop [MiB]: writes a MiB-sized (default 256) file in /tmp, then times only reading
 * it back in 1 MiB blocks with CLOCK_MONOTONIC, and removes it. Prints "seconds=S bytes=B".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Page-aligned, as cat and dd align theirs: the kernel's copy to a buffer 16 bytes off a
 * page (where malloc puts it) runs several times slower on some CPUs and VMs, and would
 * be measured instead of the read. */
#define BLOCK (1 << 20)

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 256, i;
	char path[64], *buf = aligned_alloc(4096, BLOCK);
	struct timespec a, b;
	long long total = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return 1;
	snprintf(path, sizeof(path), "/tmp/warden-bench-read.%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	unlink(path); /* gone when we exit, however we exit */
	memset(buf, 0x5a, BLOCK);
	for (i = 0; i < mib; i++)
		if (write(fd, buf, BLOCK) != BLOCK) {
			perror("write");
			return 1;
		}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("lseek");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = read(fd, buf, BLOCK)) > 0)
		total += n;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (n < 0 || total != (long long)mib * BLOCK) {
		fprintf(stderr, "read_loop: read %lld bytes, expected %lld\n", total,
			(long long)mib * BLOCK);
		return 1;
	}
	printf("seconds=%.6f bytes=%lld\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, total);
	close(fd);
	return 0;
}
