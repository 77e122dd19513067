/*
 * The gofer's operations, one handler per protocol op. Requests arrive with their lengths
 * and names checked (fs/gofer/server.c); here every name must also be a single component,
 * and every host call is relative to a node's fd with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so a
 * symlink is only ever read, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/util.h"
#include "fs/gofer/server_internal.h"

/* open flags a client may ask for; the gofer adds O_NOFOLLOW|O_CLOEXEC|O_NOCTTY itself */
#define OPEN_FLAGS_OK (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_DSYNC | O_SYNC)

/* Host pseudo-filesystems a guest must not see: they describe the host and the gofer. */
static const long hidden_fs_magic[] = {
	0x9fa0, /* proc */
	0x62656572, /* sysfs */
	0x64626720, /* debugfs */
	0x74726163, /* tracefs */
	0x73636673, /* securityfs */
	0x27e0eb, /* cgroup */
	0x63677270, /* cgroup2 */
	0xcafe4a11, /* bpf */
	0x42494e4d, /* binfmt_misc */
	0x6165676c, /* pstore */
	0xde5e81e4, /* efivarfs */
	0x62656570, /* configfs */
	0x65735543, /* fusectl */
	0x1cd1, /* devpts */
};

static bool fd_hidden(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(hidden_fs_magic); i++) {
		if ((long)sfs.f_type == hidden_fs_magic[i])
			return true;
	}
	return false;
}

/*
 * The permission bits a guest may put on a host object: no set-user-ID or set-group-ID on
 * anything but a directory, so a sandbox's root can't leave a set-ID-root binary on the host.
 */
static uint32_t host_perm(uint32_t mode, bool dir)
{
	return mode & (dir ? 07777u : 01777u);
}

/* A single path component the host will not interpret: not "", ".", "..", no '/'. */
static bool component_ok(const char *name)
{
	return name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/') &&
	       strlen(name) <= GOFER_NAME_MAX;
}

static void stat_out(const struct stat *st, struct gofer_stat *o)
{
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->nlink = st->st_nlink;
	o->rdev = st->st_rdev;
	o->mode = st->st_mode;
	o->uid = st->st_uid;
	o->gid = st->st_gid;
	o->blksize = (uint32_t)st->st_blksize;
	o->size = st->st_size;
	o->blocks = st->st_blocks;
	o->atime = (struct gofer_time){ st->st_atim.tv_sec, st->st_atim.tv_nsec };
	o->mtime = (struct gofer_time){ st->st_mtim.tv_sec, st->st_mtim.tv_nsec };
	o->ctime = (struct gofer_time){ st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
}

static int node_stat(struct gnode *n, struct gofer_rep *rep)
{
	struct stat st;

	if (fstatat(n->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	stat_out(&st, &rep->st);
	return 0;
}

/* A new node over O_PATH fd (consumed) found as name in parent (NULL: the root), installed
 * in the fid table; its fid and stat go into rep. */
static int node_new(struct gofer_server *s, struct gnode *parent, const char *name, int fd,
		    struct gofer_rep *rep)
{
	struct gnode *n;
	struct stat st;
	int fid;

	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		fid = -errno;
		close(fd);
		return fid;
	}
	n = calloc(1, sizeof(*n));
	if (n)
		n->name = strdup(name);
	if (!n || !n->name) {
		if (n)
			free(n->name);
		free(n);
		close(fd);
		return -ENOMEM;
	}
	n->refs = 1;
	n->fd = fd;
	n->dir_fd = -1;
	pthread_mutex_init(&n->dir_lock, NULL);
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->mode = st.st_mode;
	if (parent) {
		gnode_get(parent);
		n->parent = parent;
	}
	/* only a directory on another filesystem than its parent can start a hidden one */
	if (S_ISDIR(st.st_mode))
		n->hidden = (parent && parent->hidden) ||
			    ((!parent || parent->dev != st.st_dev) && fd_hidden(fd));
	fid = gofer_fid_install(s, n);
	if (fid < 0)
		return fid;
	rep->fid = (uint32_t)fid;
	stat_out(&st, &rep->st);
	return 0;
}

/*
 * Opens node n for I/O with flags: a directory through its own fd, anything else through
 * its parent's fd and name, checked to still be the same host object. -errno or the fd.
 */
static int node_open(struct gofer_server *s, struct gnode *n, int flags)
{
	char name[GOFER_NAME_MAX + 1];
	struct gnode *parent;
	struct stat st;
	int fd;

	if (S_ISDIR(n->mode)) {
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
			return -EISDIR;
		fd = openat(n->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	parent = gnode_where(s, n, name);
	if (!parent)
		return -EACCES;
	fd = openat(parent->fd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	gnode_put(parent);
	if (fd < 0)
		return -errno;
	/* the name may have been replaced on the host since the walk */
	if (fstat(fd, &st) < 0 || st.st_ino != n->ino || st.st_dev != n->dev) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* An fd on which f*xattr and fchmod work: regular files, directories and FIFOs only. */
static int node_open_meta(struct gofer_server *s, struct gnode *n, int acc)
{
	if (!S_ISREG(n->mode) && !S_ISDIR(n->mode) && !S_ISFIFO(n->mode))
		return -EOPNOTSUPP;
	return node_open(s, n, acc | O_NONBLOCK);
}

static int op_walk(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		   struct gofer_rep *rep)
{
	int fd;

	if (!component_ok(r->name))
		return -EINVAL;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->hidden)
		return -ENOENT;
	fd = openat(dir->fd, r->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return node_new(s, dir, r->name, fd, rep);
}

static int op_open(struct gofer_server *s, struct gnode *n, const struct greq *r,
		   struct gofer_rep *rep, int *out)
{
	int flags = (int)r->req->flags, fd, err;

	if ((flags & ~OPEN_FLAGS_OK) || (flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if (s->readonly && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	/* devices, FIFOs and sockets on the host are not the sandbox's */
	if (!S_ISREG(n->mode) && !S_ISDIR(n->mode))
		return -EACCES;
	fd = node_open(s, n, flags);
	if (fd < 0)
		return fd;
	err = node_stat(n, rep);
	if (err < 0) {
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

/* Gives a new node the client's owner: ids of UINT32_MAX stay the gofer's. */
static int chown_new(int fd, const struct gofer_req *req)
{
	if (req->uid == UINT32_MAX && req->gid == UINT32_MAX)
		return 0;
	if (fchownat(fd, "", req->uid, req->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/*
 * The common end of create, mkdir, mknod and symlink: the new name is walked (O_PATH), owned
 * and installed. On failure the new object is removed again, so the op is all or nothing.
 */
static int finish_new(struct gofer_server *s, struct gnode *dir, const char *name,
		      const struct gofer_req *req, struct gofer_rep *rep)
{
	int fd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), err;
	struct stat st;

	if (fd < 0) {
		err = -errno;
		goto out_remove;
	}
	err = chown_new(fd, req);
	if (err < 0) {
		close(fd);
		goto out_remove;
	}
	err = node_new(s, dir, name, fd, rep);
	if (err < 0)
		goto out_remove;
	return 0;
out_remove:
	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		unlinkat(dir->fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	return err;
}

static int check_parent(struct gofer_server *s, struct gnode *dir, const char *name)
{
	if (!component_ok(name))
		return -EINVAL;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (s->readonly)
		return -EROFS;
	if (dir->hidden)
		return -EACCES;
	return 0;
}

static int op_create(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		     struct gofer_rep *rep, int *out)
{
	int flags = (int)r->req->flags, fd, err;

	err = check_parent(s, dir, r->name);
	if (err < 0)
		return err;
	if ((flags & ~OPEN_FLAGS_OK) || (flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	fd = openat(dir->fd, r->name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    host_perm(r->req->mode, false));
	if (fd < 0)
		return -errno;
	err = finish_new(s, dir, r->name, r->req, rep);
	if (err < 0) {
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

static int op_mkdir(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		    struct gofer_rep *rep)
{
	int err = check_parent(s, dir, r->name);

	if (err < 0)
		return err;
	if (mkdirat(dir->fd, r->name, r->req->mode & 07777) < 0)
		return -errno;
	return finish_new(s, dir, r->name, r->req, rep);
}

static int op_mknod(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		    struct gofer_rep *rep)
{
	uint32_t mode = r->req->mode;
	int err = check_parent(s, dir, r->name);

	if (err < 0)
		return err;
	/* devices are the sentry's own (fs/dev); sockets live in the sentry too */
	if (!S_ISREG(mode) && !S_ISFIFO(mode))
		return -EPERM;
	if (mknodat(dir->fd, r->name, (mode & S_IFMT) | host_perm(mode, false), 0) < 0)
		return -errno;
	return finish_new(s, dir, r->name, r->req, rep);
}

static int op_symlink(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		      struct gofer_rep *rep)
{
	int err = check_parent(s, dir, r->name);

	if (err < 0)
		return err;
	if (!r->name2 || r->req->name2_len > GOFER_LINK_MAX)
		return -EINVAL;
	if (symlinkat(r->name2, dir->fd, r->name) < 0)
		return -errno;
	return finish_new(s, dir, r->name, r->req, rep);
}

static int op_link(struct gofer_server *s, struct gnode *dir, const struct greq *r,
		   struct gofer_rep *rep)
{
	char oname[GOFER_NAME_MAX + 1];
	struct gnode *target, *oparent;
	int err = check_parent(s, dir, r->name);

	if (err < 0)
		return err;
	target = gofer_fid_get(s, r->req->fid2);
	if (!target)
		return -EBADF;
	if (S_ISDIR(target->mode)) {
		err = -EPERM;
		goto out_put_target;
	}
	oparent = gnode_where(s, target, oname);
	if (!oparent) {
		err = -EPERM;
		goto out_put_target;
	}
	/* without AT_SYMLINK_FOLLOW linkat links the name itself, never a symlink's target */
	err = linkat(oparent->fd, oname, dir->fd, r->name, 0) < 0 ? -errno : 0;
	gnode_put(oparent);
	if (!err)
		err = node_stat(target, rep);
out_put_target:
	gnode_put(target);
	return err;
}

static int op_unlink(struct gofer_server *s, struct gnode *dir, const struct greq *r)
{
	int err = check_parent(s, dir, r->name);

	if (err < 0)
		return err;
	if (r->req->flags & ~(uint32_t)AT_REMOVEDIR)
		return -EINVAL;
	return unlinkat(dir->fd, r->name, (int)r->req->flags) < 0 ? -errno : 0;
}

static int op_rename(struct gofer_server *s, struct gnode *odir, const struct greq *r)
{
	unsigned flags = r->req->flags;
	struct gnode *ndir;
	int err = check_parent(s, odir, r->name);

	if (err < 0)
		return err;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	ndir = gofer_fid_get(s, r->req->fid2);
	if (!ndir)
		return -EBADF;
	err = check_parent(s, ndir, r->name2);
	/* the raw call: glibc's renameat2 without flags is renameat, which the filter lacks */
	if (!err && syscall(SYS_renameat2, odir->fd, r->name, ndir->fd, r->name2, flags) < 0)
		err = -errno;
	if (!err)
		gofer_renamed(s, odir, r->name, ndir, r->name2, flags & RENAME_EXCHANGE);
	gnode_put(ndir);
	return err;
}

static int op_readlink(struct gnode *n, void *payload, size_t cap, struct gofer_rep *rep)
{
	ssize_t len;

	if (!S_ISLNK(n->mode))
		return -EINVAL;
	len = readlinkat(n->fd, "", payload, MIN(cap, (size_t)GOFER_LINK_MAX));
	if (len < 0)
		return -errno;
	rep->data_len = (uint32_t)len;
	return 0;
}

/* Host linux_dirent64, as getdents64 returns it. */
struct host_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* Packs entries from host cookie r->req->arg on until the payload is full or the
 * directory ends; rep->cookie is where the next call resumes. 1 at the end, else 0. */
static int readdir_locked(struct gnode *n, const struct greq *r, void *payload, size_t cap,
			  struct gofer_rep *rep)
{
	char hbuf[16384];
	int64_t next = (int64_t)r->req->arg;
	size_t used = 0;
	int end = 0;

	if (lseek(n->dir_fd, next, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t got = getdents64(n->dir_fd, hbuf, sizeof(hbuf));

		if (got < 0)
			return -errno;
		if (got == 0) {
			end = 1;
			break;
		}
		for (ssize_t off = 0; off < got;) {
			struct host_dirent64 *d = (struct host_dirent64 *)(hbuf + off);
			size_t len = strlen(d->d_name);
			struct gofer_dirent *o = (struct gofer_dirent *)((char *)payload + used);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
				next = d->d_off;
				continue;
			}
			if (used + gofer_dirent_size((uint16_t)len) > cap)
				goto out_full;
			memset(o, 0, gofer_dirent_size((uint16_t)len));
			o->ino = d->d_ino;
			o->type = d->d_type;
			o->name_len = (uint16_t)len;
			memcpy(o + 1, d->d_name, len);
			used += gofer_dirent_size((uint16_t)len);
			rep->count++;
			next = d->d_off;
		}
	}
out_full:
	rep->cookie = (uint64_t)next;
	rep->data_len = (uint32_t)used;
	return end;
}

static int op_readdir(struct gnode *n, const struct greq *r, void *payload, size_t cap,
		      struct gofer_rep *rep)
{
	int err = 0;

	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (n->hidden)
		return 0;
	if (r->req->arg > INT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&n->dir_lock);
	if (n->dir_fd < 0) {
		n->dir_fd = openat(n->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (n->dir_fd < 0)
			err = -errno;
	}
	if (!err)
		err = readdir_locked(n, r, payload, cap, rep);
	if (err == 1) {
		/* the end: the client won't ask again, and a directory it caches must not
		 * hold an fd for nothing (the next listing opens it again) */
		close(n->dir_fd);
		n->dir_fd = -1;
		if (rep->count)
			rep->cookie = GOFER_COOKIE_END;
		err = 0;
	}
	pthread_mutex_unlock(&n->dir_lock);
	return err;
}

static int set_times(struct gofer_server *s, struct gnode *n, int fd, const struct gofer_req *req)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

	if (req->flags & GOFER_SET_ATIME)
		ts[0] = (struct timespec){ req->atime.sec, req->atime.nsec };
	if (req->flags & GOFER_SET_MTIME)
		ts[1] = (struct timespec){ req->mtime.sec, req->mtime.nsec };
	for (int i = 0; i < 2; i++) {
		if (ts[i].tv_nsec != UTIME_OMIT && ts[i].tv_nsec != UTIME_NOW &&
		    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000))
			return -EINVAL;
	}
	if (fd >= 0)
		return futimens(fd, ts) < 0 ? -errno : 0;
	/* a symlink: the O_PATH fd names the link itself with AT_EMPTY_PATH */
	return utimensat(n->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int op_setattr(struct gofer_server *s, struct gnode *n, const struct greq *r,
		      struct gofer_rep *rep)
{
	const struct gofer_req *req = r->req;
	unsigned f = req->flags;
	int fd = -1, err = 0;

	if (f & ~GOFER_SET_ALL)
		return -EINVAL;
	if (s->readonly)
		return -EROFS;
	if ((f & GOFER_SET_SIZE) && (!S_ISREG(n->mode) || req->arg > INT64_MAX))
		return S_ISDIR(n->mode) ? -EISDIR : -EINVAL;
	if (f & (GOFER_SET_MODE | GOFER_SET_SIZE | GOFER_SET_ATIME | GOFER_SET_MTIME)) {
		if (!S_ISLNK(n->mode)) {
			fd = node_open_meta(s, n, (f & GOFER_SET_SIZE) ? O_WRONLY : O_RDONLY);
			if (fd < 0)
				return fd;
		} else if (f & GOFER_SET_MODE) {
			return -EOPNOTSUPP; /* Linux has no lchmod either */
		}
	}
	if (f & (GOFER_SET_UID | GOFER_SET_GID)) {
		uid_t uid = (f & GOFER_SET_UID) ? req->uid : (uid_t)-1;
		gid_t gid = (f & GOFER_SET_GID) ? req->gid : (gid_t)-1;

		if (fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			err = -errno;
	}
	/* after chown, which clears set-ID bits the caller may want back */
	if (!err && (f & GOFER_SET_MODE) && fchmod(fd, host_perm(req->mode, S_ISDIR(n->mode))) < 0)
		err = -errno;
	if (!err && (f & GOFER_SET_SIZE) && ftruncate(fd, (off_t)req->arg) < 0)
		err = -errno;
	if (!err && (f & (GOFER_SET_ATIME | GOFER_SET_MTIME)))
		err = set_times(s, n, fd, req);
	if (fd >= 0)
		close(fd);
	if (!err)
		err = node_stat(n, rep);
	return err;
}

static int op_statfs(struct gnode *n, void *payload, size_t cap, struct gofer_rep *rep)
{
	struct gofer_statfs *o = payload;
	struct statfs sfs;

	if (cap < sizeof(*o))
		return -ENOSPC;
	if (fstatfs(n->fd, &sfs) < 0)
		return -errno;
	*o = (struct gofer_statfs){
		.type = (uint64_t)sfs.f_type,
		.bsize = (uint64_t)sfs.f_bsize,
		.blocks = sfs.f_blocks,
		.bfree = sfs.f_bfree,
		.bavail = sfs.f_bavail,
		.files = sfs.f_files,
		.ffree = sfs.f_ffree,
		.namelen = (uint64_t)sfs.f_namelen,
		.frsize = (uint64_t)sfs.f_frsize,
		.flags = (uint64_t)sfs.f_flags,
	};
	rep->data_len = sizeof(*o);
	return 0;
}

static int op_xattr(struct gofer_server *s, struct gnode *n, const struct greq *r, void *payload,
		    size_t cap, struct gofer_rep *rep)
{
	uint16_t op = r->req->hdr.op;
	size_t want = (size_t)MIN(r->req->arg, (uint64_t)MIN(cap, (size_t)GOFER_XATTR_MAX));
	ssize_t ret;
	int fd;

	if (op != GOFER_OP_LISTXATTR && !gofer_xattr_name_ok(r->name))
		return -EOPNOTSUPP;
	if (s->readonly && (op == GOFER_OP_SETXATTR || op == GOFER_OP_REMOVEXATTR))
		return -EROFS;
	if (op == GOFER_OP_SETXATTR &&
	    ((r->req->flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE)) ||
	     r->req->data_len > GOFER_XATTR_MAX))
		return -EINVAL;
	fd = node_open_meta(s, n, O_RDONLY);
	if (fd < 0)
		return fd;
	switch (op) {
	case GOFER_OP_GETXATTR:
		ret = fgetxattr(fd, r->name, want ? payload : NULL, want);
		break;
	case GOFER_OP_LISTXATTR:
		ret = flistxattr(fd, want ? payload : NULL, want);
		break;
	case GOFER_OP_SETXATTR:
		ret = fsetxattr(fd, r->name, r->data, r->req->data_len, (int)r->req->flags);
		break;
	default:
		ret = fremovexattr(fd, r->name);
		break;
	}
	if (ret < 0)
		ret = -errno;
	close(fd);
	if (ret < 0)
		return (int)ret;
	if (want && (op == GOFER_OP_GETXATTR || op == GOFER_OP_LISTXATTR))
		rep->data_len = (uint32_t)ret;
	return (int)ret;
}

static int op_clunk(struct gofer_server *s, const struct greq *r)
{
	uint32_t fids[GOFER_CLUNK_BATCH];
	uint32_t len = r->req->data_len;
	int err, err2;

	if (len % sizeof(fids[0]) || len > sizeof(fids))
		return -EINVAL;
	if (len)
		memcpy(fids, r->data, len);
	err = gofer_fid_clunk(s, r->req->fid);
	err2 = gofer_fid_clunk_many(s, fids, len / sizeof(fids[0]));
	return err < 0 ? err : err2;
}

static int op_attach(struct gofer_server *s, struct gofer_rep *rep)
{
	int fd = openat(s->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return node_new(s, NULL, "/", fd, rep);
}

int gofer_dispatch(struct gofer_server *s, const struct greq *r, struct gofer_rep *rep,
		   void *payload, size_t cap, int *fd)
{
	uint16_t op = r->req->hdr.op;
	struct gnode *n;
	int err;

	if (op == GOFER_OP_ATTACH)
		return op_attach(s, rep);
	if (op == GOFER_OP_CLUNK)
		return op_clunk(s, r);
	if (op == 0 || op >= GOFER_OP_MAX)
		return -EINVAL;
	n = gofer_fid_get(s, r->req->fid);
	if (!n)
		return -EBADF;
	switch (op) {
	case GOFER_OP_WALK:
		err = op_walk(s, n, r, rep);
		break;
	case GOFER_OP_STAT:
		err = node_stat(n, rep);
		break;
	case GOFER_OP_OPEN:
		err = op_open(s, n, r, rep, fd);
		break;
	case GOFER_OP_CREATE:
		err = op_create(s, n, r, rep, fd);
		break;
	case GOFER_OP_MKDIR:
		err = op_mkdir(s, n, r, rep);
		break;
	case GOFER_OP_MKNOD:
		err = op_mknod(s, n, r, rep);
		break;
	case GOFER_OP_SYMLINK:
		err = op_symlink(s, n, r, rep);
		break;
	case GOFER_OP_LINK:
		err = op_link(s, n, r, rep);
		break;
	case GOFER_OP_UNLINK:
		err = op_unlink(s, n, r);
		break;
	case GOFER_OP_RENAME:
		err = op_rename(s, n, r);
		break;
	case GOFER_OP_READLINK:
		err = op_readlink(n, payload, cap, rep);
		break;
	case GOFER_OP_READDIR:
		err = op_readdir(n, r, payload, cap, rep);
		break;
	case GOFER_OP_SETATTR:
		err = op_setattr(s, n, r, rep);
		break;
	case GOFER_OP_STATFS:
		err = op_statfs(n, payload, cap, rep);
		break;
	default:
		err = op_xattr(s, n, r, payload, cap, rep);
		break;
	}
	gnode_put(n);
	return err;
}
