/*
 * Open files over host fds the guest is handed as is (its stdin, stdout and stderr):
 * reads, writes, seeks, fstat and a few terminal ioctls go to the host fd.
 */
#ifndef FS_HOSTFD_HOSTFD_H
#define FS_HOSTFD_HOSTFD_H

struct file;

/* A file over a duplicate of host_fd (the caller keeps and closes its own). flags are
 * the guest-visible O_* status flags, e.g. fcntl(host_fd, F_GETFL). +1 file. */
int hostfd_file_new(int host_fd, unsigned flags, struct file **out);

/* The host fd to wait on for f's readiness if f is a hostfd file, else -1 (poll). */
int hostfd_wait_fd(struct file *f);

#endif
