/*
 * overlay: an overlay over a tmpfs "lower" (standing in for the gofer root) and a fresh
 * tmpfs upper. Every case checks what the merged view shows and that the lower layer
 * never changes, and the teardown that nothing leaks.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/memfile.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/tmpfs.h"
#include "tests/harness/harness.h"
#include "tests/unit/fs/fsfix.h"

struct ovlfix {
	struct fsfix lower; /* a view of the lower layer alone, to check it never changes */
	struct fsfix ovl; /* the merged view */
};

/*
 * The lower tree: /etc/hostname, /etc/sub/{a,b}, /usr/share/pkg/{f, sub/g},
 * /usr/link -> share/pkg/f, /empty/.
 */
static void ovl_setup(struct ovlfix *o)
{
	struct super_block *usb, *osb;
	struct inode *uroot, *oroot;
	struct mount *mnt;
	struct path p;

	fix_setup(&o->lower);
	ASSERT_OK(fix_mkdir(&o->lower, "/etc"));
	ASSERT_OK(fix_mkdir(&o->lower, "/etc/sub"));
	ASSERT_OK(fix_mkdir(&o->lower, "/usr"));
	ASSERT_OK(fix_mkdir(&o->lower, "/usr/share"));
	ASSERT_OK(fix_mkdir(&o->lower, "/usr/share/pkg"));
	ASSERT_OK(fix_mkdir(&o->lower, "/usr/share/pkg/sub"));
	ASSERT_OK(fix_mkdir(&o->lower, "/empty"));
	ASSERT_OK(fix_write_file(&o->lower, "/etc/hostname", "lowerhost\n"));
	ASSERT_OK(fix_write_file(&o->lower, "/etc/sub/a", "A"));
	ASSERT_OK(fix_write_file(&o->lower, "/etc/sub/b", "B"));
	ASSERT_OK(fix_write_file(&o->lower, "/usr/share/pkg/f", "F"));
	ASSERT_OK(fix_write_file(&o->lower, "/usr/share/pkg/sub/g", "G"));
	ASSERT_OK(fix_symlink(&o->lower, "share/pkg/f", "/usr/link"));

	ASSERT_OK(tmpfs_new(&usb, &uroot, 0755, 0));
	ASSERT_OK(ovl_new(uroot, o->lower.v->root.dentry->inode, &osb, &oroot));
	inode_put(uroot);
	sb_put(usb);
	ASSERT_OK(vfs_mount_root(osb, oroot, &mnt));
	inode_put(oroot);
	sb_put(osb);
	p.mnt = mnt;
	p.dentry = mnt->root;
	o->ovl.v = fs_view_new(&p, &p);
	mount_put(mnt);
	ASSERT_TRUE(o->ovl.v != NULL);
}

static void ovl_teardown(struct ovlfix *o)
{
	fs_view_put(o->ovl.v);
	o->ovl.v = NULL;
	fix_teardown(&o->lower);
}

/* The names in directory path, sorted, space-separated (no "." and ".."). */
static int list_dir(struct fsfix *fx, const char *path, char *out, size_t len)
{
	char buf[4096], *names[128];
	struct file *f;
	size_t n = 0;
	ssize_t got;
	int err;

	err = vfs_openat(fx->v, NULL, path, O_RDONLY | O_DIRECTORY, 0, NULL, &f);
	if (err < 0)
		return err;
	while ((got = vfs_getdents64(f, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") && n < 128)
				names[n++] = strdup(d->d_name);
			off += d->d_reclen;
		}
	}
	file_put(f);
	if (got < 0)
		return (int)got;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, names[i], len - strlen(out) - 1);
		free(names[i]);
	}
	return 0;
}

static int stat_path(struct fsfix *fx, const char *path, struct kstat *st)
{
	return vfs_statat(fx->v, NULL, path, 0, NULL, st);
}

TEST(lookup_and_read_see_the_lower_layer)
{
	struct ovlfix o;
	char buf[64];

	ovl_setup(&o);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/hostname", buf, sizeof(buf)), 10);
	EXPECT_STREQ(buf, "lowerhost\n");
	EXPECT_EQ(fix_read_file(&o.ovl, "/usr/link", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "F");
	ASSERT_OK(list_dir(&o.ovl, "/etc/sub", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "a b");
	ovl_teardown(&o);
}

TEST(writing_copies_up_and_the_lower_never_changes)
{
	struct ovlfix o;
	struct kstat before, after;
	struct file *f;
	char buf[64];

	ovl_setup(&o);
	ASSERT_OK(stat_path(&o.ovl, "/etc/hostname", &before));
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/hostname", "x\n"));
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/hostname", buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "x\n");
	EXPECT_EQ(fix_read_file(&o.lower, "/etc/hostname", buf, sizeof(buf)), 10);
	EXPECT_STREQ(buf, "lowerhost\n");
	/* the same file as far as stat can tell: device, inode, mode, owner */
	ASSERT_OK(stat_path(&o.ovl, "/etc/hostname", &after));
	EXPECT_EQ(after.ino, before.ino);
	EXPECT_EQ(after.dev, before.dev);
	EXPECT_EQ(after.mode, before.mode);
	EXPECT_EQ(after.size, 2);
	/* appending keeps the copied data */
	ASSERT_OK(fix_open(&o.ovl, "/etc/sub/a", O_WRONLY | O_APPEND, &f));
	EXPECT_EQ(fix_write(f, "pp", 2, NULL), 2);
	file_put(f);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/sub/a", buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "App");
	EXPECT_EQ(fix_read_file(&o.lower, "/etc/sub/a", buf, sizeof(buf)), 1);
	ovl_teardown(&o);
}

TEST(a_reader_opened_before_the_copy_up_keeps_the_old_data)
{
	struct ovlfix o;
	struct file *r;
	char buf[64];
	int64_t pos = 0;

	ovl_setup(&o);
	ASSERT_OK(fix_open(&o.ovl, "/etc/sub/b", O_RDONLY, &r));
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/sub/b", "new"));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(fix_read(r, buf, sizeof(buf) - 1, &pos), 1);
	EXPECT_STREQ(buf, "B");
	file_put(r);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/sub/b", buf, sizeof(buf)), 3);
	ovl_teardown(&o);
}

TEST(chmod_and_truncate_copy_up_metadata_and_data)
{
	struct ovlfix o;
	struct kstat st;
	struct path p;
	char buf[64];

	ovl_setup(&o);
	ASSERT_OK(vfs_walk(o.ovl.v, NULL, "/usr/share/pkg/f", 0, NULL, &p));
	ASSERT_OK(vfs_chmod(p.mnt, p.dentry->inode, 0600, NULL));
	path_put(&p);
	ASSERT_OK(stat_path(&o.ovl, "/usr/share/pkg/f", &st));
	EXPECT_EQ(st.mode, (uint32_t)(S_IFREG | 0600));
	EXPECT_EQ(fix_read_file(&o.ovl, "/usr/share/pkg/f", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "F");
	ASSERT_OK(stat_path(&o.lower, "/usr/share/pkg/f", &st));
	EXPECT_EQ(st.mode, (uint32_t)(S_IFREG | 0644));
	ASSERT_OK(vfs_walk(o.ovl.v, NULL, "/etc/sub/a", 0, NULL, &p));
	ASSERT_OK(vfs_truncate(p.dentry->inode, 0));
	path_put(&p);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/sub/a", buf, sizeof(buf)), 0);
	EXPECT_EQ(fix_read_file(&o.lower, "/etc/sub/a", buf, sizeof(buf)), 1);
	ovl_teardown(&o);
}

TEST(unlink_leaves_a_whiteout_the_guest_never_sees)
{
	struct ovlfix o;
	struct kstat st;
	char buf[64];

	ovl_setup(&o);
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/etc/hostname", 0, NULL));
	EXPECT_EQ(stat_path(&o.ovl, "/etc/hostname", &st), -ENOENT);
	ASSERT_OK(list_dir(&o.ovl, "/etc", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "sub");
	EXPECT_OK(stat_path(&o.lower, "/etc/hostname", &st));
	/* a new file over the whiteout, listed once */
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/hostname", "again"));
	ASSERT_OK(list_dir(&o.ovl, "/etc", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "hostname sub");
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/hostname", buf, sizeof(buf)), 5);
	/* the whiteout is no device node the guest could open or make */
	EXPECT_EQ(vfs_mknodat(o.ovl.v, NULL, "/etc/wo", S_IFCHR | 0600, 0, NULL), -EPERM);
	ovl_teardown(&o);
}

TEST(rmdir_of_a_merged_dir_needs_it_empty_and_leaves_an_opaque_slot)
{
	struct ovlfix o;
	struct kstat st;
	char buf[64];

	ovl_setup(&o);
	EXPECT_EQ(vfs_unlinkat(o.ovl.v, NULL, "/etc/sub", AT_REMOVEDIR, NULL), -ENOTEMPTY);
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/etc/sub/a", 0, NULL));
	EXPECT_EQ(vfs_unlinkat(o.ovl.v, NULL, "/etc/sub", AT_REMOVEDIR, NULL), -ENOTEMPTY);
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/etc/sub/b", 0, NULL));
	ASSERT_OK(list_dir(&o.ovl, "/etc/sub", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "");
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/etc/sub", AT_REMOVEDIR, NULL));
	EXPECT_EQ(stat_path(&o.ovl, "/etc/sub", &st), -ENOENT);
	/* a directory made where the old one was shows none of the lower's entries */
	ASSERT_OK(fix_mkdir(&o.ovl, "/etc/sub"));
	ASSERT_OK(list_dir(&o.ovl, "/etc/sub", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "");
	EXPECT_EQ(stat_path(&o.ovl, "/etc/sub/a", &st), -ENOENT);
	ASSERT_OK(list_dir(&o.lower, "/etc/sub", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "a b");
	ovl_teardown(&o);
}

TEST(rename_of_a_lower_file_and_of_a_dir_with_lower_content)
{
	struct ovlfix o;
	struct kstat st, before;
	char buf[64];

	ovl_setup(&o);
	ASSERT_OK(stat_path(&o.ovl, "/etc/sub/a", &before));
	ASSERT_OK(vfs_renameat(o.ovl.v, NULL, "/etc/sub/a", NULL, "/etc/a2", 0, NULL));
	EXPECT_EQ(stat_path(&o.ovl, "/etc/sub/a", &st), -ENOENT);
	ASSERT_OK(stat_path(&o.ovl, "/etc/a2", &st));
	EXPECT_EQ(st.ino, before.ino);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/a2", buf, sizeof(buf)), 1);

	ASSERT_OK(vfs_renameat(o.ovl.v, NULL, "/usr/share/pkg", NULL, "/usr/pkg2", 0, NULL));
	EXPECT_EQ(stat_path(&o.ovl, "/usr/share/pkg", &st), -ENOENT);
	EXPECT_EQ(fix_read_file(&o.ovl, "/usr/pkg2/sub/g", buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "G");
	ASSERT_OK(list_dir(&o.ovl, "/usr/pkg2", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f sub");
	ASSERT_OK(list_dir(&o.ovl, "/usr/share", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "");
	/* the moved tree is the guest's own: removing it does not resurrect anything */
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/usr/pkg2/sub/g", 0, NULL));
	ASSERT_OK(vfs_unlinkat(o.ovl.v, NULL, "/usr/pkg2/sub", AT_REMOVEDIR, NULL));
	ASSERT_OK(list_dir(&o.ovl, "/usr/pkg2", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f");
	/* and back over a name the lower still has */
	ASSERT_OK(vfs_renameat(o.ovl.v, NULL, "/usr/pkg2", NULL, "/usr/share/pkg", 0, NULL));
	ASSERT_OK(list_dir(&o.ovl, "/usr/share/pkg", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f");
	ASSERT_OK(list_dir(&o.lower, "/usr/share/pkg", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f sub");
	ovl_teardown(&o);
}

TEST(rename_while_the_source_dir_is_held_keeps_later_copy_ups_in_place)
{
	struct ovlfix o;
	struct path held;
	char buf[64];

	ovl_setup(&o);
	/* the cache holds /etc/sub while it moves; writing under it afterwards must land
	 * in the moved directory */
	ASSERT_OK(vfs_walk(o.ovl.v, NULL, "/etc/sub", 0, NULL, &held));
	ASSERT_OK(vfs_renameat(o.ovl.v, NULL, "/etc/sub", NULL, "/etc/moved", 0, NULL));
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/moved/a", "new"));
	path_put(&held);
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/moved/a", buf, sizeof(buf)), 3);
	ASSERT_OK(list_dir(&o.ovl, "/etc", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "hostname moved");
	ovl_teardown(&o);
}

TEST(symlinks_copy_up_as_symlinks_and_hard_links_to_lower_files_work)
{
	struct ovlfix o;
	struct kstat st;
	struct path p;
	char buf[64];

	ovl_setup(&o);
	ASSERT_OK(vfs_walk(o.ovl.v, NULL, "/usr/link", 0, NULL, &p));
	ASSERT_OK(vfs_chown(p.mnt, p.dentry->inode, 5, 6, NULL));
	path_put(&p);
	ASSERT_OK(vfs_statat(o.ovl.v, NULL, "/usr/link", 0, NULL, &st));
	EXPECT_TRUE(S_ISLNK(st.mode));
	EXPECT_EQ(st.uid, 5u);
	EXPECT_EQ(vfs_readlinkat(o.ovl.v, NULL, "/usr/link", buf, sizeof(buf), NULL), 11);

	ASSERT_OK(vfs_linkat(o.ovl.v, NULL, "/etc/hostname", NULL, "/etc/h2", 0, NULL));
	ASSERT_OK(stat_path(&o.ovl, "/etc/h2", &st));
	EXPECT_EQ(st.nlink, 2u);
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/h2", "both"));
	EXPECT_EQ(fix_read_file(&o.ovl, "/etc/hostname", buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "both");
	ASSERT_OK(stat_path(&o.lower, "/etc/hostname", &st));
	EXPECT_EQ(st.nlink, 1u);
	ovl_teardown(&o);
}

TEST(merged_readdir_lists_each_name_once_with_stat_inode_numbers)
{
	struct ovlfix o;
	char buf[4096];
	struct file *f;
	struct kstat st;
	ssize_t got;
	int seen = 0;

	ovl_setup(&o);
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/new", "n"));
	ASSERT_OK(fix_write_file(&o.ovl, "/etc/hostname", "h"));
	ASSERT_OK(vfs_openat(o.ovl.v, NULL, "/etc", O_RDONLY | O_DIRECTORY, 0, NULL, &f));
	while ((got = vfs_getdents64(f, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char path[300];

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "/etc/%s", d->d_name);
			ASSERT_OK(stat_path(&o.ovl, path, &st));
			EXPECT_EQ(d->d_ino, st.ino);
			seen++;
		}
	}
	file_put(f);
	EXPECT_EQ(seen, 3);
	ovl_teardown(&o);
}

TEST(a_shared_mapping_of_an_upper_file_uses_its_pages)
{
	struct ovlfix o;
	struct file *f;
	uint64_t off;

	ovl_setup(&o);
	ASSERT_OK(fix_open(&o.ovl, "/etc/hostname", O_RDWR, &f));
	ASSERT_TRUE(f->ops->get_page != NULL);
	ASSERT_OK(f->ops->get_page(f, 0, true, &off));
	memfile_unref(off, 1);
	EXPECT_EQ(f->ops->get_page(f, 5, false, &off), -ENXIO);
	file_put(f);
	ovl_teardown(&o);
}

struct race_arg {
	struct ovlfix *o;
	int id;
	int errors;
};

/* Each thread copies up and rewrites its own lower files while listing and stat'ing the
 * shared directories the other one changes. */
static void *race_thread(void *p)
{
	struct race_arg *a = p;
	char path[64], buf[256];
	struct kstat st;

	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/usr/share/pkg/t%d-%d", a->id, i % 10);
		if (fix_write_file(&a->o->ovl, path, "data") < 0)
			a->errors++;
		if (list_dir(&a->o->ovl, "/usr/share/pkg", buf, sizeof(buf)) < 0)
			a->errors++;
		if (stat_path(&a->o->ovl, a->id ? "/usr/share/pkg/f" : "/etc/hostname", &st) < 0)
			a->errors++;
		if (i % 10 == 9 && vfs_unlinkat(a->o->ovl.v, NULL, path, 0, NULL) < 0)
			a->errors++;
	}
	return NULL;
}

TEST(concurrent_copy_ups_lookups_and_listings_agree)
{
	struct ovlfix o;
	struct race_arg a[2] = { { &o, 0, 0 }, { &o, 1, 0 } };
	pthread_t th[2];
	char buf[256];

	ovl_setup(&o);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, race_thread, &a[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(a[0].errors, 0);
	EXPECT_EQ(a[1].errors, 0);
	ASSERT_OK(list_dir(&o.ovl, "/usr/share/pkg", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f sub t0-0 t0-1 t0-2 t0-3 t0-4 t0-5 t0-6 t0-7 t0-8 "
			  "t1-0 t1-1 t1-2 t1-3 t1-4 t1-5 t1-6 t1-7 t1-8");
	ASSERT_OK(list_dir(&o.lower, "/usr/share/pkg", buf, sizeof(buf)));
	EXPECT_STREQ(buf, "f sub");
	ovl_teardown(&o);
}
