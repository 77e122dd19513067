/*
 * Synthetic filesystems (procfs, sysfs): trees whose directories list children produced
 * by callbacks, whose files have content generated when they are opened, and whose
 * symlinks have targets computed when they are read.
 *
 * Every synth inode carries a struct synth_inode (inode->priv): the ops that give it its
 * behaviour and a small key (id[3]: a pid, a tid, an fd...) plus an opaque data pointer
 * that its callbacks interpret. Children made from a table inherit the key of their
 * directory, so /proc/[pid]/status knows its pid without any lookup of its own.
 *
 * Regular files work like Linux's seq_file single_open(): the whole content is built
 * into a buffer at open (show), so reads at any offset and any size see one consistent
 * snapshot. A write hands the written bytes to store at once. Inode numbers are a hash
 * of the parent's number and the name, so the same name gives the same number each time.
 */
#ifndef FS_SYNTH_SYNTH_H
#define FS_SYNTH_SYNTH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/vfs/vfs.h"

/* A growing text buffer; an allocation failure is remembered in err (-ENOMEM). */
struct synth_buf {
	char *data;
	size_t len, cap;
	int err;
};

void synth_buf_init(struct synth_buf *b);
void synth_buf_free(struct synth_buf *b);
__attribute__((format(printf, 2, 3))) void synth_printf(struct synth_buf *b, const char *fmt, ...);
void synth_vprintf(struct synth_buf *b, const char *fmt, va_list ap);
void synth_write(struct synth_buf *b, const void *data, size_t len);
void synth_puts(struct synth_buf *b, const char *s);
/* A bit mask as the kernel's "%*pbl" prints it: "0-3,6" (nothing for an empty mask). */
void synth_print_bitlist(struct synth_buf *b, uint64_t mask);

/* A directory listing in progress; see synth_emit. */
struct synth_dir_ctx {
	struct dir_context *ctx;
	bool stop;
};

/*
 * Emits one child. cookie orders the listing (>= 2, strictly increasing within one
 * readdir call) and is where a later getdents resumes. Returns false once the caller's
 * buffer is full: readdir should then return 0 at once.
 */
bool synth_emit(struct synth_dir_ctx *c, int64_t cookie, const char *name, uint64_t ino,
		unsigned dtype);

struct synth_ops {
	/* Directories: the child called name (+1 inode) or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Directories: synth_emit each child in cookie order. 0 or -errno. */
	int (*readdir)(struct inode *dir, struct synth_dir_ctx *c);
	/* Regular files: the content, built at open. 0 or -errno (the open fails). */
	int (*show)(struct inode *inode, struct synth_buf *b);
	/* Writable files: the bytes of one write(2). Bytes taken or -errno. */
	ssize_t (*store)(struct inode *inode, const char *buf, size_t len);
	/* Symlinks: the target. 0 or -errno. */
	int (*readlink)(struct inode *inode, struct synth_buf *b);
	/* Magic links (inode_ops.get_link_path): what following the link reaches. */
	int (*get_link_path)(struct inode *inode, struct path *out);
};

struct synth_inode {
	const struct synth_ops *ops;
	int64_t id[3];
	const void *data;
};

/* One child in a static table. */
struct synth_entry {
	const char *name;
	uint32_t mode; /* S_IFDIR | 0555, S_IFREG | 0444, S_IFLNK | 0777 ... */
	const struct synth_ops *ops;
	const void *data;
};

struct synth_table {
	const struct synth_entry *e;
	size_t n;
};

#define SYNTH_TABLE(arr)                                        \
	{                                                       \
		.e = (arr), .n = sizeof(arr) / sizeof((arr)[0]) \
	}

/* A directory whose children are the table in data (a const struct synth_table *). */
extern const struct synth_ops synth_table_dir_ops;
/* A read-only file whose content is the string in data. */
extern const struct synth_ops synth_string_ops;

/* Table helpers for directories that mix a table with dynamic children. Children get
 * dir's id[]. Cookies run from first_cookie in table order. */
int synth_table_lookup(struct inode *dir, const struct synth_table *t, const char *name,
		       struct inode **out);
int synth_table_readdir(struct inode *dir, const struct synth_table *t, int64_t first_cookie,
			struct synth_dir_ctx *c);

/* A superblock for a synthetic fs (statfs's f_type is magic) and its root directory, a
 * directory with root_ops and root_data. +1 each. */
int synth_sb_new(const char *fstype, long magic, const struct synth_ops *root_ops,
		 const void *root_data, struct super_block **sb, struct inode **root);

/*
 * A new inode (+1) named name in dir (for its number): mode with its type bits, the
 * ops, dir's key unless id (3 values) is given, and data. NULL on ENOMEM.
 */
struct inode *synth_inode_new(struct inode *dir, const char *name, uint32_t mode,
			      const struct synth_ops *ops, const int64_t *id, const void *data);

/* The inode number a child called name of dir gets. */
uint64_t synth_ino(const struct inode *dir, const char *name);

static inline struct synth_inode *synth_i(const struct inode *inode)
{
	return inode->priv;
}

#endif
