/*
 * /proc/[pid]/mounts and mountinfo (the mount table as the process's root sees it), and
 * /proc/filesystems (the registered fs types).
 */
#include <errno.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "fs/vfs/vfs.h"
#include "sentry/procfs/procfs_internal.h"

/* Writes s with space, tab, newline and backslash octal-escaped, as Linux's mangle(). */
static void put_escaped(struct synth_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			synth_printf(b, "\\%03o", (unsigned char)*s);
		else
			synth_write(b, s, 1);
	}
}

static void put_mount_opts(struct synth_buf *b, const struct mount *m)
{
	unsigned f = m->flags | (m->sb->flags & MS_RDONLY);

	synth_puts(b, (f & MS_RDONLY) ? "ro" : "rw");
	if (f & MS_NOSUID)
		synth_puts(b, ",nosuid");
	if (f & MS_NODEV)
		synth_puts(b, ",nodev");
	if (f & MS_NOEXEC)
		synth_puts(b, ",noexec");
	synth_puts(b, ",relatime");
}

static const char *mount_source(const struct mount *m)
{
	if (m->source)
		return m->source;
	return m->sb->fstype ? m->sb->fstype : "none";
}

static int mounts_line(const struct mount_entry *e, void *arg)
{
	struct synth_buf *b = arg;
	const struct mount *m = e->mnt;

	put_escaped(b, mount_source(m));
	synth_puts(b, " ");
	put_escaped(b, e->mountpoint);
	synth_printf(b, " %s ", m->sb->fstype ? m->sb->fstype : "none");
	put_mount_opts(b, m);
	synth_puts(b, " 0 0\n");
	return 0;
}

static int mountinfo_line(const struct mount_entry *e, void *arg)
{
	struct synth_buf *b = arg;
	const struct mount *m = e->mnt;

	synth_printf(b, "%llu %llu %u:%u ", (unsigned long long)e->id,
		     (unsigned long long)e->parent_id, major(m->sb->dev), minor(m->sb->dev));
	put_escaped(b, e->fs_root);
	synth_puts(b, " ");
	put_escaped(b, e->mountpoint);
	synth_puts(b, " ");
	put_mount_opts(b, m);
	synth_printf(b, " - %s ", m->sb->fstype ? m->sb->fstype : "none");
	put_escaped(b, mount_source(m));
	synth_puts(b, (m->sb->flags & MS_RDONLY) ? " ro\n" : " rw\n");
	return 0;
}

static int show_mounts(struct inode *inode, struct synth_buf *b,
		       int (*line)(const struct mount_entry *e, void *arg))
{
	struct procfs_task pt;
	struct path root;
	int err = procfs_inode_task(inode, PROCFS_WANT_FS, &pt);

	if (err)
		return err;
	if (!pt.fs) {
		procfs_task_put(&pt);
		return 0;
	}
	pthread_mutex_lock(&pt.fs->lock);
	root = pt.fs->root;
	path_get(&root);
	pthread_mutex_unlock(&pt.fs->lock);
	procfs_task_put(&pt);
	err = vfs_mount_iterate(&root, line, b);
	path_put(&root);
	return err;
}

static int mounts_show(struct inode *inode, struct synth_buf *b)
{
	return show_mounts(inode, b, mounts_line);
}

static int mountinfo_show(struct inode *inode, struct synth_buf *b)
{
	return show_mounts(inode, b, mountinfo_line);
}

const struct synth_ops procfs_mounts_ops = { .show = mounts_show };
const struct synth_ops procfs_mountinfo_ops = { .show = mountinfo_show };

static void fstype_line(const struct fs_type *t, void *arg)
{
	synth_printf(arg, "%s\t%s\n", t->nodev ? "nodev" : "", t->name);
}

static int filesystems_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	vfs_fstype_iterate(fstype_line, b);
	return 0;
}

const struct synth_ops procfs_filesystems_ops = { .show = filesystems_show };
