/*
 * The synthetic-filesystem layer (fs/synth) over a tmpfs root: content built once per
 * open, stores, table and dynamic directories, plain and magic links, statfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs/synth/synth.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

#define TEST_MAGIC 0x5e5e

static int opens;
static char stored[64];
static struct fs_view *magic_view; /* where the magic link's target is looked up */

/* Each open sees a new number: the content is built at open, not per read. */
static int counter_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	synth_printf(b, "open %d of a long enough line", ++opens);
	return 0;
}

static const struct synth_ops counter_ops = { .show = counter_show };

static int rw_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	synth_puts(b, stored);
	return 0;
}

static ssize_t rw_store(struct inode *inode, const char *buf, size_t len)
{
	(void)inode;
	if (len >= sizeof(stored))
		return -EINVAL;
	memcpy(stored, buf, len);
	stored[len] = '\0';
	return (ssize_t)len;
}

static const struct synth_ops rw_ops = { .show = rw_show, .store = rw_store };

static int link_readlink(struct inode *inode, struct synth_buf *b)
{
	synth_puts(b, synth_i(inode)->data);
	return 0;
}

static const struct synth_ops link_ops = { .readlink = link_readlink };

static int magic_get_link_path(struct inode *inode, struct path *out)
{
	(void)inode;
	return vfs_walk(magic_view, NULL, "/target", 0, NULL, out);
}

static const struct synth_ops magic_ops = {
	.readlink = link_readlink,
	.get_link_path = magic_get_link_path,
};

/* A directory of three children whose cookies are sparse (10, 20, 30). */
static int dyn_lookup(struct inode *dir, const char *name, struct inode **out)
{
	if (strcmp(name, "n1") && strcmp(name, "n2") && strcmp(name, "n3"))
		return -ENOENT;
	*out = synth_inode_new(dir, name, S_IFREG | 0444, &synth_string_ops, NULL, name);
	return *out ? 0 : -ENOMEM;
}

static int dyn_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	static const char *const names[] = { "n1", "n2", "n3" };

	for (int i = 0; i < 3; i++)
		if (!synth_emit(c, 10 * (i + 1), names[i], synth_ino(dir, names[i]), DT_REG))
			break;
	return 0;
}

static const struct synth_ops dyn_ops = { .lookup = dyn_lookup, .readdir = dyn_readdir };

static const struct synth_entry sub_entries[] = {
	{ "inner", S_IFREG | 0444, &synth_string_ops, "inside\n" },
};
static const struct synth_table sub_table = SYNTH_TABLE(sub_entries);

static const struct synth_entry root_entries[] = {
	{ "hello", S_IFREG | 0444, &synth_string_ops, "hello, world\n" },
	{ "counter", S_IFREG | 0444, &counter_ops, NULL },
	{ "rw", S_IFREG | 0644, &rw_ops, NULL },
	{ "link", S_IFLNK | 0777, &link_ops, "hello" },
	{ "magic", S_IFLNK | 0777, &magic_ops, "not-a-real-name" },
	{ "sub", S_IFDIR | 0555, &synth_table_dir_ops, &sub_table },
	{ "dyn", S_IFDIR | 0555, &dyn_ops, NULL },
};
static const struct synth_table root_table = SYNTH_TABLE(root_entries);

static void setup(struct fsfix *fx)
{
	struct super_block *sb;
	struct inode *root;
	struct path p;

	fix_setup(fx);
	magic_view = fx->v;
	opens = 0;
	stored[0] = '\0';
	ASSERT_EQ(fix_mkdir(fx, "/s"), 0);
	ASSERT_EQ(fix_write_file(fx, "/target", "the target"), 0);
	ASSERT_EQ(synth_sb_new("testfs", TEST_MAGIC, &synth_table_dir_ops, &root_table, &sb, &root),
		  0);
	ASSERT_EQ(vfs_walk(fx->v, NULL, "/s", LOOKUP_FOLLOW, NULL, &p), 0);
	ASSERT_EQ(vfs_mount_at(&p, sb, root, 0), 0);
	path_put(&p);
	inode_put(root);
	sb_put(sb);
}

TEST(string_file_reads)
{
	struct fsfix fx;
	char buf[64];

	setup(&fx);
	EXPECT_EQ(fix_read_file(&fx, "/s/hello", buf, sizeof(buf)), 13);
	EXPECT_STREQ(buf, "hello, world\n");
	EXPECT_EQ(fix_read_file(&fx, "/s/sub/inner", buf, sizeof(buf)), 7);
	EXPECT_EQ(fix_read_file(&fx, "/s/missing", buf, sizeof(buf)), -ENOENT);
	fix_teardown(&fx);
}

TEST(one_snapshot_per_open)
{
	struct fsfix fx;
	struct file *a, *b;
	char buf[64] = { 0 }, rest[64] = { 0 };
	int64_t pos = 0;

	setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/s/counter", O_RDONLY, &a), 0);
	EXPECT_EQ(fix_read(a, buf, 6, &pos), 6);
	EXPECT_STREQ(buf, "open 1");
	/* Another open builds new content; the first keeps reading its own. */
	ASSERT_EQ(fix_open(&fx, "/s/counter", O_RDONLY, &b), 0);
	EXPECT_GT(fix_read(a, rest, sizeof(rest) - 1, &pos), 0);
	EXPECT_STREQ(rest, " of a long enough line");
	EXPECT_EQ(fix_read(a, rest, sizeof(rest), &pos), 0);
	pos = 0;
	EXPECT_EQ(fix_read(b, buf, 6, &pos), 6);
	EXPECT_STREQ(buf, "open 2");
	/* SEEK_END is the content's end. */
	EXPECT_EQ(vfs_llseek(b, -4, SEEK_END), 24);
	file_put(a);
	file_put(b);
	fix_teardown(&fx);
}

TEST(store_takes_a_write)
{
	struct fsfix fx;
	struct file *f;
	char buf[64];

	setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/s/rw", O_WRONLY | O_TRUNC, &f), 0);
	EXPECT_EQ(fix_write(f, "42\n", 3, NULL), 3);
	file_put(f);
	EXPECT_EQ(fix_read_file(&fx, "/s/rw", buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "42\n");
	ASSERT_EQ(fix_open(&fx, "/s/hello", O_WRONLY, &f), 0);
	EXPECT_EQ(fix_write(f, "x", 1, NULL), -EINVAL);
	file_put(f);
	fix_teardown(&fx);
}

/* The names of a directory listing, space-separated. */
static void list(struct fsfix *fx, const char *path, char *out, size_t len)
{
	char buf[4096];
	struct file *f;
	ssize_t n;

	out[0] = '\0';
	ASSERT_EQ(fix_open(fx, path, O_RDONLY | O_DIRECTORY, &f), 0);
	while ((n = vfs_getdents64(f, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			snprintf(out + strlen(out), len - strlen(out), "%s ", buf + off + 19);
			off += reclen;
		}
	}
	EXPECT_EQ(n, 0);
	file_put(f);
}

TEST(directory_listings)
{
	struct fsfix fx;
	char names[512];

	setup(&fx);
	list(&fx, "/s", names, sizeof(names));
	EXPECT_STREQ(names, ". .. hello counter rw link magic sub dyn ");
	list(&fx, "/s/dyn", names, sizeof(names));
	EXPECT_STREQ(names, ". .. n1 n2 n3 ");
	fix_teardown(&fx);
}

TEST(listing_resumes_at_a_sparse_cookie)
{
	struct fsfix fx;
	struct file *f;
	char buf[4096];
	ssize_t n;

	setup(&fx);
	ASSERT_EQ(fix_open(&fx, "/s/dyn", O_RDONLY | O_DIRECTORY, &f), 0);
	/* Room for exactly ".", ".." and one more 24-byte record. */
	n = vfs_getdents64(f, buf, 72);
	EXPECT_EQ(n, 72);
	EXPECT_STREQ(buf + 48 + 19, "n1");
	n = vfs_getdents64(f, buf, sizeof(buf));
	EXPECT_EQ(n, 48);
	EXPECT_STREQ(buf + 19, "n2");
	EXPECT_STREQ(buf + 24 + 19, "n3");
	file_put(f);
	fix_teardown(&fx);
}

TEST(plain_and_magic_links)
{
	struct fsfix fx;
	struct kstat st, target;
	char buf[64];

	setup(&fx);
	EXPECT_EQ(fix_read_file(&fx, "/s/link", buf, sizeof(buf)), 13);
	EXPECT_EQ(vfs_readlinkat(fx.v, NULL, "/s/magic", buf, sizeof(buf), NULL), 15);
	/* Following the magic link ignores its text: it reaches /target itself. */
	EXPECT_EQ(fix_read_file(&fx, "/s/magic", buf, sizeof(buf)), 10);
	EXPECT_STREQ(buf, "the target");
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/s/magic", LOOKUP_FOLLOW, NULL, &st), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/target", 0, NULL, &target), 0);
	EXPECT_EQ(st.ino, target.ino);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/s/magic", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISLNK(st.mode));
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/s/magic/", LOOKUP_FOLLOW, NULL, &st), -ENOTDIR);
	fix_teardown(&fx);
}

TEST(inode_numbers_are_stable_and_statfs_has_the_magic)
{
	struct fsfix fx;
	struct kstat a, b;
	struct statfs sf;
	struct path p;

	setup(&fx);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/s/sub/inner", 0, NULL, &a), 0);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/s/sub/inner", 0, NULL, &b), 0);
	EXPECT_EQ(a.ino, b.ino);
	ASSERT_EQ(vfs_statat(fx.v, NULL, "/s/hello", 0, NULL, &b), 0);
	EXPECT_NE(a.ino, b.ino);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/s/hello", 0, NULL, &p), 0);
	ASSERT_EQ(vfs_statfs(p.mnt, p.dentry->inode, &sf), 0);
	EXPECT_EQ(sf.f_type, TEST_MAGIC);
	path_put(&p);
	fix_teardown(&fx);
}
