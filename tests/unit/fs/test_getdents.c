/* getdents64: ".", ".." first, resumable through the file position, small buffers. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

struct rec {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* Reads the whole directory with buffers of bufsize; names appended to out. */
static int list_dir(struct file *f, size_t bufsize, char names[][32], int max)
{
	char buf[4096];
	int n = 0;

	for (;;) {
		ssize_t got = vfs_getdents64(f, buf, bufsize);

		if (got < 0)
			return (int)got;
		if (got == 0)
			return n;
		for (ssize_t off = 0; off < got;) {
			struct rec *r = (struct rec *)(buf + off);

			if (r->d_reclen % 8 || r->d_reclen == 0)
				return -EIO;
			if (n < max)
				snprintf(names[n], 32, "%s", r->d_name);
			n++;
			off += r->d_reclen;
		}
	}
}

TEST(dot_and_dotdot_come_first_then_entries_in_creation_order)
{
	char names[16][32];
	struct fsfix fx;
	struct file *f;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/one", ""), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/d/two"), 0);
	ASSERT_EQ(fix_symlink(&fx, "x", "/d/three"), 0);
	ASSERT_EQ(fix_open(&fx, "/d", O_RDONLY | O_DIRECTORY, &f), 0);
	ASSERT_EQ(list_dir(f, sizeof(names), names, 16), 5);
	EXPECT_STREQ(names[0], ".");
	EXPECT_STREQ(names[1], "..");
	EXPECT_STREQ(names[2], "one");
	EXPECT_STREQ(names[3], "two");
	EXPECT_STREQ(names[4], "three");
	EXPECT_EQ(vfs_getdents64(f, names, sizeof(names)), 0);
	file_put(f);
	fix_teardown(&fx);
}

TEST(tiny_buffers_resume_where_they_stopped)
{
	char names[128][32];
	struct fsfix fx;
	struct file *f;
	char path[32];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/d/entry-%03d", i);
		ASSERT_EQ(fix_write_file(&fx, path, ""), 0);
	}
	ASSERT_EQ(fix_open(&fx, "/d", O_RDONLY, &f), 0);
	/* one record per call: offsetof(d_name) 19 + 9 chars + NUL rounds up to 32 */
	ASSERT_EQ(list_dir(f, 32, names, 128), 102);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "entry-%03d", i);
		ASSERT_STREQ(names[i + 2], path);
	}
	/* too small for even one record */
	ASSERT_EQ(vfs_llseek(f, 0, SEEK_SET), 0);
	EXPECT_EQ(vfs_getdents64(f, names, 8), -EINVAL);
	file_put(f);
	fix_teardown(&fx);
}

TEST(d_off_cookies_seek_back_and_survive_unlinks)
{
	char buf[4096], names[16][32];
	struct fsfix fx;
	struct file *f;
	int64_t cookie_after_a;
	ssize_t got;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/a", ""), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/b", ""), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/c", ""), 0);
	ASSERT_EQ(fix_open(&fx, "/d", O_RDONLY, &f), 0);
	got = vfs_getdents64(f, buf, sizeof(buf));
	ASSERT_GT(got, 0);
	{
		struct rec *r = (struct rec *)buf;

		r = (struct rec *)((char *)r + r->d_reclen); /* .. */
		r = (struct rec *)((char *)r + r->d_reclen); /* a */
		ASSERT_STREQ(r->d_name, "a");
		cookie_after_a = r->d_off;
	}
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/d/b", 0, NULL), 0);
	ASSERT_EQ(vfs_llseek(f, cookie_after_a, SEEK_SET), cookie_after_a);
	ASSERT_EQ(list_dir(f, sizeof(buf), names, 16), 1);
	EXPECT_STREQ(names[0], "c");
	/* rewinding starts over */
	ASSERT_EQ(vfs_llseek(f, 0, SEEK_SET), 0);
	ASSERT_EQ(list_dir(f, sizeof(buf), names, 16), 4);
	EXPECT_EQ(vfs_llseek(f, 0, SEEK_END), -EINVAL);
	file_put(f);
	fix_teardown(&fx);
}

TEST(getdents_on_a_file_is_enotdir_and_read_on_a_dir_is_eisdir)
{
	struct fsfix fx;
	struct file *f;
	char buf[512];

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/f", "x"), 0);
	ASSERT_EQ(fix_open(&fx, "/f", O_RDONLY, &f), 0);
	EXPECT_EQ(vfs_getdents64(f, buf, sizeof(buf)), -ENOTDIR);
	file_put(f);
	ASSERT_EQ(fix_open(&fx, "/", O_RDONLY, &f), 0);
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), NULL), -EISDIR);
	file_put(f);
	fix_teardown(&fx);
}
