// SPDX-License-Identifier: MIT
/*
 * Per-mount flags: MS_RDONLY and read-only bind remounts, MS_NODEV (device nodes do not
 * open), MS_NOEXEC (nothing executes), MS_NOSUID (set-user-ID bits are ignored), and
 * MS_REMOUNT's rules.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "tests/syscalls/mount_util.h"

#define P(buf, rel) tmp_path(buf, sizeof(buf), rel)

TEST(read_only_bind_remount_is_per_mount)
{
	char src[256], ro[256], p[300];

	mnt_enter_private_ns();
	ASSERT_OK(mkdir(P(src, "src"), 0755));
	ASSERT_OK(mkdir(P(ro, "ro"), 0755));
	ASSERT_OK(mount(src, ro, NULL, MS_BIND, NULL));
	ASSERT_OK(mount("none", ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	EXPECT_ERRNO(open(P(p, "ro/f"), O_WRONLY | O_CREAT, 0644), EROFS);
	mnt_write_file(P(p, "src/f"), "x", 0644);
	EXPECT_OK(access(P(p, "ro/f"), F_OK));
	EXPECT_ERRNO(open(P(p, "ro/f"), O_WRONLY), EROFS);
	EXPECT_ERRNO(unlink(P(p, "ro/f")), EROFS);
	/* and back to read-write */
	ASSERT_OK(mount("none", ro, NULL, MS_REMOUNT | MS_BIND, NULL));
	EXPECT_OK(unlink(P(p, "ro/f")));
}

TEST(statvfs_reports_the_mount_flags)
{
	char m[256];
	struct statvfs sv;
	unsigned long want = ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(statvfs(m, &sv));
	EXPECT_EQ(sv.f_flag & want, 0);
	ASSERT_OK(mount("none", m, NULL,
			MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	ASSERT_OK(statvfs(m, &sv));
	EXPECT_EQ(sv.f_flag & want, want);
}

TEST(remount_changes_the_whole_filesystem)
{
	char a[256], b[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("a", NULL, a, sizeof(a));
	ASSERT_OK(mkdir(P(b, "b"), 0755));
	ASSERT_OK(mount(a, b, NULL, MS_BIND, NULL));
	ASSERT_OK(mount("none", a, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	EXPECT_ERRNO(mkdir(P(p, "a/d"), 0755), EROFS);
	EXPECT_ERRNO(mkdir(P(p, "b/d"), 0755), EROFS);
	ASSERT_OK(mount("none", a, NULL, MS_REMOUNT, NULL));
	EXPECT_OK(mkdir(P(p, "b/d"), 0755));
	/* only the root of a mount can be remounted */
	EXPECT_ERRNO(mount("none", p, NULL, MS_REMOUNT, NULL), EINVAL);
	EXPECT_ERRNO(mount("none", p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EINVAL);
}

TEST(nodev_refuses_to_open_device_nodes)
{
	char m[256], p[300];
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	ASSERT_OK(mknod(P(p, "m/null"), S_IFCHR | 0666, makedev(1, 3)));
	fd = ASSERT_OK(open(p, O_WRONLY));
	close(fd);
	ASSERT_OK(mount("none", m, NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL));
	EXPECT_ERRNO(open(p, O_WRONLY), EACCES);
	/* O_PATH does not open the device */
	fd = ASSERT_OK(open(p, O_PATH));
	close(fd);
}

TEST(noexec_refuses_execve)
{
	char m[256], p[300];

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	mnt_write_file(P(p, "m/script"), "#!/bin/sh\nexit 7\n", 0755);
	EXPECT_EQ(mnt_run(p), 7);
	ASSERT_OK(mount("none", m, NULL, MS_REMOUNT | MS_BIND | MS_NOEXEC, NULL));
	EXPECT_EQ(mnt_run(p), -1);
	EXPECT_EQ(errno, EACCES);
	EXPECT_ERRNO(access(p, X_OK), EACCES);
	EXPECT_OK(access(p, R_OK));
	ASSERT_OK(mount("none", m, NULL, MS_REMOUNT | MS_BIND, NULL));
	EXPECT_EQ(mnt_run(p), 7);
}

TEST(noexec_refuses_executable_mappings)
{
	char m[256], p[300];
	void *a;
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", NULL, m, sizeof(m));
	mnt_write_file(P(p, "m/lib"), "code", 0755);
	ASSERT_OK(mount("none", m, NULL, MS_REMOUNT | MS_BIND | MS_NOEXEC, NULL));
	fd = ASSERT_OK(open(p, O_RDONLY));
	/* mmap(2): EPERM for PROT_EXEC of a file on a no-exec mount */
	EXPECT_TRUE(mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED);
	EXPECT_EQ(errno, EPERM);
	a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(a != MAP_FAILED);
	/* ...and such a mapping may never become executable */
	EXPECT_ERRNO(mprotect(a, 4096, PROT_READ | PROT_EXEC), EACCES);
	EXPECT_OK(mprotect(a, 4096, PROT_READ | PROT_WRITE));
	munmap(a, 4096);
	close(fd);
}

/* Copies the file at from to a new file at to, owned by owner, with mode. */
static void copy_file(const char *from, const char *to, uid_t owner, mode_t mode)
{
	static char buf[1 << 16];
	int in = ASSERT_OK(open(from, O_RDONLY)), out;
	ssize_t n;

	out = ASSERT_OK(open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(write(out, buf, (size_t)n), n);
	ASSERT_EQ(n, 0);
	close(in);
	close(out);
	ASSERT_OK(chown(to, owner, owner));
	ASSERT_OK(chmod(to, mode));
}

/* Runs "<id> -u" (as nobody if asked) and returns the number it prints. */
static long run_id(const char *id, bool as_nobody)
{
	char out[32] = { 0 };
	int pipefd[2], st;
	pid_t pid;

	ASSERT_OK(pipe(pipefd));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		char *argv[] = { (char *)id, "-u", NULL };

		dup2(pipefd[1], 1);
		if (as_nobody)
			mnt_become_nobody();
		execve(id, argv, (char *[]){ NULL });
		_exit(127);
	}
	close(pipefd[1]);
	ASSERT_GT(read(pipefd[0], out, sizeof(out) - 1), 0);
	close(pipefd[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return strtol(out, NULL, 10);
}

TEST(nosuid_ignores_set_user_id_bits)
{
	char m[256], id[300], root_id[300];

	mnt_enter_private_ns();
	if (access("/usr/bin/id", X_OK) < 0)
		SKIP("no /usr/bin/id");
	ASSERT_OK(chmod(harness_tmpdir(), 0755)); /* nobody runs a copy in there too */
	mnt_tmpfs("m", NULL, m, sizeof(m));
	copy_file("/usr/bin/id", P(id, "m/id"), NOBODY, 04755);
	copy_file("/usr/bin/id", P(root_id, "m/root-id"), 0, 04755);
	EXPECT_EQ(run_id(id, false), NOBODY);
	EXPECT_EQ(run_id(root_id, true), 0);
	ASSERT_OK(mount("none", m, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID, NULL));
	EXPECT_EQ(run_id(id, false), 0);
	EXPECT_EQ(run_id(root_id, true), NOBODY);
}
