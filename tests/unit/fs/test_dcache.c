/*
 * The dentry cache over a tmpfs that opts in (super_block.dcache): unused dentries stay
 * cached and are found again, absent names are remembered and give way to creates,
 * renames and unlinks keep the cache coherent, the LRU stays within its bound, big
 * directories still look up every name, and shrinking frees what only the cache held.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/vfs/internal.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

static void cached_setup(struct fsfix *fx, unsigned policy)
{
	fix_setup(fx);
	fx->v->root.mnt->sb->dcache = policy;
	dcache_shrink(NULL);
}

/* The dentry path names now (+1 dentry), or NULL. */
static struct dentry *walk_dentry(struct fsfix *fx, const char *path)
{
	struct dentry *d;
	struct path p;

	if (vfs_walk(fx->v, NULL, path, 0, NULL, &p) < 0)
		return NULL;
	d = p.dentry;
	dentry_get(d);
	path_put(&p);
	return d;
}

static long live_inodes(void)
{
	struct vfs_live l;

	vfs_live_counts(&l);
	return l.inodes;
}

TEST(an_unused_dentry_is_found_again)
{
	struct dentry *d1, *d2;
	struct fsfix fx;
	size_t before;

	cached_setup(&fx, DCACHE_KEEP);
	ASSERT_EQ(fix_mkdir(&fx, "/a"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/a/f", "x"), 0);
	dcache_shrink(NULL);
	before = dcache_unused();
	d1 = walk_dentry(&fx, "/a/f");
	ASSERT_TRUE(d1 != NULL);
	dentry_put(d1);
	/* /a/f waits unused; /a is held by it */
	EXPECT_EQ(dcache_unused(), before + 1);
	d2 = walk_dentry(&fx, "/a/f");
	EXPECT_TRUE(d2 == d1);
	dentry_put(d2);
	fix_teardown(&fx);
}

TEST(without_the_policy_a_dentry_dies_with_its_last_reference)
{
	struct dentry *d;
	struct fsfix fx;

	cached_setup(&fx, 0);
	ASSERT_EQ(fix_write_file(&fx, "/f", "x"), 0);
	d = walk_dentry(&fx, "/f");
	ASSERT_TRUE(d != NULL);
	dentry_put(d);
	EXPECT_EQ(dcache_unused(), 0);
	fix_teardown(&fx);
}

TEST(shrinking_frees_what_only_the_cache_held)
{
	struct fsfix fx;
	char name[32];
	long with, without;

	cached_setup(&fx, DCACHE_KEEP);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	for (int i = 0; i < 20; i++) {
		struct dentry *d;

		snprintf(name, sizeof(name), "/d/f%d", i);
		ASSERT_EQ(fix_write_file(&fx, name, "x"), 0);
		d = walk_dentry(&fx, name);
		ASSERT_TRUE(d != NULL);
		dentry_put(d);
	}
	EXPECT_TRUE(dcache_unused() >= 20);
	/* the cached dentries hold their inodes (tmpfs keeps its own too) */
	with = __atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED);
	dcache_shrink(NULL);
	without = __atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED);
	EXPECT_EQ(dcache_unused(), 0);
	EXPECT_TRUE(without <= with - 21); /* 20 files and /d */
	fix_teardown(&fx);
}

TEST(the_lru_stays_within_its_limit)
{
	size_t old = dcache_set_limit(8);
	struct fsfix fx;
	char name[32];

	cached_setup(&fx, DCACHE_KEEP | DCACHE_NEGATIVE);
	for (int i = 0; i < 100; i++) {
		struct dentry *d;

		snprintf(name, sizeof(name), "/f%d", i);
		ASSERT_EQ(fix_write_file(&fx, name, "x"), 0);
		d = walk_dentry(&fx, name);
		ASSERT_TRUE(d != NULL);
		dentry_put(d);
		snprintf(name, sizeof(name), "/missing%d", i);
		EXPECT_TRUE(walk_dentry(&fx, name) == NULL);
		EXPECT_TRUE(dcache_unused() <= 8);
	}
	/* evicted names are still found, through the filesystem */
	for (int i = 0; i < 100; i++) {
		struct kstat st;

		snprintf(name, sizeof(name), "/f%d", i);
		EXPECT_EQ(vfs_statat(fx.v, NULL, name, 0, NULL, &st), 0);
	}
	dcache_set_limit(old);
	fix_teardown(&fx);
}

TEST(a_negative_entry_gives_way_to_a_create)
{
	struct fsfix fx;
	struct kstat st;
	size_t before;
	char buf[8];

	cached_setup(&fx, DCACHE_KEEP | DCACHE_NEGATIVE);
	before = dcache_unused();
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/n", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(dcache_unused(), before + 1);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/n", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(fix_write_file(&fx, "/n", "made"), 0);
	EXPECT_EQ(fix_read_file(&fx, "/n", buf, sizeof(buf)), 4);
	/* and to a mkdir, and to the target of a rename */
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/dir", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(fix_mkdir(&fx, "/dir"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/dir", 0, NULL, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.mode));
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/dir/m", 0, NULL, &st), -ENOENT);
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/n", NULL, "/dir/m", 0, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/dir/m", buf, sizeof(buf)), 4);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/n", 0, NULL, &st), -ENOENT);
	fix_teardown(&fx);
}

TEST(renames_and_unlinks_keep_the_cache_coherent)
{
	struct dentry *a, *b;
	struct fsfix fx;
	struct kstat st;
	char buf[8];

	cached_setup(&fx, DCACHE_KEEP | DCACHE_NEGATIVE);
	ASSERT_EQ(fix_write_file(&fx, "/a", "A"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/b", "B"), 0);
	a = walk_dentry(&fx, "/a");
	b = walk_dentry(&fx, "/b");
	ASSERT_TRUE(a && b);
	dentry_put(a);
	dentry_put(b);
	/* both cached and unused: exchange them */
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/a", NULL, "/b", RENAME_EXCHANGE, NULL), 0);
	EXPECT_EQ(fix_read_file(&fx, "/a", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "B");
	EXPECT_EQ(fix_read_file(&fx, "/b", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "A");
	/* replace one with the other */
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/a", NULL, "/b", 0, NULL), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/a", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(fix_read_file(&fx, "/b", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "B");
	/* a directory moves with its cached children */
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	ASSERT_EQ(fix_write_file(&fx, "/d/in", "I"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/d/in", 0, NULL, &st), 0);
	ASSERT_EQ(vfs_renameat(fx.v, NULL, "/d", NULL, "/e", 0, NULL), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/d/in", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(fix_read_file(&fx, "/e/in", buf, sizeof(buf)), 1);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/e/in", 0, NULL), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/e/in", 0, NULL, &st), -ENOENT);
	EXPECT_EQ(vfs_unlinkat(fx.v, NULL, "/e", AT_REMOVEDIR, NULL), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/e", 0, NULL, &st), -ENOENT);
	fix_teardown(&fx);
}

TEST(a_big_directory_finds_every_name)
{
	struct fsfix fx;
	char name[32];
	long inodes;

	cached_setup(&fx, DCACHE_KEEP);
	ASSERT_EQ(fix_mkdir(&fx, "/big"), 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "/big/entry-%d", i);
		ASSERT_EQ(fix_write_file(&fx, name, ""), 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 3000; i++) {
			struct kstat st;

			snprintf(name, sizeof(name), "/big/entry-%d", i);
			ASSERT_EQ(vfs_statat(fx.v, NULL, name, 0, NULL, &st), 0);
		}
	}
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/big/entry-3000", 0, NULL, &(struct kstat){ 0 }),
		  -ENOENT);
	inodes = live_inodes();
	EXPECT_TRUE(inodes > 0);
	fix_teardown(&fx);
}

TEST(umount_lets_the_cache_of_its_filesystem_go)
{
	struct fsfix fx;
	struct path p;
	long d0;

	cached_setup(&fx, DCACHE_KEEP);
	ASSERT_EQ(fix_mkdir(&fx, "/mnt"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/mnt", 0, NULL, &(struct kstat){ 0 }), 0);
	d0 = __atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED);
	ASSERT_EQ(fix_mount_tmpfs(&fx, "/mnt", 0), 0);
	ASSERT_EQ(vfs_walk(fx.v, NULL, "/mnt", 0, NULL, &p), 0);
	p.mnt->sb->dcache = DCACHE_KEEP | DCACHE_NEGATIVE;
	ASSERT_EQ(fix_write_file(&fx, "/mnt/f", "x"), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/mnt/f", 0, NULL, &(struct kstat){ 0 }), 0);
	EXPECT_EQ(vfs_statat(fx.v, NULL, "/mnt/none", 0, NULL, &(struct kstat){ 0 }), -ENOENT);
	EXPECT_TRUE(__atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED) >= d0 + 3);
	ASSERT_EQ(vfs_umount(&p, false), 0);
	/* the last reference on the mount: its root, f and the negative "none" go with it */
	path_put(&p);
	EXPECT_EQ(__atomic_load_n(&vfs_live_dentries, __ATOMIC_RELAXED), d0);
	fix_teardown(&fx);
}

struct stress {
	struct fsfix *fx;
	int id;
	int failures; /* atomic */
};

/* Lookups that revive cached dentries race the evictor (the LRU is tiny) and renames,
 * creates and unlinks in the same directory. */
static void *stress_main(void *arg)
{
	struct stress *s = arg;
	unsigned seed = (unsigned)s->id * 7919u + 1;
	char name[64], other[64];

	for (int i = 0; i < 3000; i++) {
		struct kstat st;
		int n = (int)(rand_r(&seed) % 200), err;

		snprintf(name, sizeof(name), "/d/f%d", n);
		err = vfs_statat(s->fx->v, NULL, name, 0, NULL, &st);
		if (err < 0)
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
		snprintf(name, sizeof(name), "/d/t%d", s->id);
		snprintf(other, sizeof(other), "/d/u%d", s->id);
		switch (i % 4) {
		case 0:
			err = fix_write_file(s->fx, name, "x");
			break;
		case 1:
			err = vfs_renameat(s->fx->v, NULL, name, NULL, other, 0, NULL);
			break;
		case 2:
			err = vfs_statat(s->fx->v, NULL, name, 0, NULL, &st) == -ENOENT ? 0 : -1;
			break;
		default:
			err = vfs_unlinkat(s->fx->v, NULL, other, 0, NULL);
			break;
		}
		if (err < 0)
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(lookups_race_eviction_and_renames)
{
	size_t old = dcache_set_limit(16);
	struct stress s[4];
	pthread_t t[4];
	struct fsfix fx;
	char name[32];

	cached_setup(&fx, DCACHE_KEEP | DCACHE_NEGATIVE);
	ASSERT_EQ(fix_mkdir(&fx, "/d"), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		ASSERT_EQ(fix_write_file(&fx, name, "x"), 0);
	}
	for (int i = 0; i < 4; i++) {
		s[i] = (struct stress){ .fx = &fx, .id = i };
		ASSERT_EQ(pthread_create(&t[i], NULL, stress_main, &s[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(s[i].failures, 0);
	}
	/* the bound holds once the puts are done (lookups under a lock may overshoot) */
	dentry_put(walk_dentry(&fx, "/d"));
	EXPECT_TRUE(dcache_unused() <= 16);
	dcache_set_limit(old);
	fix_teardown(&fx);
}
