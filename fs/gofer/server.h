/*
 * The gofer's server side: answers gofer protocol requests (fs/gofer/proto.h) about the
 * tree under one root directory. Runs in the `warden gofer` process (or in a test's
 * thread). Every path is resolved one component at a time with openat(O_NOFOLLOW) from the
 * node's parent fd, so no name a client sends can reach outside the root.
 */
#ifndef FS_GOFER_SERVER_H
#define FS_GOFER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct gofer_server;

/* A server over directory root_fd (duplicated; the caller keeps its fd). */
int gofer_server_new(int root_fd, bool readonly, struct gofer_server **out);
/*
 * Serves channels fds[0..n) (consumed: closed at the end), one thread each, until every
 * channel's peer has closed. 0 or -errno if a thread could not start.
 */
int gofer_server_serve(struct gofer_server *s, const int *fds, int n);
struct gofer_rep;
/*
 * The transport-free core, for other request loops: answers the message of n bytes at in
 * (msg_flags as recvmsg returned them) into rep, which has room for GOFER_MSG_MAX bytes.
 * Returns the reply's length; *fd is an fd to donate with it (the caller closes it after
 * sending) or -1.
 */
size_t gofer_server_handle(struct gofer_server *s, const void *in, size_t n, int msg_flags,
			   struct gofer_rep *rep, int *fd);
/* Closes every fid still open. */
void gofer_server_free(struct gofer_server *s);

#endif
