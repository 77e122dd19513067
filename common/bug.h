/* Broken invariants: BUG() prints a libunwind stack dump and aborts the sentry.
 * Never for guest input: a guest mistake is an errno, not a crash. */
#ifndef COMMON_BUG_H
#define COMMON_BUG_H

__attribute__((noreturn, format(printf, 3, 4))) void bug_panic(const char *file, int line,
							       const char *fmt, ...);
/* Writes the calling thread's stack to fd (async-signal-safe enough for a crash path). */
void bug_dump_stack(int fd);
/* Installs SIGSEGV/SIGBUS/SIGABRT handlers that dump the stack before dying. */
void bug_install_crash_handlers(void);

#define BUG() bug_panic(__FILE__, __LINE__, "BUG")
#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (__builtin_expect(!!(cond), 0))                          \
			bug_panic(__FILE__, __LINE__, "BUG_ON(%s)", #cond); \
	} while (0)
#define PANIC(...) bug_panic(__FILE__, __LINE__, __VA_ARGS__)

#endif
