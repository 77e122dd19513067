/* The sentry's debug log (--debug-log=FILE) and warnings. Off unless enabled. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

extern int log_fd; /* -1 when the debug log is off */

int log_open(const char *path);
__attribute__((format(printf, 1, 2))) void log_debug_(const char *fmt, ...);
/* Warnings go to the debug log and, when it is off, to stderr. */
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);

#define log_debug(...)                                \
	do {                                          \
		if (__builtin_expect(log_fd >= 0, 0)) \
			log_debug_(__VA_ARGS__);      \
	} while (0)

#endif
