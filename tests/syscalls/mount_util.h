/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the mount-namespace tests: each case that mounts runs in a private mount
 * namespace of its own (natively that keeps every mount away from the host; the sandbox
 * gives each case a copy of its tree the same way), and a child that drops root.
 */
#ifndef WARDEN_TESTS_SYSCALLS_MOUNT_UTIL_H
#define WARDEN_TESTS_SYSCALLS_MOUNT_UTIL_H

#include <grp.h>
#include <sched.h>
#include <sys/mount.h>

#include "tests/syscalls/sysutil.h"

#define NOBODY 65534

/* Skips the case unless root; then enters a private mount namespace. */
static inline void mnt_enter_private_ns(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
	ASSERT_OK(unshare(CLONE_NEWNS));
	/* nothing mounted here may propagate back to the namespace we came from */
	ASSERT_OK(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

/* Mounts a fresh tmpfs on "<tmpdir>/<name>" (made here), path into buf. */
static inline char *mnt_tmpfs(const char *name, const char *opts, char *buf, size_t size)
{
	tmp_path(buf, size, name);
	ASSERT_OK(mkdir(buf, 0755));
	ASSERT_OK(mount("tmpfs", buf, "tmpfs", 0, opts));
	return buf;
}

/* In a forked child: become uid/gid nobody (dropping every capability). */
static inline void mnt_become_nobody(void)
{
	ASSERT_OK(setgroups(0, NULL));
	ASSERT_OK(setresgid(NOBODY, NOBODY, NOBODY));
	ASSERT_OK(setresuid(NOBODY, NOBODY, NOBODY));
}

/* Writes a file holding s. */
static inline void mnt_write_file(const char *path, const char *s, mode_t mode)
{
	int fd = ASSERT_OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, mode));

	ASSERT_EQ(write(fd, s, strlen(s)), (long)strlen(s));
	close(fd);
}

/* The exit status of running path (no arguments), or -1 with errno from execve. */
static inline int mnt_run(const char *path)
{
	int pipefd[2], st, err = 0;
	pid_t pid;

	ASSERT_OK(pipe2(pipefd, O_CLOEXEC));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };

		execve(path, argv, (char *[]){ NULL });
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pipefd[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	if (err) {
		errno = err;
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
