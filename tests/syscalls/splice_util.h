/* SPDX-License-Identifier: MIT */
/*
 * Helpers the data-moving syscall tests share (sendfile, splice, tee, vmsplice,
 * copy_file_range): patterned file contents, checksums, and a helper child that keeps
 * signalling its parent so a blocked call can be shown to end with EINTR without
 * depending on timing.
 */
#ifndef WARDEN_TESTS_SYSCALLS_SPLICE_UTIL_H
#define WARDEN_TESTS_SYSCALLS_SPLICE_UTIL_H

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

/* The byte at offset i of every patterned file: not periodic at page or pipe sizes. */
static inline unsigned char pattern_byte(uint64_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static inline void pattern_fill(unsigned char *buf, uint64_t start, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(start + i);
}

/* FNV-1a, over a running state. */
static inline uint64_t csum_update(uint64_t h, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
#define CSUM_INIT 0xcbf29ce484222325ull

/* A file in the case's tmpdir holding len patterned bytes, open O_RDWR at offset 0. */
static inline int pattern_file(const char *name, size_t len, char *path, size_t pathsize)
{
	static unsigned char chunk[1 << 16];
	int fd = tmp_file_with(name, NULL, 0, path, pathsize);

	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		pattern_fill(chunk, done, n);
		ASSERT_EQ(write(fd, chunk, n), (long)n);
		done += n;
	}
	ASSERT_OK(lseek(fd, 0, SEEK_SET));
	return fd;
}

/* The checksum of len bytes read from fd at its position (all must be there). */
static inline uint64_t csum_fd(int fd, size_t len)
{
	static unsigned char chunk[1 << 16];
	uint64_t h = CSUM_INIT;

	while (len) {
		ssize_t n = read(fd, chunk, len < sizeof(chunk) ? len : sizeof(chunk));

		ASSERT_GT(n, 0);
		h = csum_update(h, chunk, (size_t)n);
		len -= (size_t)n;
	}
	return h;
}

static inline uint64_t csum_pattern(size_t len)
{
	unsigned char b[4096];
	uint64_t h = CSUM_INIT;

	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(b) ? len - done : sizeof(b);

		pattern_fill(b, done, n);
		h = csum_update(h, b, n);
		done += n;
	}
	return h;
}

static inline void noop_handler(int sig)
{
	(void)sig;
}

/*
 * Catches SIGUSR1 without SA_RESTART and forks a child that signals this process every
 * millisecond until stop_nagging: a call that blocks from now on ends with EINTR however
 * the two are scheduled.
 */
static inline pid_t start_nagging(void)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	pid_t parent = getpid(), pid;

	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		struct timespec ms = { 0, 1000000 };

		while (getppid() == parent) {
			kill(parent, SIGUSR1);
			nanosleep(&ms, NULL);
		}
		_exit(0);
	}
	return pid;
}

static inline void stop_nagging(pid_t pid)
{
	int st;

	signal(SIGUSR1, SIG_IGN);
	kill(pid, SIGKILL);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
}

#endif /* WARDEN_TESTS_SYSCALLS_SPLICE_UTIL_H */
