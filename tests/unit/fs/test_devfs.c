/* /dev: the sentry's memory devices and the fixed tree, and host fd passthrough. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/dev/devfs.h"
#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static void mount_dev(struct fsfix *fx)
{
	struct super_block *sb;
	struct inode *root;
	struct path p;

	ASSERT_EQ(fix_mkdir(fx, "/dev"), 0);
	ASSERT_EQ(vfs_walk(fx->v, NULL, "/dev", 0, NULL, &p), 0);
	ASSERT_EQ(devfs_new(&sb, &root), 0);
	ASSERT_EQ(vfs_mount_at(&p, sb, root, 0), 0);
	inode_put(root);
	sb_put(sb);
	path_put(&p);
}

TEST(null_zero_full_and_urandom_behave)
{
	struct fsfix fx;
	struct file *f;
	char buf[64];

	fix_setup(&fx);
	mount_dev(&fx);
	ASSERT_EQ(fix_open(&fx, "/dev/null", O_RDWR, &f), 0);
	EXPECT_EQ(fix_write(f, "abc", 3, NULL), 3);
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), NULL), 0);
	EXPECT_EQ(vfs_llseek(f, 100, SEEK_SET), 0);
	file_put(f);
	ASSERT_EQ(fix_open(&fx, "/dev/zero", O_RDONLY, &f), 0);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), NULL), (ssize_t)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0);
	file_put(f);
	ASSERT_EQ(fix_open(&fx, "/dev/full", O_WRONLY, &f), 0);
	EXPECT_EQ(fix_write(f, "abc", 3, NULL), -ENOSPC);
	file_put(f);
	ASSERT_EQ(fix_open(&fx, "/dev/urandom", O_RDONLY, &f), 0);
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), NULL), (ssize_t)sizeof(buf));
	file_put(f);
	fix_teardown(&fx);
}

TEST(dev_tree_has_links_and_a_shm_dir)
{
	struct fsfix fx;
	struct kstat st;
	char buf[64];

	fix_setup(&fx);
	mount_dev(&fx);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/dev/null", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISCHR(st.mode));
	EXPECT_EQ(st.mode & 0777, 0666);
	EXPECT_EQ(st.rdev, makedev(1, 3));
	EXPECT_EQ(vfs_readlinkat(fx.v, NULL, "/dev/stdout", buf, sizeof(buf), NULL), 15);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/dev/shm", 0, NULL, &st), 0);
	EXPECT_EQ(st.mode, S_IFDIR | 01777);
	EXPECT_EQ(fix_write_file(&fx, "/dev/shm/seg", "x"), 0);
	/* a char node with no sentry driver */
	EXPECT_EQ(vfs_mknodat(fx.v, NULL, "/dev/nodrv", S_IFCHR | 0600, makedev(99, 1), NULL), 0);
	{
		struct file *f;

		EXPECT_EQ(fix_open(&fx, "/dev/nodrv", O_RDONLY, &f), -ENXIO);
	}
	fix_teardown(&fx);
}

TEST(terminal_nodes_exist_and_ptmx_opens_a_master)
{
	static const struct {
		const char *path;
		unsigned major, minor, mode;
		int open_err; /* 0: opens */
	} nodes[] = {
		/* no controlling terminal without a session (no job control hooks here) */
		{ "/dev/tty", 5, 0, 0666, -ENXIO },
		{ "/dev/console", 5, 1, 0600, -ENXIO }, /* the sandbox has no console */
		{ "/dev/ptmx", 5, 2, 0666, 0 },
	};
	struct fsfix fx;
	struct kstat st;

	fix_setup(&fx);
	mount_dev(&fx);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		struct file *f;

		ASSERT_EQ(vfs_statat(fx.v, NULL, nodes[i].path, 0, NULL, &st), 0);
		EXPECT_EQ(st.mode, S_IFCHR | nodes[i].mode);
		EXPECT_EQ(st.rdev, makedev(nodes[i].major, nodes[i].minor));
		EXPECT_EQ(fix_open(&fx, nodes[i].path, O_RDWR, &f), nodes[i].open_err);
		if (nodes[i].open_err == 0)
			file_put(f);
	}
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/dev/pts", 0, NULL, &st), 0);
	EXPECT_EQ(st.mode, S_IFDIR | 0755);
	fix_teardown(&fx);
}

TEST(shm_gets_a_tmpfs_of_its_own)
{
	struct fsfix fx;
	struct kstat dev, shm;

	fix_setup(&fx);
	mount_dev(&fx);
	ASSERT_EQ(devfs_mount_shm(fx.v, "/dev/shm"), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/dev", 0, NULL, &dev), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/dev/shm", 0, NULL, &shm), 0);
	EXPECT_TRUE(dev.dev != shm.dev);
	EXPECT_EQ(shm.mode, S_IFDIR | 01777);
	EXPECT_EQ(fix_write_file(&fx, "/dev/shm/seg", "x"), 0);
	EXPECT_EQ(devfs_mount_shm(fx.v, "/dev/null"), -ENOTDIR);
	fix_teardown(&fx);
}

TEST(hostfd_passes_io_and_fstat_to_the_host_fd)
{
	struct file *f;
	struct kstat st;
	char buf[8];
	int p[2];

	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(hostfd_file_new(p[1], O_WRONLY, &f), 0);
	EXPECT_EQ(fix_write(f, "hi", 2, NULL), 2);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
	EXPECT_EQ(fix_read(f, buf, 1, NULL), -EBADF);
	ASSERT_EQ(vfs_fstat(f, &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.mode));
	EXPECT_EQ(vfs_llseek(f, 0, SEEK_CUR), -ESPIPE);
	file_put(f);
	close(p[1]);
	/* the file held a duplicate, now closed: the pipe sees EOF */
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}
