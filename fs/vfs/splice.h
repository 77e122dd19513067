/*
 * Data moved between open files without passing through a guest buffer: the generic
 * halves of sendfile(2), splice(2) and copy_file_range(2). None of these block: a file
 * that would block says -EAGAIN and the sentry waits on its waitq, then calls again.
 *
 * A position argument is as for vfs_readv/vfs_writev: NULL means the file position
 * (kept under pos_lock and moved by what was transferred), otherwise the offset to use,
 * advanced by what was transferred.
 */
#ifndef FS_VFS_SPLICE_H
#define FS_VFS_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct file;

/* Bounce buffer size for file-to-file copies: the sentry allocates one per call. */
#define VFS_COPY_CHUNK (256UL << 10)

/*
 * Reads at most len bytes of in (at *pos) into the free slots of the pipe whose write
 * end is pipe_wr. Bytes moved; 0 at end of file; -EPIPE (no readers), -EAGAIN (pipe full
 * or in would block), -EINVAL (in cannot be read this way: a directory, a pipe, no
 * read op), in's read errors.
 */
ssize_t vfs_splice_read(struct file *in, int64_t *pos, struct file *pipe_wr, size_t len);

/*
 * Writes at most len bytes from the pipe whose read end is pipe_rd to out (at *pos).
 * Bytes moved; 0 when the pipe is empty without writers; -EAGAIN (pipe empty or out
 * would block), out's write errors.
 */
ssize_t vfs_splice_write(struct file *pipe_rd, struct file *out, int64_t *pos, size_t len);

/*
 * One step of a file-to-file copy through buf (len bytes at most): reads in at *in_pos,
 * writes what it got to out at *out_pos. Bytes written, 0 at end of file, or -errno. On
 * a short write in's position only moves by what was written (a stream input cannot
 * give back the rest, as on Linux).
 */
ssize_t vfs_copy_chunk(struct file *in, int64_t *in_pos, struct file *out, int64_t *out_pos,
		       void *buf, size_t len);

/* Whether f has a position pread/pwrite can use (Linux's FMODE_PREAD/PWRITE): not a
 * pipe, socket or terminal. */
bool vfs_file_positional(struct file *f);

#endif
