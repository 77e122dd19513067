/*
 * What the data-moving syscalls share (sys_splice.c: splice, tee, vmsplice;
 * sys_sendfile.c: sendfile, copy_file_range, readahead, fadvise64): the SPLICE_F_*
 * flags, descriptor lookup and the wait after a transfer said -EAGAIN.
 */
#ifndef SENTRY_SYSCALLS_SYS_SPLICE_H
#define SENTRY_SYSCALLS_SYS_SPLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;

#include <fcntl.h> /* SPLICE_F_* (Linux's values) */

#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

/* rw_verify_area: len bytes at pos must stay within the loff_t range (-EINVAL). */
static inline bool splice_range_ok(int64_t pos, size_t len)
{
	return (int64_t)len >= 0 && pos >= 0 && (int64_t)((uint64_t)pos + len) >= 0;
}

/* The file at fd with a +1 reference, or NULL (-EBADF) for a bad fd or an O_PATH one
 * (Linux's fdget refuses those for I/O). */
struct file *splice_fdget(struct task *t, int fd);

/*
 * After a transfer from in to out said -EAGAIN: waits until the end that held it up is
 * ready, the input for data when it has none, else the output for room; returns at once
 * when both are ready by now. 0 to try again, -ERESTARTSYS when a signal interrupted the
 * wait, -EAGAIN when that end never becomes ready by itself (no waitq: its -EAGAIN
 * stands).
 */
int splice_wait(struct task *t, struct file *in, struct file *out);

/* One transfer through a pipe: which kind, its two files and positions (NULL = the
 * file position), and whether it may block. */
enum splice_kind {
	SPLICE_TO_PIPE, /* in: a file, out: a pipe */
	SPLICE_FROM_PIPE, /* in: a pipe, out: a file */
	SPLICE_PIPES, /* pipe to pipe */
	SPLICE_TEE, /* pipe to pipe, the input keeps its data */
};

struct splice_req {
	enum splice_kind kind;
	struct file *in, *out;
	int64_t *in_pos, *out_pos;
	size_t len;
	bool nonblock;
};

/*
 * Runs r, waiting (unless r->nonblock) while it cannot progress. Bytes moved, 0 at the
 * end of the input, -EAGAIN, -EPIPE (SIGPIPE sent, as write(2) does), -ERESTARTSYS or
 * the files' errors.
 */
long splice_run(struct task *t, const struct splice_req *r);

#endif
