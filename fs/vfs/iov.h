/*
 * Walking host iovecs (which, for guest I/O, point into the sentry's mapping of the
 * memory file) while copying to or from a flat buffer, for filesystems' read/write.
 */
#ifndef FS_VFS_IOV_H
#define FS_VFS_IOV_H

#include <stddef.h>
#include <sys/uio.h>

struct iov_iter {
	const struct iovec *iov;
	int n;
	size_t off; /* bytes already consumed of iov[0] */
};

/* The total length, saturated at SIZE_MAX. */
size_t iov_length(const struct iovec *iov, int n);
void iov_iter_init(struct iov_iter *it, const struct iovec *iov, int n);
/* Copies len bytes of src into the iovecs; returns what fit. */
size_t iov_iter_copy_to(struct iov_iter *it, const void *src, size_t len);
/* Copies up to len bytes out of the iovecs into dst; returns what was there. */
size_t iov_iter_copy_from(struct iov_iter *it, void *dst, size_t len);
/* Zero-fills len bytes of the iovecs; returns what fit. */
size_t iov_iter_zero(struct iov_iter *it, size_t len);

#endif
