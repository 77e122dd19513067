/*
 * The gofer protocol: what the sentry and the `warden gofer` process say to each other over
 * AF_UNIX SOCK_SEQPACKET channels (one message per datagram, fds donated with SCM_RIGHTS).
 *
 * Every request is one struct gofer_req followed by name (name_len bytes, the last one
 * NUL), name2 (same) and data (data_len bytes), in that order, nothing after. Every reply is
 * one struct gofer_rep followed by data_len bytes of payload. hdr.len is the whole message.
 * A reply echoes the request's op and tag; hdr.result is >= 0 or -errno. Open and create
 * replies that succeed carry exactly one fd; no other message carries any.
 *
 * Neither side trusts the other: the gofer checks every length, name and fid of a request
 * (names are single components: no '/', not "." or "..", 1..GOFER_NAME_MAX bytes), the
 * client checks every length, count and name of a reply.
 *
 * Fids name nodes (files, directories, symlinks...) the gofer holds as O_PATH fds: attach
 * gives the root's, walk a child's, clunk forgets one or many. They are shared by all
 * channels.
 *
 * Each channel is served by one gofer thread pinned to one CPU, which every reply names
 * (rep.cpu): a client thread picks a channel on its own CPU when it can, because a
 * wake-up on the other CPU costs ten times the round trip.
 */
#ifndef FS_GOFER_PROTO_H
#define FS_GOFER_PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GOFER_MSG_MAX (65536 + 1024) /* largest message either way: an xattr value + header */
#define GOFER_NAME_MAX 255
#define GOFER_XATTR_MAX 65536
#define GOFER_LINK_MAX 4096 /* readlink and symlink targets, NUL included */
#define GOFER_NOFID UINT32_MAX
#define GOFER_NOCPU UINT32_MAX
/* A readdir reply's cookie when the directory ended within it: the client answers the
 * call that would only find the end itself (a round trip per directory saved). */
#define GOFER_COOKIE_END UINT64_MAX
#define GOFER_CLUNK_BATCH 256 /* fids a deferred-clunk message carries at most */

enum gofer_op {
	GOFER_OP_ATTACH = 1, /* -> fid, st of the root */
	GOFER_OP_WALK, /* fid, name -> fid, st */
	GOFER_OP_STAT, /* fid -> st */
	GOFER_OP_OPEN, /* fid, flags (O_ACCMODE|O_APPEND|O_TRUNC|O_NONBLOCK) -> st, fd */
	GOFER_OP_CREATE, /* fid, name, flags, mode, uid, gid -> fid, st, fd */
	GOFER_OP_MKDIR, /* fid, name, mode, uid, gid -> fid, st */
	GOFER_OP_MKNOD, /* fid, name, mode (S_IFREG or S_IFIFO), uid, gid -> fid, st */
	GOFER_OP_SYMLINK, /* fid, name, name2 = target, uid, gid -> fid, st */
	GOFER_OP_LINK, /* fid = dir, name, fid2 = existing node -> st of the node */
	GOFER_OP_UNLINK, /* fid, name, flags (AT_REMOVEDIR) */
	GOFER_OP_RENAME, /* fid, name, fid2, name2, flags (RENAME_NOREPLACE|RENAME_EXCHANGE) */
	GOFER_OP_READLINK, /* fid -> data = target (no NUL) */
	GOFER_OP_READDIR, /* fid, arg = cookie (0 = start) -> count entries, cookie = next
			   * (GOFER_COOKIE_END: these were the last), count 0 = end */
	GOFER_OP_SETATTR, /* fid, flags = GOFER_SET_*, mode, uid, gid, arg = size, times -> st */
	GOFER_OP_STATFS, /* fid -> data = struct gofer_statfs */
	GOFER_OP_GETXATTR, /* fid, name, arg = buffer size (0 = ask the size) -> data, result = size */
	GOFER_OP_SETXATTR, /* fid, name, data = value, flags (XATTR_CREATE|XATTR_REPLACE) */
	GOFER_OP_LISTXATTR, /* fid, arg = buffer size -> data = NUL-separated names */
	GOFER_OP_REMOVEXATTR, /* fid, name */
	GOFER_OP_CLUNK, /* fid, data = more fids (uint32_t each) to forget in the same call */
	GOFER_OP_MAX,
};

/* setattr's flags: which fields to set */
#define GOFER_SET_MODE (1u << 0)
#define GOFER_SET_UID (1u << 1)
#define GOFER_SET_GID (1u << 2)
#define GOFER_SET_SIZE (1u << 3)
#define GOFER_SET_ATIME (1u << 4)
#define GOFER_SET_MTIME (1u << 5)
#define GOFER_SET_ALL                                                                        \
	(GOFER_SET_MODE | GOFER_SET_UID | GOFER_SET_GID | GOFER_SET_SIZE | GOFER_SET_ATIME | \
	 GOFER_SET_MTIME)

struct gofer_hdr {
	uint32_t len; /* the whole message, header included */
	uint16_t op;
	uint16_t pad;
	uint32_t tag; /* chosen by the client, echoed by the gofer */
	int32_t result; /* replies: >= 0 or -errno; requests: 0 */
};

struct gofer_time {
	int64_t sec, nsec;
};

struct gofer_stat {
	uint64_t dev, ino, nlink, rdev;
	uint32_t mode, uid, gid, blksize;
	int64_t size, blocks;
	struct gofer_time atime, mtime, ctime;
};

struct gofer_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};

struct gofer_req {
	struct gofer_hdr hdr;
	uint32_t fid, fid2;
	uint32_t flags, mode;
	uint32_t uid, gid; /* owner of what a create-like op makes; UINT32_MAX = the gofer's */
	uint64_t arg;
	struct gofer_time atime, mtime;
	uint16_t name_len, name2_len; /* NULs included; 0 = absent */
	uint32_t data_len;
};

/*
 * readdir payload: count records, each a struct gofer_dirent, its name (name_len bytes, no
 * NUL) and padding to a multiple of 8.
 */
struct gofer_dirent {
	uint64_t ino;
	uint8_t type; /* DT_* */
	uint8_t pad;
	uint16_t name_len;
	uint32_t pad2;
};

struct gofer_rep {
	struct gofer_hdr hdr;
	uint32_t fid; /* walk, attach, create, mkdir, mknod, symlink */
	uint32_t count; /* readdir entries */
	uint64_t cookie; /* readdir: where the next call starts, 0 = no more */
	struct gofer_stat st;
	uint32_t data_len;
	uint32_t cpu; /* the CPU the channel's server thread is pinned to, GOFER_NOCPU if none */
};

/* The xattr names the gofer serves: user.* and trusted.* only (security.* and system.*
 * belong to the host). Both sides check, so a client refuses the others without asking. */
static inline bool gofer_xattr_name_ok(const char *name)
{
	return name && strlen(name) <= 255 &&
	       ((!strncmp(name, "user.", 5) && name[5]) ||
		(!strncmp(name, "trusted.", 8) && name[8]));
}

static inline uint32_t gofer_dirent_size(uint16_t name_len)
{
	return (uint32_t)((sizeof(struct gofer_dirent) + name_len + 7) & ~(size_t)7);
}

#endif
