/* The runtime's side of the sandbox's control channel (sentry/control.h has the protocol). */
#ifndef RUNTIME_OCI_CONTROL_H
#define RUNTIME_OCI_CONTROL_H

#include <stddef.h>

#define OCI_CONTROL_SOCK "control.sock"

/* Binds and listens on ROOT/ID/control.sock (any id length: through the directory's fd).
 * The listening fd, or -errno. */
int oci_control_listen(const char *root, const char *id);
/* Connects to it: the fd, or -errno (-ECONNREFUSED/-ENOENT: the sandbox is gone). */
int oci_control_connect(const char *root, const char *id);

/* Sends the n fields (and nfds fds, SCM_RIGHTS) as one request. 0 or -errno. */
int oci_control_send(int fd, const char *const *fields, int n, const int *fds, int nfds);
/*
 * Receives one reply into buf (NUL-separated fields) and points f[0..] at its fields:
 * the field count, or -errno (-EPIPE when the sandbox hung up). An "err ERRNO MSG" reply
 * is returned as -ERRNO with f[2] the message.
 */
int oci_control_recv(int fd, char *buf, size_t len, char **f, int max);
/* One request and its reply: the reply's field count or -errno as oci_control_recv. */
int oci_control_call(const char *root, const char *id, const char *const *fields, int n, char *buf,
		     size_t len, char **f, int max);

#endif
