/*
 * The magic links of /proc/[pid]: fd/N, exe, cwd and root. Reading one gives the
 * object's path as the reader sees it ("pipe:[ino]" and the like for files without
 * one); following one (open, chdir, stat) reaches the object itself through
 * get_link_path, whatever its name says. Also fdinfo/N.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs_internal.h"

/* The reader's root: paths are shown as the task reading them would name them. +1. */
static void reader_root(struct path *out)
{
	struct task *t = task_current();

	out->mnt = NULL;
	out->dentry = NULL;
	if (!t || !t->fs)
		return;
	pthread_mutex_lock(&t->fs->lock);
	*out = t->fs->root;
	path_get(out);
	pthread_mutex_unlock(&t->fs->lock);
}

static int path_name(const struct path *p, struct synth_buf *b)
{
	struct path root;
	char *buf = malloc(PATH_MAX);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	reader_root(&root);
	if (!root.mnt) {
		free(buf);
		return -ENOENT;
	}
	n = vfs_d_path(&root, p, buf, PATH_MAX);
	path_put(&root);
	if (n > 0)
		synth_write(b, buf, (size_t)n - 1);
	free(buf);
	return n < 0 ? (int)n : 0;
}

/* Device nodes the sandbox's stdio may be, by number, for host files without a path. */
static const char *chrdev_name(uint64_t rdev, char *buf, size_t len)
{
	unsigned ma = major(rdev), mi = minor(rdev);
	static const struct {
		unsigned major, minor;
		const char *name;
	} devs[] = {
		{ 1, 3, "/dev/null" },	  { 1, 5, "/dev/zero" },    { 1, 7, "/dev/full" },
		{ 1, 8, "/dev/random" },  { 1, 9, "/dev/urandom" }, { 5, 0, "/dev/tty" },
		{ 5, 1, "/dev/console" }, { 5, 2, "/dev/ptmx" },
	};

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (devs[i].major == ma && devs[i].minor == mi)
			return devs[i].name;
	if (ma >= 136 && ma <= 143) {
		snprintf(buf, len, "/dev/pts/%u", (ma - 136) * 256 + mi);
		return buf;
	}
	return NULL;
}

/* What readlink of a magic link to f shows. */
static int file_name(struct file *f, struct synth_buf *b)
{
	struct inode *inode = f->inode;
	const char *dev;
	char buf[32];

	/* pipe(2) files have a path on pipefs's internal mount, but are named as on Linux */
	if (f->path.mnt && f->path.dentry && strcmp(inode->sb->fstype, "pipefs") != 0)
		return path_name(&f->path, b);
	if (S_ISFIFO(inode->mode)) {
		synth_printf(b, "pipe:[%llu]", (unsigned long long)inode->ino);
	} else if (S_ISSOCK(inode->mode)) {
		synth_printf(b, "socket:[%llu]", (unsigned long long)inode->ino);
	} else if (S_ISCHR(inode->mode) && (dev = chrdev_name(inode->rdev, buf, sizeof(buf)))) {
		synth_puts(b, dev);
	} else {
		const char *kind = inode->sb->fstype ? inode->sb->fstype : "unknown";

		if (strcmp(kind, "pidfs") == 0)
			kind = "pidfd";
		/* inotify is the one kind Linux names without brackets */
		if (strcmp(kind, "inotify") == 0)
			synth_puts(b, "anon_inode:inotify");
		else
			synth_printf(b, "anon_inode:[%s]", kind);
	}
	return 0;
}

/* Following a link to f: its path (pipes have one on pipefs: opening it joins the pipe).
 * A file without one (a socket, an anonymous inode) cannot be reopened by name: -ENXIO,
 * Linux's answer for sockets. */
static int file_path(struct file *f, struct path *out)
{
	if (!f->path.mnt || !f->path.dentry)
		return -ENXIO;
	*out = f->path;
	path_get(out);
	return 0;
}

/* ---- fd/N ---- */

/* The file at the inode's fd in its task (+1), or -ENOENT. */
static int fd_file(struct inode *inode, struct file **out)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, PROCFS_WANT_FDT, &pt);
	int64_t fd = synth_i(inode)->id[2];

	if (err)
		return -ENOENT;
	err = procfs_may_access(&pt);
	*out = !err && pt.fdt && fd <= INT_MAX ? fdt_get(pt.fdt, (int)fd) : NULL;
	procfs_task_put(&pt);
	if (err)
		return err;
	return *out ? 0 : -ENOENT;
}

static int fd_readlink(struct inode *inode, struct synth_buf *b)
{
	struct file *f;
	int err = fd_file(inode, &f);

	if (err)
		return err;
	err = file_name(f, b);
	file_put(f);
	return err;
}

static int fd_get_link_path(struct inode *inode, struct path *out)
{
	struct file *f;
	int err = fd_file(inode, &f);

	if (err)
		return err;
	err = file_path(f, out);
	file_put(f);
	return err;
}

static const struct synth_ops fd_link_ops = {
	.readlink = fd_readlink,
	.get_link_path = fd_get_link_path,
};

static int fdinfo_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_task pt;
	int64_t fd = synth_i(inode)->id[2];
	struct file *f = NULL;
	int cloexec = 0;
	int64_t pos;
	int err;

	err = procfs_inode_task(inode, PROCFS_WANT_FDT, &pt);
	if (err)
		return err;
	err = procfs_may_access(&pt);
	if (err) {
		procfs_task_put(&pt);
		return err;
	}
	if (pt.fdt && fd <= INT_MAX) {
		f = fdt_get(pt.fdt, (int)fd);
		cloexec = fdt_get_cloexec(pt.fdt, (int)fd);
	}
	procfs_task_put(&pt);
	if (!f)
		return -ENOENT;
	pthread_mutex_lock(&f->pos_lock);
	pos = f->pos;
	pthread_mutex_unlock(&f->pos_lock);
	synth_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%llu\nino:\t%llu\n", (long long)pos,
		     f->flags | (cloexec > 0 ? O_CLOEXEC : 0),
		     (unsigned long long)(f->path.mnt ? f->path.mnt->id : 0),
		     (unsigned long long)f->inode->ino);
	file_put(f);
	return 0;
}

static const struct synth_ops fdinfo_ops = { .show = fdinfo_show };

/* The open fds of the directory's task, in order (malloc'd). */
static int list_fds(struct inode *dir, int **out, int *n)
{
	struct procfs_task pt;
	int *v = NULL, cnt = 0, err;

	err = procfs_inode_task(dir, PROCFS_WANT_FDT, &pt);
	if (err)
		return err;
	if (pt.fdt) {
		pthread_mutex_lock(&pt.fdt->lock);
		v = malloc(sizeof(*v) * (size_t)(pt.fdt->cap + 1));
		for (int fd = 0; v && fd < pt.fdt->cap; fd++)
			if (pt.fdt->fds[fd].file)
				v[cnt++] = fd;
		pthread_mutex_unlock(&pt.fdt->lock);
		if (!v)
			err = -ENOMEM;
	}
	procfs_task_put(&pt);
	*out = v;
	*n = cnt;
	return err;
}

static int fds_readdir(struct inode *dir, struct synth_dir_ctx *c, unsigned dtype)
{
	char name[16];
	int *fds, n, err;

	err = list_fds(dir, &fds, &n);
	if (err)
		return err == -ESRCH ? 0 : err;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", fds[i]);
		if (!synth_emit(c, 2 + fds[i], name, synth_ino(dir, name), dtype))
			break;
	}
	free(fds);
	return 0;
}

static int fds_lookup(struct inode *dir, const char *name, uint32_t mode,
		      const struct synth_ops *ops, struct inode **out)
{
	struct synth_inode *d = synth_i(dir);
	int64_t id[3] = { d->id[0], d->id[1], 0 };
	struct procfs_task pt;
	struct file *f = NULL;
	char *end;
	long fd = strtol(name, &end, 10);

	if (name[0] < '0' || name[0] > '9' || *end || fd < 0 || fd > INT_MAX ||
	    (name[0] == '0' && name[1]))
		return -ENOENT;
	if (procfs_inode_task(dir, PROCFS_WANT_FDT, &pt))
		return -ENOENT;
	if (pt.fdt)
		f = fdt_get(pt.fdt, (int)fd);
	if (!f) {
		procfs_task_put(&pt);
		return -ENOENT;
	}
	/* Linux's fd links carry the open mode in their permission bits. */
	if (S_ISLNK(mode)) {
		mode = S_IFLNK;
		if (file_readable(f) || (f->flags & O_PATH))
			mode |= 0500;
		if (file_writable(f))
			mode |= 0200;
	}
	file_put(f);
	id[2] = fd;
	*out = synth_inode_new(dir, name, mode, ops, id, NULL);
	if (*out)
		procfs_set_owner(*out, &pt);
	procfs_task_put(&pt);
	return *out ? 0 : -ENOMEM;
}

static int fd_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return fds_lookup(dir, name, S_IFLNK, &fd_link_ops, out);
}

static int fd_dir_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	return fds_readdir(dir, c, DT_LNK);
}

const struct synth_ops procfs_fd_dir_ops = {
	.lookup = fd_dir_lookup,
	.readdir = fd_dir_readdir,
};

static int fdinfo_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return fds_lookup(dir, name, S_IFREG | 0444, &fdinfo_ops, out);
}

static int fdinfo_dir_readdir(struct inode *dir, struct synth_dir_ctx *c)
{
	return fds_readdir(dir, c, DT_REG);
}

const struct synth_ops procfs_fdinfo_dir_ops = {
	.lookup = fdinfo_dir_lookup,
	.readdir = fdinfo_dir_readdir,
};

/* ---- exe ---- */

static int exe_file(struct inode *inode, struct file **out)
{
	struct procfs_task pt;
	struct mm_exe_info ei = { 0 };
	int err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);

	if (err)
		return -ENOENT;
	err = procfs_may_access(&pt);
	if (!err && pt.mm)
		mm_get_exe_info(pt.mm, &ei);
	procfs_task_put(&pt);
	if (err)
		return err;
	*out = ei.exe;
	return ei.exe ? 0 : -ENOENT;
}

static int exe_readlink(struct inode *inode, struct synth_buf *b)
{
	struct file *f;
	int err = exe_file(inode, &f);

	if (err)
		return err;
	err = file_name(f, b);
	file_put(f);
	return err;
}

static int exe_get_link_path(struct inode *inode, struct path *out)
{
	struct file *f;
	int err = exe_file(inode, &f);

	if (err)
		return err;
	err = file_path(f, out);
	file_put(f);
	return err;
}

const struct synth_ops procfs_exe_ops = {
	.readlink = exe_readlink,
	.get_link_path = exe_get_link_path,
};

/* ---- cwd, root ---- */

static int fs_path(struct inode *inode, bool root, struct path *out)
{
	struct procfs_task pt;
	int err = procfs_inode_task(inode, PROCFS_WANT_FS, &pt);

	if (err)
		return -ENOENT;
	err = procfs_may_access(&pt);
	if (err || !pt.fs) {
		procfs_task_put(&pt);
		return err ? err : -ENOENT;
	}
	pthread_mutex_lock(&pt.fs->lock);
	*out = root ? pt.fs->root : pt.fs->cwd;
	path_get(out);
	pthread_mutex_unlock(&pt.fs->lock);
	procfs_task_put(&pt);
	return 0;
}

static int fs_readlink(struct inode *inode, struct synth_buf *b, bool root)
{
	struct path p;
	int err = fs_path(inode, root, &p);

	if (err)
		return err;
	err = path_name(&p, b);
	path_put(&p);
	return err;
}

static int cwd_readlink(struct inode *inode, struct synth_buf *b)
{
	return fs_readlink(inode, b, false);
}

static int cwd_get_link_path(struct inode *inode, struct path *out)
{
	return fs_path(inode, false, out);
}

const struct synth_ops procfs_cwd_ops = {
	.readlink = cwd_readlink,
	.get_link_path = cwd_get_link_path,
};

static int root_readlink(struct inode *inode, struct synth_buf *b)
{
	return fs_readlink(inode, b, true);
}

static int root_get_link_path(struct inode *inode, struct path *out)
{
	return fs_path(inode, true, out);
}

const struct synth_ops procfs_root_link_ops = {
	.readlink = root_readlink,
	.get_link_path = root_get_link_path,
};
