/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the syscall tests: temp files, running a function in a forked child to
 * observe how it dies, and the page size. Everything here is header-only so each test stays
 * one ordinary Linux program.
 */
#ifndef WARDEN_TESTS_SYSCALLS_SYSUTIL_H
#define WARDEN_TESTS_SYSCALLS_SYSUTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness/harness.h"

#define PAGE 4096UL

/* "<case tmpdir>/<name>" in buf; returns buf. */
static inline char *tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", harness_tmpdir(), name);
	return buf;
}

/* Creates (or truncates) a file in the case's tmpdir holding len bytes of data. */
static inline int tmp_file_with(const char *name, const void *data, size_t len, char *path,
				size_t pathsize)
{
	int fd;

	tmp_path(path, pathsize, name);
	fd = ASSERT_OK(open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	if (len)
		ASSERT_EQ(write(fd, data, len), (long)len);
	ASSERT_OK(lseek(fd, 0, SEEK_SET));
	return fd;
}

/*
 * Runs fn(arg) in a forked child (no core dump) that exits 0 if fn returns; returns the
 * child's wait status. SKIPs the case when the kernel has no fork yet.
 */
static inline int status_of_child(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0 && errno == ENOSYS)
		SKIP("fork: ENOSYS");
	ASSERT_OK(pid);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		fn(arg);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

/* The child of status_of_child() must have been killed by signal sig. */
#define EXPECT_KILLED_BY(st, sig)                                                        \
	do {                                                                             \
		int st_ = (st);                                                          \
		if (!WIFSIGNALED(st_) || WTERMSIG(st_) != (sig))                         \
			harness_fail(__FILE__, __LINE__,                                 \
				     "expected the child killed by %s: wait status %#x " \
				     "(exited %d, signal %d)",                           \
				     #sig, st_, WIFEXITED(st_) ? WEXITSTATUS(st_) : -1,  \
				     WIFSIGNALED(st_) ? WTERMSIG(st_) : 0);              \
	} while (0)

#define EXPECT_EXITED_OK(st)                                                                \
	do {                                                                                \
		int st_ = (st);                                                             \
		if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)                               \
			harness_fail(__FILE__, __LINE__,                                    \
				     "expected the child to exit 0: wait status %#x", st_); \
	} while (0)

/* Maps len bytes of anonymous private read-write memory, or ends the case. */
static inline void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

/* The address of a page that was mapped and is now unmapped (no neighbour reuses it). */
static inline void *unmapped_page(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	/* Keep guard pages on both sides so a later mmap is unlikely to land there. */
	ASSERT_OK(munmap(p + PAGE, PAGE));
	return p + PAGE;
}

#endif /* WARDEN_TESTS_SYSCALLS_SYSUTIL_H */
