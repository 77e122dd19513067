// SPDX-License-Identifier: MIT
/*
 * /proc/self and the calling process's own files: the self and thread-self links, exe,
 * cwd, root, stat, status, cmdline, environ, comm (read and written), oom_score_adj,
 * limits and task/.
 */
#include <limits.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "tests/syscalls/sysutil.h"

extern char **environ;

/* Reads a whole (small) file into buf, NUL-terminated. Bytes read. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = ASSERT_OK(open(path, O_RDONLY | O_CLOEXEC));
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The value of "Key:\t..." in a status-style file, as a string (static buffer). */
static const char *field(const char *text, const char *key)
{
	static char val[256];
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1;
			size_t n;

			while (*v == '\t' || *v == ' ')
				v++;
			n = strcspn(v, "\n");
			if (n >= sizeof(val))
				n = sizeof(val) - 1;
			memcpy(val, v, n);
			val[n] = '\0';
			return val;
		}
	}
	return NULL;
}

TEST(self_links_to_the_pid)
{
	char buf[64], want[64];
	ssize_t n = ASSERT_OK(readlink("/proc/self", buf, sizeof(buf) - 1));

	buf[n] = '\0';
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(buf, want);
	n = ASSERT_OK(readlink("/proc/thread-self", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
	EXPECT_STREQ(buf, want);
}

TEST(exe_is_this_program)
{
	char path[PATH_MAX];
	struct stat a, b;
	ssize_t n = ASSERT_OK(readlink("/proc/self/exe", path, sizeof(path) - 1));
	int fd;

	path[n] = '\0';
	EXPECT_EQ(path[0], '/');
	EXPECT_TRUE(strstr(path, "syscall_proc_self") != NULL);
	/* The name leads to the same file, and so does following the link itself. */
	ASSERT_OK(stat(path, &a));
	ASSERT_OK(stat("/proc/self/exe", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	fd = ASSERT_OK(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
	ASSERT_OK(fstat(fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(fd);
	ASSERT_OK(lstat("/proc/self/exe", &b));
	EXPECT_TRUE(S_ISLNK(b.st_mode));
}

TEST(cwd_and_root_links)
{
	char buf[PATH_MAX], cwd[PATH_MAX];
	struct stat a, b;
	ssize_t n;

	ASSERT_OK(chdir(harness_tmpdir()));
	ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
	n = ASSERT_OK(readlink("/proc/self/cwd", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	EXPECT_STREQ(buf, cwd);
	ASSERT_OK(stat(".", &a));
	ASSERT_OK(stat("/proc/self/cwd/.", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	n = ASSERT_OK(readlink("/proc/self/root", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	EXPECT_STREQ(buf, "/");
}

TEST(stat_fields)
{
	char buf[4096], comm[64];
	int pid, ppid, pgrp, sid, threads;
	char state;
	char *close_paren;

	slurp("/proc/self/stat", buf, sizeof(buf));
	ASSERT_EQ(sscanf(buf, "%d (%63[^)])", &pid, comm), 2);
	EXPECT_EQ(pid, getpid());
	EXPECT_STREQ(comm, "syscall_proc_se");
	close_paren = strrchr(buf, ')');
	ASSERT_TRUE(close_paren != NULL);
	ASSERT_EQ(sscanf(close_paren + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid), 4);
	EXPECT_EQ(state, 'R');
	EXPECT_EQ(ppid, getppid());
	EXPECT_EQ(pgrp, getpgrp());
	EXPECT_EQ(sid, getsid(0));
	/* num_threads is field 20 (the 18th after the comm). */
	{
		char *p = close_paren + 2;

		for (int i = 0; i < 17; i++)
			p = strchr(p, ' ') + 1;
		threads = atoi(p);
		EXPECT_EQ(threads, 1);
	}
}

TEST(status_fields)
{
	char buf[8192], want[64];

	slurp("/proc/self/status", buf, sizeof(buf));
	EXPECT_STREQ(field(buf, "Name"), "syscall_proc_se");
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(field(buf, "Tgid"), want);
	EXPECT_STREQ(field(buf, "Pid"), want);
	snprintf(want, sizeof(want), "%d", getppid());
	EXPECT_STREQ(field(buf, "PPid"), want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", getuid(), geteuid(), geteuid(), geteuid());
	EXPECT_STREQ(field(buf, "Uid"), want);
	EXPECT_STREQ(field(buf, "State"), "R (running)");
	EXPECT_STREQ(field(buf, "Threads"), "1");
	EXPECT_TRUE(field(buf, "VmRSS") != NULL);
	EXPECT_TRUE(field(buf, "SigBlk") != NULL);
	EXPECT_TRUE(field(buf, "CapEff") != NULL);
	{
		mode_t old = umask(027);

		slurp("/proc/self/status", buf, sizeof(buf));
		EXPECT_STREQ(field(buf, "Umask"), "0027");
		umask(old);
	}
}

TEST(sigblk_shows_the_mask)
{
	char buf[8192];
	sigset_t set;
	unsigned long long blk;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	ASSERT_OK(sigprocmask(SIG_SETMASK, &set, NULL));
	signal(SIGUSR2, SIG_IGN);
	slurp("/proc/self/status", buf, sizeof(buf));
	blk = strtoull(field(buf, "SigBlk"), NULL, 16);
	EXPECT_EQ(blk, (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGTERM - 1)));
	EXPECT_TRUE(strtoull(field(buf, "SigIgn"), NULL, 16) & (1ULL << (SIGUSR2 - 1)));
}

TEST(cmdline_and_environ)
{
	char buf[65536];
	ssize_t n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	size_t off = 0;
	int i = 0;

	ASSERT_GT(n, 0);
	EXPECT_EQ(buf[n - 1], '\0');
	EXPECT_TRUE(strstr(buf, "syscall_proc_self") != NULL);
	/* environ holds the strings the process started with, in order. */
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	while (off < (size_t)n && environ[i]) {
		EXPECT_STREQ(buf + off, environ[i]);
		off += strlen(buf + off) + 1;
		i++;
	}
	EXPECT_EQ(off, (size_t)n);
}

TEST(comm_follows_prctl_and_writes)
{
	char buf[64];
	int fd;

	slurp("/proc/self/comm", buf, sizeof(buf));
	EXPECT_STREQ(buf, "syscall_proc_se\n");
	ASSERT_OK(prctl(PR_SET_NAME, "renamed"));
	slurp("/proc/self/comm", buf, sizeof(buf));
	EXPECT_STREQ(buf, "renamed\n");
	fd = ASSERT_OK(open("/proc/self/comm", O_WRONLY | O_CLOEXEC));
	EXPECT_EQ(write(fd, "written-name-that-is-long\n", 26), 26);
	close(fd);
	ASSERT_OK(prctl(PR_GET_NAME, buf));
	EXPECT_STREQ(buf, "written-name-th");
}

TEST(oom_score_adj_round_trip)
{
	char buf[32];
	int fd, v;

	slurp("/proc/self/oom_score_adj", buf, sizeof(buf));
	v = atoi(buf);
	if (v >= 1000)
		SKIP("already at the maximum");
	fd = ASSERT_OK(open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
	snprintf(buf, sizeof(buf), "%d\n", v + 1);
	EXPECT_EQ(write(fd, buf, strlen(buf)), (long)strlen(buf));
	EXPECT_ERRNO(write(fd, "1001", 4), EINVAL);
	EXPECT_ERRNO(write(fd, "abc", 3), EINVAL);
	close(fd);
	slurp("/proc/self/oom_score_adj", buf, sizeof(buf));
	EXPECT_EQ(atoi(buf), v + 1);
}

TEST(limits_match_getrlimit)
{
	char buf[8192], want[128];
	struct rlimit rl;

	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	slurp("/proc/self/limits", buf, sizeof(buf));
	EXPECT_TRUE(!strncmp(buf, "Limit                     Soft Limit", 36));
	snprintf(want, sizeof(want), "Max open files            %-20llu %-20llu files",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	EXPECT_TRUE(strstr(buf, want) != NULL);
}

static int task_entries(long *first)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (first && n == 0)
			*first = atol(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int thread_pipe[2], release_pipe[2];

static void *thread_main(void *arg)
{
	char buf[64];
	long tid = syscall(SYS_gettid);
	ssize_t n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);

	(void)arg;
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (write(thread_pipe[1], &tid, sizeof(tid)) != sizeof(tid) ||
	    write(thread_pipe[1], buf, sizeof(buf)) != sizeof(buf))
		return NULL;
	/* Stay until the main thread has looked at task/. */
	if (read(release_pipe[0], buf, 1) < 0)
		return NULL;
	return NULL;
}

TEST(task_lists_the_threads)
{
	char link[64], want[64], path[128], buf[4096];
	pthread_t th;
	long first = 0, tid;

	EXPECT_EQ(task_entries(&first), 1);
	EXPECT_EQ(first, (long)getpid());
	ASSERT_OK(pipe(thread_pipe));
	ASSERT_OK(pipe(release_pipe));
	ASSERT_EQ(pthread_create(&th, NULL, thread_main, NULL), 0);
	ASSERT_EQ(read(thread_pipe[0], &tid, sizeof(tid)), (long)sizeof(tid));
	ASSERT_EQ(read(thread_pipe[0], link, sizeof(link)), (long)sizeof(link));
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(), tid);
	EXPECT_STREQ(link, want);
	EXPECT_EQ(task_entries(NULL), 2);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	slurp(path, buf, sizeof(buf));
	EXPECT_EQ(atol(buf), tid);
	slurp("/proc/self/status", buf, sizeof(buf));
	EXPECT_STREQ(field(buf, "Threads"), "2");
	EXPECT_EQ(write(release_pipe[1], "x", 1), 1);
	pthread_join(th, NULL);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
	close(release_pipe[0]);
	close(release_pipe[1]);
}

TEST(self_dir_lists_the_entries)
{
	static const char *const want[] = { "cmdline", "comm", "cwd",	"exe",	  "fd",	 "maps",
					    "mounts",  "stat", "statm", "status", "task" };
	DIR *d = opendir("/proc/self");
	struct dirent *e;
	unsigned found = 0;

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d)))
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!strcmp(e->d_name, want[i]))
				found |= 1u << i;
	closedir(d);
	EXPECT_EQ(found, (1u << (sizeof(want) / sizeof(want[0]))) - 1);
}

TEST(missing_entries_are_enoent)
{
	EXPECT_ERRNO(open("/proc/self/nonexistent", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/self/task/0/stat", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/0/stat", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/proc/01/stat", O_RDONLY), ENOENT);
}
