/*
 * The console socket protocol runc's clients speak: for process.terminal, the runtime
 * makes a pty and sends its master to the caller's AF_UNIX socket as one message whose
 * data is "/dev/ptmx", with the fd as SCM_RIGHTS; the process gets the replica as its
 * stdio. The sentry serves the guest's terminal ioctls on that replica.
 */
#ifndef RUNTIME_OCI_CONSOLE_H
#define RUNTIME_OCI_CONSOLE_H

/* Opens a pty (window rows x cols unless 0), sends its master to the socket at path and
 * returns the replica in *replica (close-on-exec). 0 or -errno, nothing left open. */
int oci_console_open(const char *path, unsigned rows, unsigned cols, int *replica);

#endif
