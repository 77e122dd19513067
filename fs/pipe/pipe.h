/*
 * Pipes: pipe(2)/pipe2(2) pairs over an anonymous pipefs inode, and the pipe behind an
 * open FIFO inode (pipe_fifo_open). The buffer is a ring of page-sized slots, like Linux's
 * pipe_buffer ring: a write first tops up the last slot (unless it is a packet), then fills
 * fresh slots, so capacity, PIPE_BUF atomicity, O_DIRECT packets, FIONREAD and
 * F_SETPIPE_SZ's EBUSY all behave as on Linux.
 *
 * File ops never block: read returns -EAGAIN on an empty pipe that still has writers,
 * write returns -EAGAIN when the data (all of it, for writes of at most PIPE_BUF bytes)
 * does not fit. The sentry waits on the pipe's waitq and retries (sentry/syscalls/
 * sys_wait_file.h), which is also how poll, and later epoll, learn of changes.
 *
 * Lock order: the FIFO table lock -> pipe->lock. Waiters are notified after pipe->lock is
 * dropped (common/waitq.h).
 */
#ifndef FS_PIPE_PIPE_H
#define FS_PIPE_PIPE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct file;

#define PIPE_ATOMIC_MAX 4096 /* PIPE_BUF */
#define PIPE_DEF_SLOTS 16 /* 64 KiB, Linux's default */
#define PIPE_MAX_SIZE_DEFAULT (1u << 20) /* /proc/sys/fs/pipe-max-size */

/*
 * A new pipe: *rd is its read end (O_RDONLY), *wr its write end (O_WRONLY), each +1.
 * flags: O_NONBLOCK and O_DIRECT (packet mode) go on both ends. uid/gid own the inode.
 * 0, -ENOMEM.
 */
int pipe_create(uint32_t uid, uint32_t gid, unsigned flags, struct file **rd, struct file **wr);

/*
 * The open hook of a FIFO inode (a filesystem's inode_ops.open calls it): makes f an end
 * of the FIFO's pipe, creating the pipe on the first open. Never blocks: an O_RDONLY or
 * O_WRONLY open without O_NONBLOCK must then wait, in the sentry, until
 * pipe_fifo_open_ready(f) (notified on the pipe's waitq). -ENXIO for O_WRONLY|O_NONBLOCK
 * without a reader, -EINVAL for O_ACCMODE 3, -ENOMEM.
 */
struct inode;
int pipe_fifo_open(struct inode *inode, struct file *f);
/* Whether a FIFO end's partner has opened since f was opened (or f needs none). */
bool pipe_fifo_open_ready(struct file *f);

/* Whether f is an end of a pipe (or FIFO). */
bool pipe_is_pipe(const struct file *f);

/* F_GETPIPE_SZ: the capacity in bytes. Preconditions: pipe_is_pipe(f). */
long pipe_get_size(struct file *f);
/*
 * F_SETPIPE_SZ: rounds size up to a power-of-two number of pages (at least one) and
 * resizes. privileged (CAP_SYS_RESOURCE) may exceed PIPE_MAX_SIZE_DEFAULT. The new size
 * in bytes, -EINVAL (over 2^31), -EPERM (over the limit), -EBUSY (less room than the data
 * held), -ENOMEM. Preconditions: pipe_is_pipe(f).
 */
long pipe_set_size(struct file *f, uint64_t size, bool privileged);

/*
 * The splice family (fs/pipe/splice.c): data moved into, out of and between pipes slot by
 * slot, never blocking (the sentry waits on the pipe's waitq after -EAGAIN and retries).
 *
 * An actor moves bytes between slot pages and the other end of a transfer: it gets host
 * iovecs over pages (free pages to fill, or held data to drain) and returns the bytes it
 * moved, fewer when it stopped early (end of file, a full sink, a fault), or -errno. It
 * runs under the pipe's lock, as Linux's splice actors run under pipe_lock, so it must
 * not use this pipe.
 */
typedef ssize_t (*pipe_actor_t)(void *arg, const struct iovec *iov, int iovcnt);

/*
 * Fills free slots of wr's pipe with at most len bytes from fill (each slot one page of
 * its own, never merged into by later writes). Bytes added; -EPIPE without readers,
 * -EAGAIN when the pipe is full, or fill's error when it added nothing. Preconditions:
 * pipe_is_pipe(wr).
 */
ssize_t pipe_splice_in(struct file *wr, size_t len, pipe_actor_t fill, void *arg);
/*
 * Hands at most len bytes of rd's pipe to drain and consumes what it took. Bytes
 * consumed; 0 when the pipe is empty without writers, -EAGAIN when empty, or drain's
 * error when it took nothing. Preconditions: pipe_is_pipe(rd).
 */
ssize_t pipe_splice_out(struct file *rd, size_t len, pipe_actor_t drain, void *arg);
/*
 * splice(2) between two pipes (whole slots move, a partial one is copied), or tee(2)
 * when tee is true (the data is copied and stays in rd's pipe). At most len bytes.
 * Bytes moved; -EINVAL when both are ends of one pipe; -EAGAIN when the input is empty
 * but has writers or the output is full; -EPIPE when the output has no readers; 0 when
 * the input is empty without writers; -ENOMEM. Preconditions: both are pipes.
 */
ssize_t pipe_splice_pipe(struct file *rd, struct file *wr, size_t len, bool tee);

#endif
