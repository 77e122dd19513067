/* The sandbox's mount table at boot, from the runtime's configuration. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common/bug.h"
#include "common/log.h"
#include "fs/dev/devfs.h"
#include "fs/gofer/client.h"
#include "fs/gofer/goferfs.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/fstype.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/vfs.h"
#include "sentry/ipc/mqueue.h"
#include "sentry/mounts.h"
#include "sentry/sentry.h"

#define TMPFS_SIZE_LIMIT (0ULL) /* 0 = bounded by memory only */
#define MAX_GOFER_TREES 64

/* Boot runs as the sandbox's own administrator: no permission check stops it. */
static const struct vfs_cred boot_cred = {
	.cap_dac_override = true,
	.cap_dac_read_search = true,
	.cap_fowner = true,
	.cap_chown = true,
};

/* The filesystems over each gofer's channels, made once: several file binds out of one
 * directory (podman's hosts, hostname, resolv.conf) share its gofer. */
struct gofer_trees {
	struct {
		const int *fds;
		struct super_block *sb;
		struct inode *root;
	} t[MAX_GOFER_TREES];
	int n;
};

static void gofer_trees_put(struct gofer_trees *gt)
{
	for (int i = 0; i < gt->n; i++) {
		inode_put(gt->t[i].root);
		sb_put(gt->t[i].sb);
	}
	gt->n = 0;
}

/* A goferfs over the gofer channels: the sentry itself never opens host paths. */
static int gofer_mount_fs(const int *fds, int nchan, bool readonly, struct super_block **sb,
			  struct inode **root)
{
	struct gofer_client *gc;
	int err;

	if (nchan <= 0)
		return -EINVAL;
	err = gofer_client_new(fds, nchan, &gc);
	if (err)
		return err;
	return goferfs_new(gc, readonly, sb, root);
}

static int gofer_tree(struct gofer_trees *gt, const struct sentry_mount *m, struct super_block **sb,
		      struct inode **root)
{
	int err;

	for (int i = 0; i < gt->n; i++) {
		if (gt->t[i].fds == m->gofer_fds) {
			*sb = gt->t[i].sb;
			*root = gt->t[i].root;
			return 0;
		}
	}
	if (gt->n == MAX_GOFER_TREES)
		return -ENOSPC;
	/* read-only only when its one mount is: a shared gofer's binds carry MS_RDONLY */
	err = gofer_mount_fs(m->gofer_fds, m->gofer_nchan, (m->flags & MS_RDONLY) && !m->file, sb,
			     root);
	if (err)
		return err;
	gt->t[gt->n].fds = m->gofer_fds;
	gt->t[gt->n].sb = *sb;
	gt->t[gt->n].root = *root;
	gt->n++;
	return 0;
}

/* mkdir -p; the last component a directory, or an empty file when file is set. */
static int make_mountpoint(struct fs_view *v, const char *path, bool file)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	struct file *f;
	int err;

	if (n >= sizeof(buf) || path[0] != '/')
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		err = vfs_mkdirat(v, NULL, buf, 0755, &boot_cred);
		*p = '/';
		if (err && err != -EEXIST)
			return err;
	}
	if (!file) {
		err = vfs_mkdirat(v, NULL, buf, 0755, &boot_cred);
		return err == -EEXIST ? 0 : err;
	}
	err = vfs_openat(v, NULL, buf, O_CREAT | O_WRONLY | O_CLOEXEC, 0644, &boot_cred, &f);
	if (err == -EISDIR)
		return -ENOTDIR; /* a file cannot go on a directory */
	if (!err)
		file_put(f);
	return err;
}

/* Walks to the mountpoint, making it when missing. */
static int mountpoint(struct fs_view *v, const char *dest, bool file, struct path *out)
{
	unsigned lookup = LOOKUP_FOLLOW | (file ? 0 : LOOKUP_DIRECTORY);
	int err = vfs_walk(v, NULL, dest, lookup, &boot_cred, out);

	if (err != -ENOENT)
		return err;
	err = make_mountpoint(v, dest, file);
	if (err)
		return err;
	return vfs_walk(v, NULL, dest, lookup, &boot_cred, out);
}

/* A bind of a gofer's tree, or of one file in its root directory. */
static int mount_bind(struct fs_view *v, struct gofer_trees *gt, const struct sentry_mount *m)
{
	struct super_block *sb;
	struct inode *root;
	struct path mp, from;
	struct fs_view *tv;
	struct mount *mnt;
	int err;

	err = gofer_tree(gt, m, &sb, &root);
	if (err)
		return err;
	err = mountpoint(v, m->dest, m->file != NULL, &mp);
	if (err)
		return err;
	if (!m->file) {
		err = vfs_mount_new(&mp, sb, root, vfs_mount_flags(&mp, m->flags), NULL);
		path_put(&mp);
		return err;
	}
	/* the file inside the tree: walk it in a view of the tree alone, then bind */
	err = vfs_mount_root(sb, root, &mnt);
	if (err) {
		path_put(&mp);
		return err;
	}
	from.mnt = mnt;
	from.dentry = mnt->root;
	tv = fs_view_new(&from, &from);
	mount_put(mnt);
	if (!tv) {
		path_put(&mp);
		return -ENOMEM;
	}
	err = vfs_walk(tv, NULL, m->file, 0, &boot_cred, &from);
	fs_view_put(tv);
	if (!err) {
		err = vfs_mount_bind(&from, &mp, false);
		path_put(&from);
	}
	path_put(&mp);
	if (err || !(m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)))
		return err;
	/* the bind's own flags, as MS_BIND|MS_REMOUNT sets them */
	err = vfs_walk(v, NULL, m->dest, LOOKUP_FOLLOW, &boot_cred, &mp);
	if (err)
		return err;
	err = vfs_mount_remount(&mp, vfs_mount_flags(&mp, m->flags), true);
	path_put(&mp);
	return err;
}

static int mount_devfs(struct fs_view *v, const struct sentry_mount *m)
{
	struct super_block *sb;
	struct inode *root;
	struct path mp;
	char shm[PATH_MAX];
	int err;

	if (snprintf(shm, sizeof(shm), "%s/shm", m->dest) >= (int)sizeof(shm))
		return -ENAMETOOLONG;
	err = mountpoint(v, m->dest, false, &mp);
	if (err)
		return err;
	err = devfs_new(&sb, &root);
	if (!err) {
		err = vfs_mount_new(&mp, sb, root, vfs_mount_flags(&mp, m->flags), "devfs");
		inode_put(root);
		sb_put(sb);
	}
	path_put(&mp);
	if (!err)
		err = devfs_mount_shm(v, shm);
	if (!err)
		err = devfs_mount_pts(v, m->dest);
	return err;
}

static int mount_one(struct fs_view *v, struct gofer_trees *gt, const struct sentry_mount *m)
{
	struct path mp;
	int err;

	if (!strcmp(m->type, "bind"))
		return mount_bind(v, gt, m);
	if (!strcmp(m->type, "devfs"))
		return mount_devfs(v, m);
	err = mountpoint(v, m->dest, false, &mp);
	if (err)
		return err;
	err = vfs_mount_fstype(&mp, m->type, m->type, m->flags, vfs_mount_flags(&mp, m->flags),
			       m->data);
	path_put(&mp);
	return err;
}

/* maskedPaths: /dev/null over a file, an empty read-only tmpfs over a directory. */
static int mask_path(struct fs_view *v, const char *path)
{
	struct path p, null;
	struct kstat st;
	int err;

	err = vfs_statat(v, NULL, path, LOOKUP_FOLLOW, &boot_cred, &st);
	if (err == -ENOENT || err == -ENOTDIR)
		return 0;
	if (err)
		return err;
	err = vfs_walk(v, NULL, path, LOOKUP_FOLLOW, &boot_cred, &p);
	if (err)
		return err;
	if (S_ISDIR(st.mode)) {
		err = vfs_mount_fstype(&p, "tmpfs", "tmpfs", MS_RDONLY,
				       vfs_mount_flags(&p, MS_RDONLY), "size=0,mode=755");
	} else {
		err = vfs_walk(v, NULL, "/dev/null", LOOKUP_FOLLOW, &boot_cred, &null);
		if (!err) {
			err = vfs_mount_bind(&null, &p, false);
			path_put(&null);
		}
	}
	path_put(&p);
	return err;
}

/* readonlyPaths: bound on themselves, then made read-only as MS_BIND|MS_REMOUNT does. */
static int readonly_path(struct fs_view *v, const char *path)
{
	struct path p;
	int err;

	err = vfs_walk(v, NULL, path, LOOKUP_FOLLOW, &boot_cred, &p);
	if (err == -ENOENT || err == -ENOTDIR)
		return 0;
	if (err)
		return err;
	err = vfs_mount_bind(&p, &p, true);
	path_put(&p);
	if (err)
		return err;
	err = vfs_walk(v, NULL, path, LOOKUP_FOLLOW, &boot_cred, &p);
	if (err)
		return err;
	err = vfs_mount_remount(&p, vfs_mount_flags(&p, MS_RDONLY | MS_NOSUID | MS_NODEV), true);
	path_put(&p);
	return err;
}

/*
 * The root filesystem: by default an overlay whose writes stay in memory over the
 * gofer-served tree (read-only to the gofer); with host_root_rw the tree itself,
 * served read-write.
 */
static int root_fs(const struct sentry_config *cfg, struct super_block **sb, struct inode **root)
{
	struct super_block *lsb, *usb;
	struct inode *lroot, *uroot;
	int err;

	if (cfg->host_root_rw)
		return gofer_mount_fs(cfg->gofer_fds, cfg->gofer_nchan, false, sb, root);
	err = gofer_mount_fs(cfg->gofer_fds, cfg->gofer_nchan, true, &lsb, &lroot);
	if (err)
		return err;
	err = tmpfs_new(&usb, &uroot, 0755, TMPFS_SIZE_LIMIT);
	if (!err) {
		err = ovl_new(uroot, lroot, sb, root);
		inode_put(uroot);
		sb_put(usb);
	}
	inode_put(lroot);
	sb_put(lsb);
	return err;
}

static int new_root_view(const struct sentry_config *cfg, struct fs_view **out)
{
	struct super_block *sb;
	struct inode *root;
	struct mount *mnt;
	struct path rp;
	int err;

	err = root_fs(cfg, &sb, &root);
	if (err)
		return err;
	err = vfs_mount_root(sb, root, &mnt);
	inode_put(root);
	sb_put(sb);
	if (err)
		return err;
	rp.mnt = mnt;
	rp.dentry = mnt->root;
	*out = fs_view_new(&rp, &rp);
	mount_put(mnt);
	return *out ? 0 : -ENOMEM;
}

int mounts_build(const struct sentry_config *cfg, struct fs_view **out)
{
	struct gofer_trees gt = { .n = 0 };
	struct fs_view *v;
	int err;

	/* the types mount(2) can name; -EEXIST: registered by an earlier boot */
	err = tmpfs_register_fstype();
	if (err && err != -EEXIST)
		return err;
	err = mqueue_register_fstype();
	if (err && err != -EEXIST)
		return err;
	err = new_root_view(cfg, &v);
	if (err)
		return err;
	for (int i = 0; i < cfg->nmounts; i++) {
		err = mount_one(v, &gt, &cfg->mounts[i]);
		if (err) {
			log_warn("mount %s on %s: %s", cfg->mounts[i].type, cfg->mounts[i].dest,
				 strerror(-err));
			goto fail;
		}
	}
	for (char *const *p = cfg->masked_paths; p && *p && !err; p++)
		err = mask_path(v, *p);
	for (char *const *p = cfg->readonly_paths; p && *p && !err; p++)
		err = readonly_path(v, *p);
	if (!err && cfg->root_readonly)
		err = vfs_mount_remount(&v->root, vfs_mount_flags(&v->root, MS_RDONLY), true);
	if (err)
		goto fail;
	gofer_trees_put(&gt);
	*out = v;
	return 0;
fail:
	gofer_trees_put(&gt);
	fs_view_put(v);
	return err;
}
