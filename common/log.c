/* Logging: one line per call, written with a single write(2) so threads don't interleave. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

int log_fd = -1;

int log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	log_fd = fd;
	return 0;
}

static void log_vline(int fd, const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];
	struct timespec ts;
	int n, m;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(buf, sizeof(buf), "%ld.%06ld %s ", (long)ts.tv_sec, ts.tv_nsec / 1000, tag);
	if (n < 0)
		return;
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) < 0)
		return;
}

void log_debug_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(log_fd, "D", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (log_fd >= 0) {
		log_vline(log_fd, "W", fmt, ap);
		va_end(ap);
		return;
	}
	/* Without a debug log, a warning is for the person at the terminal. */
	n = snprintf(buf, sizeof(buf), "warden: warning: ");
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0)
		return;
}
