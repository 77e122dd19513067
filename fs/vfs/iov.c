/* Copies between flat buffers and iovec arrays. */
#include <stdint.h>
#include <string.h>

#include "fs/vfs/iov.h"

size_t iov_length(const struct iovec *iov, int n)
{
	size_t total = 0;

	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len > SIZE_MAX - total)
			return SIZE_MAX;
		total += iov[i].iov_len;
	}
	return total;
}

void iov_iter_init(struct iov_iter *it, const struct iovec *iov, int n)
{
	it->iov = iov;
	it->n = n;
	it->off = 0;
}

/* One step: the next contiguous piece of at most len bytes, or NULL at the end. */
static char *iter_next(struct iov_iter *it, size_t len, size_t *chunk)
{
	while (it->n > 0 && it->off == it->iov->iov_len) {
		it->iov++;
		it->n--;
		it->off = 0;
	}
	if (it->n <= 0 || len == 0)
		return NULL;
	*chunk = it->iov->iov_len - it->off;
	if (*chunk > len)
		*chunk = len;
	return (char *)it->iov->iov_base + it->off;
}

size_t iov_iter_copy_to(struct iov_iter *it, const void *src, size_t len)
{
	size_t done = 0, chunk;
	char *p;

	while ((p = iter_next(it, len - done, &chunk))) {
		memcpy(p, (const char *)src + done, chunk);
		it->off += chunk;
		done += chunk;
	}
	return done;
}

size_t iov_iter_copy_from(struct iov_iter *it, void *dst, size_t len)
{
	size_t done = 0, chunk;
	char *p;

	while ((p = iter_next(it, len - done, &chunk))) {
		memcpy((char *)dst + done, p, chunk);
		it->off += chunk;
		done += chunk;
	}
	return done;
}

size_t iov_iter_zero(struct iov_iter *it, size_t len)
{
	size_t done = 0, chunk;
	char *p;

	while ((p = iter_next(it, len - done, &chunk))) {
		memset(p, 0, chunk);
		it->off += chunk;
		done += chunk;
	}
	return done;
}
