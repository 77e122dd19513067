/* tmpfs: file data, holes, truncation, shared pages, links, rename, limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/memfile.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

TEST(write_then_read_back_across_pages)
{
	struct fsfix fx;
	struct file *f;
	size_t len = 3 * 4096 + 123;
	char *in = malloc(len), *out = malloc(len);
	int64_t pos = 0;

	fix_setup(&fx);
	for (size_t i = 0; i < len; i++)
		in[i] = (char)(i * 7 + 3);
	ASSERT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT, &f), 0);
	ASSERT_EQ(fix_write(f, in, len, NULL), (ssize_t)len);
	EXPECT_EQ(f->pos, (int64_t)len);
	EXPECT_EQ(fix_read(f, out, len, &pos), (ssize_t)len);
	EXPECT_MEMEQ(in, out, len);
	EXPECT_EQ(pos, (int64_t)len);
	EXPECT_EQ(fix_read(f, out, len, &pos), 0);
	EXPECT_EQ(f->inode->size, (int64_t)len);
	EXPECT_EQ(f->inode->blocks, 4 * 8);
	EXPECT_EQ(memfile_used_pages(), 4);
	file_put(f);
	free(in);
	free(out);
	fix_teardown(&fx);
}

TEST(sparse_files_read_zeros_in_holes_and_cost_no_pages)
{
	struct fsfix fx;
	struct file *f;
	char buf[8192];
	int64_t pos = 1LL << 40; /* a terabyte in */

	fix_setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/sparse", O_RDWR | O_CREAT, &f), 0);
	ASSERT_EQ(fix_write(f, "end", 3, &pos), 3);
	EXPECT_EQ(f->inode->size, (1LL << 40) + 3);
	EXPECT_EQ(memfile_used_pages(), 1);
	pos = (1LL << 40) - 4096;
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(fix_read(f, buf, sizeof(buf), &pos), 4099);
	for (int i = 0; i < 4096; i++)
		ASSERT_EQ(buf[i], 0);
	EXPECT_MEMEQ(buf + 4096, "end", 3);
	/* past the size limit of the page index */
	pos = INT64_MAX - 10;
	EXPECT_EQ(fix_write(f, "x", 1, &pos), -EFBIG);
	file_put(f);
	fix_teardown(&fx);
}

TEST(truncate_shrinks_frees_pages_and_zeroes_the_tail)
{
	struct fsfix fx;
	struct file *f;
	char buf[4096 * 2];
	int64_t pos = 0;

	fix_setup(&fx);
	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(fix_open(&fx, "/f", O_RDWR | O_CREAT, &f), 0);
	ASSERT_EQ(fix_write(f, buf, sizeof(buf), NULL), (ssize_t)sizeof(buf));
	EXPECT_EQ(memfile_used_pages(), 2);
	ASSERT_EQ(vfs_truncate(f->inode, 100), 0);
	EXPECT_EQ(f->inode->size, 100);
	EXPECT_EQ(memfile_used_pages(), 1);
	ASSERT_EQ(vfs_truncate(f->inode, 200), 0);
	ASSERT_EQ(fix_read(f, buf, sizeof(buf), &pos), 200);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(buf[i], 'a');
	for (int i = 100; i < 200; i++)
		ASSERT_EQ(buf[i], 0);
	ASSERT_EQ(vfs_truncate(f->inode, 0), 0);
	EXPECT_EQ(memfile_used_pages(), 0);
	EXPECT_EQ(vfs_truncate(f->inode, -1), -EINVAL);
	file_put(f);
	fix_teardown(&fx);
}

TEST(append_writes_go_to_the_end)
{
	struct fsfix fx;
	struct file *a, *b;
	char buf[32];
	int64_t pos = 0;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/log", "one\n"), 0);
	ASSERT_EQ(fix_open(&fx, "/log", O_WRONLY | O_APPEND, &a), 0);
	ASSERT_EQ(fix_open(&fx, "/log", O_WRONLY, &b), 0);
	ASSERT_EQ(fix_write(b, "XX", 2, NULL), 2);
	ASSERT_EQ(fix_write(a, "two\n", 4, &pos), 4); /* pwrite with O_APPEND appends too */
	EXPECT_EQ(fix_read_file(&fx, "/log", buf, sizeof(buf)), 8);
	EXPECT_STREQ(buf, "XXe\ntwo\n");
	EXPECT_EQ(fix_read(a, buf, 1, NULL), -EBADF);
	file_put(a);
	file_put(b);
	fix_teardown(&fx);
}

TEST(get_page_shares_the_file_page)
{
	struct fsfix fx;
	struct file *f;
	uint64_t off;
	char buf[8];

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/m", "mapped"), 0);
	ASSERT_EQ(fix_open(&fx, "/m", O_RDWR, &f), 0);
	ASSERT_EQ(f->ops->get_page(f, 0, true, &off), 0);
	EXPECT_EQ(memfile_refcount(off), 2);
	memcpy(memfile_ptr(off), "MAPPED", 6);
	EXPECT_EQ(fix_read_file(&fx, "/m", buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "MAPPED");
	EXPECT_EQ(f->ops->get_page(f, 1, false, &off), -ENXIO);
	memfile_unref(off, 1);
	file_put(f);
	fix_teardown(&fx);
}

TEST(unlinked_open_files_live_until_the_last_close)
{
	struct fsfix fx;
	struct file *f;
	struct kstat st;
	char buf[16];
	int64_t pos = 0;

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/f", "still here"), 0);
	ASSERT_EQ(fix_open(&fx, "/f", O_RDONLY, &f), 0);
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/f", 0, NULL), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(vfs_fstat(f, &st), 0);
	EXPECT_EQ(st.nlink, 0);
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), &pos), 10);
	EXPECT_EQ(memfile_used_pages(), 1);
	/* a new file of the same name is another file */
	ASSERT_EQ(fix_write_file(&fx, "/f", "new"), 0);
	pos = 0;
	EXPECT_EQ(fix_read(f, buf, sizeof(buf), &pos), 10);
	file_put(f);
	EXPECT_EQ(memfile_used_pages(), 1);
	fix_teardown(&fx);
}

TEST(hard_links_share_the_inode_and_count_links)
{
	struct fsfix fx;
	struct kstat st;
	char buf[16];

	fix_setup(&fx);
	ASSERT_EQ(fix_write_file(&fx, "/a", "shared"), 0);
	ASSERT_EQ(vfs_linkat(fx.v, NULL, "/a", NULL, "/b", 0, NULL), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/b", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 2);
	EXPECT_EQ(vfs_linkat(fx.v, NULL, "/a", NULL, "/b", 0, NULL), -EEXIST);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	EXPECT_EQ(vfs_linkat(fx.v, NULL, "/d", NULL, "/d2", 0, NULL), -EPERM);
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/a", 0, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/b", buf, sizeof(buf)), 6);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/b", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 1);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 3); /* ".", "..", and /d's ".." */
	fix_teardown(&fx);
}

TEST(rmdir_and_unlink_errors)
{
	struct fsfix fx;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/f", "x"), 0);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d", AT_REMOVEDIR, NULL), -ENOTEMPTY);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d", 0, NULL), -EISDIR);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d/f", AT_REMOVEDIR, NULL), -ENOTDIR);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d/.", AT_REMOVEDIR, NULL), -EINVAL);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/d/..", AT_REMOVEDIR, NULL), -ENOTEMPTY);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/", AT_REMOVEDIR, NULL), -EBUSY);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/", 0, NULL), -EISDIR);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/nope", 0, NULL), -ENOENT);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "/d", 0755, NULL), -EEXIST);
	EXPECT_EQ(vfs_mkdirat(fx.v, NULL, "/", 0755, NULL), -EEXIST);
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/d/f", 0, NULL), 0);
	ASSERT_EQ(vfs_unlinkat(fx.v, NULL, "/d", AT_REMOVEDIR, NULL), 0);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/x", 0x8000, NULL), -EINVAL);
	fix_teardown(&fx);
}

TEST(rename_moves_replaces_and_exchanges)
{
	struct fsfix fx;
	struct kstat st;
	char buf[16];

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(fix_mkdir(&fx, "/b"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/a/f", "one"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/b/g", "two"), 0);
	/* a cached dentry moves with the rename */
	ASSERT_EQ(fix_chdir(&fx, "/a"), 0);
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/a", NULL, "/b/a2", 0, NULL), 0);
	EXPECT_EQ(fix_getcwd(&fx, buf, sizeof(buf)), (ssize_t)sizeof("/b/a2"));
	EXPECT_STREQ(buf, "/b/a2");
	EXPECT_EQ(fix_read_file(&fx, "f", buf, sizeof(buf)), 3);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/b", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 3);
	/* replacing a file */
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/b/a2/f", NULL, "/b/g", 0, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/b/g", buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "one");
	EXPECT_EQ(fix_read_file(&fx, "/b/a2/f", buf, sizeof(buf)), -ENOENT);
	/* the checks */
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/b", NULL, "/b/a2/x", 0, NULL), -EINVAL);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/b/a2", NULL, "/b", 0, NULL), -ENOTEMPTY);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/b/g", NULL, "/b/a2", 0, NULL), -EISDIR);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/b/a2", NULL, "/b/g", 0, NULL), -ENOTDIR);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/b/.", NULL, "/c", 0, NULL), -EBUSY);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/nope", NULL, "/c", 0, NULL), -ENOENT);
	ASSERT_EQ(fix_write_file(&fx, "/h", "three"), 0);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/h", NULL, "/b/g", RENAME_NOREPLACE, NULL), -EEXIST);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/h", NULL, "/zz", RENAME_EXCHANGE, NULL), -ENOENT);
	EXPECT_EQ(vfs_renameat(fx.v, NULL, "/h", NULL, "/zz", RENAME_EXCHANGE | RENAME_NOREPLACE,
			       NULL),
		  -EINVAL);
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/h", NULL, "/b/g", RENAME_EXCHANGE, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/h", buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "one");
	EXPECT_EQ(fix_read_file(&fx, "/b/g", buf, sizeof(buf)), 5);
	/* exchanging a directory and a file across directories */
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/h", NULL, "/b/a2", RENAME_EXCHANGE, NULL), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/h", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 4);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/b", 0, NULL, &st), 0);
	EXPECT_EQ(st.nlink, 2);
	fix_teardown(&fx);
}

TEST(size_limit_gives_enospc)
{
	struct fsfix fx;
	struct file *f;
	char page[4096] = { 0 };

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/small"), 0);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/small", 2 * 4096), 0);
	ASSERT_EQ(fix_open(&fx, "/small/f", O_WRONLY | O_CREAT, &f), 0);
	EXPECT_EQ(fix_write(f, page, sizeof(page), NULL), 4096);
	/* two pages is the limit */
	EXPECT_EQ(fix_write(f, page, sizeof(page), NULL), 4096);
	EXPECT_EQ(fix_write(f, page, sizeof(page), NULL), -ENOSPC);
	file_put(f);
	fix_teardown(&fx);
}

TEST(attributes_owner_mode_times)
{
	struct vfs_cred user = { .fsuid = 1000, .fsgid = 100 };
	struct timespec ts[2] = { { 1000, 5 }, { 2000, UTIME_OMIT } };
	struct fsfix fx;
	struct kstat st;
	struct path p;
	struct file *f;

	fix_setup(&fx);
	ASSERT_EQ(fix_mkdir(&fx, "/pub"), 0);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/pub", 0, NULL, &p), 0);
	ASSERT_EQ(vfs_chmod(p.mnt, p.dentry->inode, 01777, NULL), 0);
	path_put(&p);
	fx.v->umask = 077;
	ASSERT_EQ(vfs_openat(fx.v, NULL, "/pub/u", O_CREAT | O_WRONLY, 0666, &user, &f), 0);
	file_put(f);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/pub/u", 0, NULL, &st), 0);
	EXPECT_EQ(st.uid, 1000);
	EXPECT_EQ(st.gid, 100);
	EXPECT_EQ(st.mode, S_IFREG | 0600);
	EXPECT_EQ(st.blksize, 4096);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/pub/u", 0, NULL, &p), 0);
	ASSERT_EQ(vfs_utimens(p.mnt, p.dentry->inode, ts, &user), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/pub/u", 0, NULL, &st), 0);
	EXPECT_EQ(st.atime.tv_sec, 1000);
	EXPECT_EQ(st.atime.tv_nsec, 5);
	EXPECT_NE(st.mtime.tv_sec, 2000);
	path_put(&p);
	/* the sticky bit: another user can't remove it */
	user.fsuid = 1001;
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/pub/u", 0, &user), -EPERM);
	user.fsuid = 1000;
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/pub/u", 0, &user), 0);
	fix_teardown(&fx);
}

TEST(many_files_in_one_directory)
{
	struct fsfix fx;
	struct kstat st;
	char name[32];

	fix_setup(&fx);
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "/f%d", i);
		ASSERT_EQ(fix_write_file(&fx, name, ""), 0);
	}
	for (int i = 0; i < 2000; i += 3) {
		snprintf(name, sizeof(name), "/f%d", i);
		ASSERT_EQ(vfs_unlinkat(fx.v, NULL, name, 0, NULL), 0);
	}
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f3", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/f1999", 0, NULL, &st), 0);
	fix_teardown(&fx);
}
