// SPDX-License-Identifier: MIT
/*
 * A mounted tmpfs's limits: size= bounds the pages writes and fallocate may take
 * (ENOSPC, fallocate all or nothing), nr_inodes= the files and their extra names
 * (ENOSPC on create and link), and
 * statfs reports both consistently.
 */
#include <linux/falloc.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "tests/syscalls/mount_util.h"

static void file_in(const char *dir, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

TEST(size_limit_bounds_writes_and_fallocate)
{
	char m[256], p[300];
	static char page[PAGE];
	struct statfs sf;
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", "size=16k", m, sizeof(m));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_type, TMPFS_MAGIC);
	EXPECT_EQ(sf.f_blocks, 4);
	EXPECT_EQ(sf.f_bfree, 4);
	file_in(m, "f", p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDWR | O_CREAT, 0600));
	ASSERT_EQ(write(fd, page, PAGE), (long)PAGE);
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_bfree, 3);
	/* more than is free: nothing at all is allocated */
	EXPECT_ERRNO(fallocate(fd, 0, PAGE, 4 * PAGE), ENOSPC);
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_bfree, 3);
	EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, PAGE, 3 * PAGE));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_bfree, 0);
	/* a write into a hole past the allocation has no page to go to */
	EXPECT_ERRNO(pwrite(fd, "x", 1, 10 * PAGE), ENOSPC);
	/* growing by truncate takes no page */
	EXPECT_OK(ftruncate(fd, 100 * PAGE));
	EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE));
	EXPECT_EQ(pwrite(fd, "x", 1, 10 * PAGE), 1);
	close(fd);
	ASSERT_OK(umount(m));
}

TEST(nr_inodes_bounds_files)
{
	char m[256], p[300];
	struct statfs sf;
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", "nr_inodes=3", m, sizeof(m));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_files, 3);
	EXPECT_EQ(sf.f_ffree, 2); /* the root directory is one */
	file_in(m, "a", p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDWR | O_CREAT, 0600));
	close(fd);
	file_in(m, "d", p, sizeof(p));
	ASSERT_OK(mkdir(p, 0700));
	file_in(m, "b", p, sizeof(p));
	EXPECT_ERRNO(open(p, O_RDWR | O_CREAT, 0600), ENOSPC);
	EXPECT_ERRNO(symlink("a", p), ENOSPC);
	EXPECT_ERRNO(mkdir(p, 0700), ENOSPC);
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_ffree, 0);
	/* like a new file, an extra name of one takes a slot (Linux's tmpfs counts them) */
	file_in(m, "a", p, sizeof(p));
	{
		char q[300];

		file_in(m, "hard", q, sizeof(q));
		EXPECT_ERRNO(link(p, q), ENOSPC);
	}
	/* a removed file gives its slot back */
	EXPECT_OK(unlink(p));
	file_in(m, "b", p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDWR | O_CREAT, 0600));
	close(fd);
	ASSERT_OK(umount(m));
}

TEST(extra_names_give_their_slot_back)
{
	char m[256], p[300], q[300];
	struct statfs sf;
	int fd;

	mnt_enter_private_ns();
	mnt_tmpfs("m", "nr_inodes=4", m, sizeof(m));
	file_in(m, "a", p, sizeof(p));
	fd = ASSERT_OK(open(p, O_RDWR | O_CREAT, 0600));
	close(fd);
	file_in(m, "hard", q, sizeof(q));
	ASSERT_OK(link(p, q));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_ffree, 1);
	ASSERT_OK(unlink(q));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_ffree, 2);
	ASSERT_OK(unlink(p));
	ASSERT_OK(statfs(m, &sf));
	EXPECT_EQ(sf.f_ffree, 3);
	ASSERT_OK(umount(m));
}
