/*
 * The sentry's side of the gofer protocol (fs/gofer/proto.h): one blocking call per op,
 * each returning >= 0 or -errno. Calls from several threads spread over the client's
 * channels, so task threads don't wait for each other behind one socket. Every reply is
 * checked before anything in it is used: a reply that breaks the protocol gives -EPROTO
 * (and any fd it carried is closed), a dead gofer gives -EIO.
 */
#ifndef FS_GOFER_CLIENT_H
#define FS_GOFER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/gofer/proto.h"

struct gofer_client;

/* A client over connected SOCK_SEQPACKET channels fds[0..nchan) (consumed, also on error). */
int gofer_client_new(const int *fds, int nchan, struct gofer_client **out);
/* Closes the channels: the gofer sees them close and exits. */
void gofer_client_free(struct gofer_client *c);

struct gofer_setattr {
	unsigned valid; /* GOFER_SET_* */
	uint32_t mode, uid, gid;
	uint64_t size;
	struct gofer_time atime, mtime; /* tv_nsec may be UTIME_NOW / UTIME_OMIT */
};

/* Called for each readdir entry; return false to stop early. */
typedef bool (*gofer_dirent_fn)(void *arg, const char *name, size_t len, uint64_t ino,
				unsigned type);

int gofer_attach(struct gofer_client *c, uint32_t *fid, struct gofer_stat *st);
int gofer_walk(struct gofer_client *c, uint32_t dir, const char *name, uint32_t *fid,
	       struct gofer_stat *st);
int gofer_stat(struct gofer_client *c, uint32_t fid, struct gofer_stat *st);
/* A host fd for I/O on fid (flags: O_ACCMODE, O_APPEND, O_TRUNC, O_NONBLOCK...). st may be NULL. */
int gofer_open(struct gofer_client *c, uint32_t fid, int flags, int *fd, struct gofer_stat *st);
int gofer_create(struct gofer_client *c, uint32_t dir, const char *name, int flags, uint32_t mode,
		 uint32_t uid, uint32_t gid, uint32_t *fid, struct gofer_stat *st, int *fd);
int gofer_mkdir(struct gofer_client *c, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *fid, struct gofer_stat *st);
/* mode includes the type: S_IFREG or S_IFIFO. */
int gofer_mknod(struct gofer_client *c, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *fid, struct gofer_stat *st);
int gofer_symlink(struct gofer_client *c, uint32_t dir, const char *name, const char *target,
		  uint32_t uid, uint32_t gid, uint32_t *fid, struct gofer_stat *st);
/* A new name in dir for node fid; st (may be NULL) is the node's, with the new link count. */
int gofer_link(struct gofer_client *c, uint32_t dir, const char *name, uint32_t fid,
	       struct gofer_stat *st);
/* flags: 0 or AT_REMOVEDIR */
int gofer_unlink(struct gofer_client *c, uint32_t dir, const char *name, int flags);
int gofer_rename(struct gofer_client *c, uint32_t odir, const char *oname, uint32_t ndir,
		 const char *nname, unsigned flags);
/* The target (not NUL-terminated) into buf: its length, or -errno. */
ssize_t gofer_readlink(struct gofer_client *c, uint32_t fid, char *buf, size_t len);
/*
 * Entries from cookie on (0 = the start) through fn; *next is the cookie for the next
 * call. Returns the number of entries, 0 at the end of the directory, or -errno.
 */
int gofer_readdir(struct gofer_client *c, uint32_t fid, uint64_t cookie, gofer_dirent_fn fn,
		  void *arg, uint64_t *next);
int gofer_setattr(struct gofer_client *c, uint32_t fid, const struct gofer_setattr *sa,
		  struct gofer_stat *st);
int gofer_statfs(struct gofer_client *c, uint32_t fid, struct gofer_statfs *out);
/* len 0 asks for the size. The value's size, or -errno. */
ssize_t gofer_getxattr(struct gofer_client *c, uint32_t fid, const char *name, void *buf,
		       size_t len);
int gofer_setxattr(struct gofer_client *c, uint32_t fid, const char *name, const void *val,
		   size_t len, int flags);
ssize_t gofer_listxattr(struct gofer_client *c, uint32_t fid, char *buf, size_t len);
int gofer_removexattr(struct gofer_client *c, uint32_t fid, const char *name);
int gofer_clunk(struct gofer_client *c, uint32_t fid);
/*
 * Forgets fid later: deferred clunks go GOFER_CLUNK_BATCH to a message (the dcache evicts
 * thousands at a time, one round trip each would dominate). The fid must not be used
 * again. 0 or the error of the batch this call sent.
 */
int gofer_clunk_deferred(struct gofer_client *c, uint32_t fid);
/* Sends the deferred clunks now: how many, or -errno. */
int gofer_clunk_flush(struct gofer_client *c);

#endif
