// SPDX-License-Identifier: MIT
/*
 * /proc/[pid] of other processes: a child's stat, exe, cmdline and comm after exec, a
 * zombie's state, the listing of /proc, and pids that do not exist.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>

#include "tests/syscalls/sysutil.h"

static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The state and ppid fields of /proc/<pid>/stat. */
static void stat_state(pid_t pid, char *state, int *ppid)
{
	char path[64], buf[4096];
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	ASSERT_GT(slurp(path, buf, sizeof(buf)), 0);
	EXPECT_EQ(atoi(buf), pid);
	p = strrchr(buf, ')');
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(sscanf(p + 2, "%c %d", state, ppid), 2);
}

/* Starts `cat` reading a pipe (so it stays until the pipe closes) and returns once the
 * exec has happened: a close-on-exec pipe reaches EOF exactly then. */
static pid_t start_cat(int *stdin_w)
{
	int in[2], sync[2];
	pid_t pid;
	char c;

	ASSERT_OK(pipe(in));
	ASSERT_OK(pipe2(sync, O_CLOEXEC));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		close(sync[0]);
		execl("/bin/cat", "cat", "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(sync[1]);
	EXPECT_EQ(read(sync[0], &c, 1), 0);
	close(sync[0]);
	*stdin_w = in[1];
	return pid;
}

static void stop_cat(pid_t pid, int stdin_w)
{
	int st;

	close(stdin_w);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(child_after_exec)
{
	char path[64], buf[PATH_MAX], real[PATH_MAX];
	int w, ppid;
	char state;
	pid_t pid = start_cat(&w);
	ssize_t n;

	stat_state(pid, &state, &ppid);
	EXPECT_EQ(ppid, getpid());
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = slurp(path, buf, sizeof(buf));
	ASSERT_EQ(n, 6);
	EXPECT_MEMEQ(buf, "cat\0-\0", 6);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	slurp(path, buf, sizeof(buf));
	EXPECT_STREQ(buf, "cat\n");
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = ASSERT_OK(readlink(path, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	ASSERT_TRUE(realpath("/bin/cat", real) != NULL);
	EXPECT_STREQ(buf, real);
	/* The child's fd 0 is the pipe we hold the other end of. */
	snprintf(path, sizeof(path), "/proc/%d/fd/0", pid);
	n = ASSERT_OK(readlink(path, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	EXPECT_TRUE(!strncmp(buf, "pipe:[", 6));
	stop_cat(pid, w);
}

TEST(status_of_a_child)
{
	char path[64], buf[8192], want[64];
	int w;
	pid_t pid = start_cat(&w);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ASSERT_GT(slurp(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
	EXPECT_TRUE(strstr(buf, want) != NULL);
	snprintf(want, sizeof(want), "\nPPid:\t%d\n", getpid());
	EXPECT_TRUE(strstr(buf, want) != NULL);
	EXPECT_TRUE(!strncmp(buf, "Name:\tcat\n", 10));
	stop_cat(pid, w);
}

TEST(zombie_state_is_z)
{
	char path[64], buf[64];
	siginfo_t si;
	int ppid, st;
	char state;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0)
		_exit(3);
	/* Wait for the exit without reaping: the child is a zombie from here on. */
	ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	stat_state(pid, &state, &ppid);
	EXPECT_EQ(state, 'Z');
	EXPECT_EQ(ppid, getpid());
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	EXPECT_EQ(slurp(path, buf, sizeof(buf)), 0);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	EXPECT_ERRNO(open(path, O_RDONLY), ENOENT);
}

TEST(proc_lists_processes)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool self = false, child = false, self_link = false;
	int w;
	pid_t pid = start_cat(&w);

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d))) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			EXPECT_EQ(e->d_type, DT_DIR);
			self |= atoi(e->d_name) == getpid();
			child |= atoi(e->d_name) == pid;
		}
		self_link |= !strcmp(e->d_name, "self") && e->d_type == DT_LNK;
	}
	closedir(d);
	EXPECT_TRUE(self);
	EXPECT_TRUE(child);
	EXPECT_TRUE(self_link);
	stop_cat(pid, w);
}

TEST(stale_dir_after_exit)
{
	char path[64];
	int dfd, st;
	pid_t pid = ASSERT_OK(fork());

	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d", pid);
	dfd = ASSERT_OK(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	ASSERT_OK(kill(pid, SIGKILL));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	/* The directory stays open but its process is gone. */
	EXPECT_ERRNO(openat(dfd, "stat", O_RDONLY), ESRCH);
	close(dfd);
	EXPECT_ERRNO(open(path, O_RDONLY), ENOENT);
}

TEST(pids_that_do_not_exist)
{
	EXPECT_ERRNO(open("/proc/4194304/stat", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/-1/stat", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/abc", O_RDONLY), ENOENT);
}

/* In a child that became nobody: what it may still see of its root parent. Returns the
 * number of the first check that failed, 0 if none. */
static int nobody_checks(pid_t parent)
{
	char path[64], buf[256];
	int fd;

	if (setgid(65534) || setuid(65534))
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/exe", parent);
	if (readlink(path, buf, sizeof(buf)) != -1 || errno != EACCES)
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/maps", parent);
	if (open(path, O_RDONLY) != -1 || errno != EACCES)
		return 3;
	snprintf(path, sizeof(path), "/proc/%d/cwd/", parent);
	if (open(path, O_RDONLY) != -1 || errno != EACCES)
		return 4;
	snprintf(path, sizeof(path), "/proc/%d/stat", parent);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return 5;
	close(fd);
	/* Its own process stays open to it. */
	if (readlink("/proc/self/exe", buf, sizeof(buf)) <= 0)
		return 6;
	return 0;
}

TEST(another_users_process_is_guarded)
{
	pid_t parent = getpid(), pid;
	int st;

	if (geteuid() != 0)
		SKIP("needs root to become another user");
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit(nobody_checks(parent));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}
