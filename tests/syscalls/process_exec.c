// SPDX-License-Identifier: MIT
/* execve and execveat: in a multithreaded process, close-on-exec, dirfds, AT_EMPTY_PATH. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

static void *block_forever(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static int report_fd = -1;

static void *exec_from_thread(void *arg)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "echo $$ >&%d; exit 3", report_fd);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(91);
}

TEST(execve_from_a_thread_keeps_the_pid)
{
	int p[2], st;
	char buf[32] = { 0 };
	pid_t pid;

	ASSERT_OK(pipe(p));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		pthread_t th;

		close(p[0]);
		report_fd = p[1];
		for (int i = 0; i < 3; i++)
			if (pthread_create(&th, NULL, block_forever, NULL))
				_exit(90);
		if (pthread_create(&th, NULL, exec_from_thread, NULL))
			_exit(90);
		block_forever(NULL);
	}
	close(p[1]);
	ASSERT_GT(read(p[0], buf, sizeof(buf) - 1), 0);
	close(p[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 3);
	EXPECT_EQ(atoi(buf), pid);
}

static int run(void (*fn)(void))
{
	int st;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0) {
		fn();
		_exit(95);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void exec_with_cloexec_fd(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, 7) < 0 || fcntl(7, F_SETFD, FD_CLOEXEC) < 0)
		_exit(90);
	/* fd 8 stays open across exec, fd 7 does not. */
	if (dup2(fd, 8) < 0)
		_exit(90);
	execl("/bin/sh", "sh", "-c",
	      "echo x >&8 || exit 4; (echo x >&7) 2>/dev/null && exit 5; exit 0", (char *)NULL);
}

TEST(close_on_exec_fds_are_closed)
{
	EXPECT_EQ(run(exec_with_cloexec_fd), 0);
}

static void execveat_empty_path(void)
{
	static char *const argv[] = { "sh", "-c", "exit 6", NULL };
	int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		_exit(90);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	_exit(91);
}

TEST(execveat_runs_an_open_file)
{
	EXPECT_EQ(run(execveat_empty_path), 6);
}

static void execveat_dirfd(void)
{
	static char *const argv[] = { "sh", "-c", "exit 7", NULL };
	int fd = open("/bin", O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		_exit(90);
	syscall(SYS_execveat, fd, "sh", argv, environ, 0);
	_exit(91);
}

TEST(execveat_resolves_from_a_dirfd)
{
	EXPECT_EQ(run(execveat_dirfd), 7);
}

TEST(execveat_errors)
{
	static char *const argv[] = { "true", NULL };
	char link[256];

	EXPECT_ERRNO(syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0x1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_execveat, AT_FDCWD, "", argv, environ, 0), ENOENT);
	EXPECT_ERRNO(syscall(SYS_execveat, 9999, "true", argv, environ, 0), EBADF);
	tmp_path(link, sizeof(link), "link");
	ASSERT_OK(symlink("/bin/true", link));
	EXPECT_ERRNO(syscall(SYS_execveat, AT_FDCWD, link, argv, environ, AT_SYMLINK_NOFOLLOW),
		     ELOOP);
	EXPECT_ERRNO(execve("/nonexistent/x", argv, environ), ENOENT);
}
