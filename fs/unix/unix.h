/*
 * AF_UNIX socket pairs (socketpair(2)): two connected, unnamed sockets of one type
 * (SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM) over sockfs anonymous inodes (S_IFSOCK, so
 * fstat and /proc/[pid]/fd's "socket:[ino]" are right). Each end has a receive queue of
 * messages; a stream reads across them, the other types read one message per call
 * (truncating, as Linux, with MSG_TRUNC).
 *
 * Flow control is Linux's: a sender may have at most its SO_SNDBUF bytes of payload
 * unread in the peer's queue (Linux counts skb truesize, so it holds somewhat less), and
 * it polls writable once that is at most a quarter full (unix_writable).
 *
 * File ops never block: -EAGAIN, and the sentry waits on the end's waitq and retries
 * (sentry/syscalls/sys_wait_file.h), which is also how poll, select and epoll see
 * readiness. Files passed with SCM_RIGHTS ride on the message they were sent with (for a
 * stream, its first chunk; a read stops after the message that carried files, as
 * Linux). Named sockets (socket/bind/connect/listen) are not here, and neither is Linux's
 * garbage collector of in-flight files: a socket sent into its own queue (a reference
 * cycle) lives until the sandbox ends.
 */
#ifndef FS_UNIX_UNIX_H
#define FS_UNIX_UNIX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct file;

#define UNIX_BUF_DEFAULT 212992 /* net.core.wmem_default / rmem_default */
#define UNIX_BUF_MAX 212992 /* net.core.wmem_max / rmem_max */
#define UNIX_MIN_SNDBUF 4608 /* SOCK_MIN_SNDBUF on x86-64 */
#define UNIX_MIN_RCVBUF 2304 /* SOCK_MIN_RCVBUF */

#define UNIX_MAX_FDS 253 /* SCM_MAX_FD: files per message */

/* Files in flight: f[0..n) (+1 each), the array malloc'd. */
struct unix_files {
	struct file **f;
	int n;
};

/* Puts every file and frees the array; leaves fs empty. */
void unix_files_put(struct unix_files *fs);

/* The credentials SO_PEERCRED reports: the creator's, taken at socketpair time. */
struct unix_cred {
	int pid;
	uint32_t uid, gid;
};

/*
 * A connected pair of type (SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM), each end an O_RDWR
 * file (plus O_NONBLOCK from flags) owned by uid/gid, whose peer credentials are cred.
 * 0 and *a, *b (+1 each), or -ENOMEM.
 */
int unix_pair_create(int type, unsigned flags, const struct unix_cred *cred, uint32_t uid,
		     uint32_t gid, struct file **a, struct file **b);

bool unix_is_socket(const struct file *f);
/* SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM. Preconditions: unix_is_socket(f). */
int unix_type(const struct file *f);

/*
 * Queues the bytes of iov[0..cnt) for the peer. A stream takes what fits (at least one
 * byte) or says -EAGAIN; a datagram or packet goes whole or not at all (-EAGAIN), and
 * -EMSGSIZE if it could never fit. -EPIPE once sending is shut down or the stream or
 * packet peer is gone (the caller raises SIGPIPE for streams); a datagram to a closed peer
 * is -ECONNREFUSED once, then -ENOTCONN. -ENOMEM. Never blocks. files (NULL = none):
 * passed with the data on success (then *files is left empty), untouched on failure.
 */
ssize_t unix_send(struct file *f, const struct iovec *iov, int cnt, struct unix_files *files);

/*
 * Copies n bytes at offset off of the caller's destination from src: 0, or -errno (a
 * fault) to stop the receive there.
 */
typedef int (*unix_copy_fn)(void *arg, size_t off, const void *src, size_t n);

#define UNIX_RECV_PEEK 1u /* MSG_PEEK: leave the data queued */
#define UNIX_RECV_TRUNC 2u /* MSG_TRUNC: return a message's real length */
#define UNIX_RECV_NONBLOCK 4u /* the caller will not wait on -EAGAIN */

/*
 * Hands at most len bytes of f's queue to copy and consumes them (unless PEEK): a stream
 * across messages, the other types one message, whose excess is dropped and flagged in
 * *truncated. The bytes copied (a message's length with TRUNC), 0 at end of file (the
 * peer shut down or closed, or this end SHUT_RD, and nothing is queued) or for len 0 on
 * a stream with data, -EAGAIN when nothing is queued yet, the pending error (-ECONNRESET:
 * the peer closed with data unread) once, or copy's error when nothing was copied (a
 * stream keeps what it could not copy; a message is consumed anyway, as Linux). Runs copy
 * under the pair's lock: it must not use this socket. Never blocks. *files (empty on
 * entry) gets the files passed with what was read (PEEK: new references to them); the
 * caller installs or puts them.
 */
ssize_t unix_recv(struct file *f, size_t len, unsigned flags, unix_copy_fn copy, void *arg,
		  bool *truncated, struct unix_files *files);

/* shutdown(2): how is SHUT_RD, SHUT_WR or SHUT_RDWR (else -EINVAL). 0. */
int unix_shutdown(struct file *f, int how);

/* Bytes FIONREAD reports: all queued bytes (stream, packet), the next datagram's length. */
int unix_inq(struct file *f);
/* SO_ERROR: the pending error (positive errno) or 0, cleared. */
int unix_take_error(struct file *f);
/* SO_SNDBUF (snd) / SO_RCVBUF. */
int unix_get_buf(struct file *f, bool snd);
/* setsockopt SO_SNDBUF/SO_RCVBUF: val is capped at the max, doubled, and floored, as
 * Linux's sk_setsockopt. */
void unix_set_buf(struct file *f, bool snd, int val);
/* SO_PEERCRED. */
void unix_peer_cred(struct file *f, struct unix_cred *out);
/* Whether the peer is still there to name (getpeername: a datagram peer is forgotten
 * once a send found it gone). */
bool unix_has_peer(struct file *f);

#endif
