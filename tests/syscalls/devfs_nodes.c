// SPDX-License-Identifier: MIT
/*
 * /dev as Linux's devtmpfs lays it out: each device node's type, mode and st_rdev, the
 * /proc/self/fd symlinks, /dev/pts and a tmpfs on /dev/shm that shm_open uses, and
 * /dev/tty refusing a process without a controlling terminal (ENXIO).
 */
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "tests/syscalls/sysutil.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static const struct {
	const char *path;
	unsigned major, minor;
	unsigned mode;
} nodes[] = {
	{ "/dev/null", 1, 3, 0666 },	{ "/dev/zero", 1, 5, 0666 },	{ "/dev/full", 1, 7, 0666 },
	{ "/dev/random", 1, 8, 0666 },	{ "/dev/urandom", 1, 9, 0666 }, { "/dev/tty", 5, 0, 0666 },
	{ "/dev/console", 5, 1, 0600 },
};

TEST(device_nodes_have_linux_modes_and_numbers)
{
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		struct stat st;

		if (stat(nodes[i].path, &st)) {
			harness_fail(__FILE__, __LINE__, "stat %s: %s", nodes[i].path,
				     harness_errname(errno));
			continue;
		}
		if (!S_ISCHR(st.st_mode) || (st.st_mode & 07777) != nodes[i].mode ||
		    major(st.st_rdev) != nodes[i].major || minor(st.st_rdev) != nodes[i].minor)
			harness_fail(__FILE__, __LINE__,
				     "%s: mode %o rdev %u,%u, expected char %o rdev %u,%u",
				     nodes[i].path, st.st_mode, major(st.st_rdev),
				     minor(st.st_rdev), nodes[i].mode, nodes[i].major,
				     nodes[i].minor);
	}
}

TEST(ptmx_is_the_pty_multiplexer_node)
{
	struct stat st;

	/* a container runtime may make it a symlink to pts/ptmx: follow it */
	ASSERT_OK(stat("/dev/ptmx", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(major(st.st_rdev), 5);
	EXPECT_EQ(minor(st.st_rdev), 2);
}

TEST(fd_links_point_into_proc_self)
{
	static const struct {
		const char *link, *target;
	} links[] = {
		{ "/dev/fd", "/proc/self/fd" },
		{ "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" },
		{ "/dev/stderr", "/proc/self/fd/2" },
	};

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char buf[64];
		struct stat st;
		ssize_t n;

		ASSERT_OK(lstat(links[i].link, &st));
		EXPECT_TRUE(S_ISLNK(st.st_mode));
		EXPECT_EQ(st.st_mode & 0777, 0777);
		n = readlink(links[i].link, buf, sizeof(buf) - 1);
		ASSERT_TRUE(n > 0);
		buf[n] = 0;
		EXPECT_STREQ(buf, links[i].target);
	}
}

TEST(pts_is_a_directory)
{
	struct stat st;

	ASSERT_OK(stat("/dev/pts", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0755);
}

TEST(shm_is_a_sticky_world_writable_tmpfs)
{
	struct statfs sfs;
	struct stat st;
	char path[64];
	int fd;

	ASSERT_OK(stat("/dev/shm", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 01777);
	ASSERT_OK(statfs("/dev/shm", &sfs));
	EXPECT_EQ(sfs.f_type, TMPFS_MAGIC);
	/* its own filesystem, not /dev's */
	{
		struct stat dev;

		ASSERT_OK(stat("/dev", &dev));
		EXPECT_TRUE(dev.st_dev != st.st_dev);
	}
	snprintf(path, sizeof(path), "/dev/shm/devfs_nodes.%d", (int)getpid());
	fd = ASSERT_OK(open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	ASSERT_EQ(write(fd, "shm", 3), 3);
	close(fd);
	EXPECT_OK(unlink(path));
}

TEST(shm_open_segments_are_shared_mappings)
{
	char name[64];
	int fd;
	char *p, *q;

	snprintf(name, sizeof(name), "/devfs_nodes.%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_OK(fd);
	ASSERT_OK(ftruncate(fd, PAGE));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED && q != MAP_FAILED);
	strcpy(p, "segment");
	EXPECT_STREQ(q, "segment");
	EXPECT_OK(munmap(p, PAGE));
	EXPECT_OK(munmap(q, PAGE));
	close(fd);
	EXPECT_OK(shm_unlink(name));
}

static void open_tty_without_ctty(void *arg)
{
	(void)arg;
	/* a new session has no controlling terminal, wherever the test runs */
	if (setsid() < 0)
		_exit(2);
	if (open("/dev/tty", O_RDWR | O_CLOEXEC) >= 0)
		_exit(3);
	_exit(errno == ENXIO ? 0 : 4);
}

TEST(dev_tty_without_a_controlling_terminal_is_enxio)
{
	int st = status_of_child(open_tty_without_ctty, NULL);

	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(memory_devices_work)
{
	char buf[16];
	int fd;

	fd = ASSERT_OK(open("/dev/zero", O_RDONLY | O_CLOEXEC));
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], 0);
	close(fd);
	fd = ASSERT_OK(open("/dev/full", O_WRONLY | O_CLOEXEC));
	EXPECT_ERRNO(write(fd, "x", 1), ENOSPC);
	close(fd);
	fd = ASSERT_OK(open("/dev/null", O_RDWR | O_CLOEXEC));
	EXPECT_EQ(write(fd, "x", 1), 1);
	EXPECT_EQ(read(fd, buf, 1), 0);
	close(fd);
}
