/* Crash reporting for the sentry: panics and fatal host signals print a stack via libunwind. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bug.h"

void bug_dump_stack(int fd)
{
	unw_cursor_t cur;
	unw_context_t ctx;
	char name[256], line[400];
	int depth = 0;

	if (unw_getcontext(&ctx) || unw_init_local(&cur, &ctx))
		return;
	while (unw_step(&cur) > 0 && depth++ < 64) {
		unw_word_t ip = 0, off = 0;
		int n;

		unw_get_reg(&cur, UNW_REG_IP, &ip);
		if (unw_get_proc_name(&cur, name, sizeof(name), &off))
			strcpy(name, "?");
		n = snprintf(line, sizeof(line), "  #%-2d 0x%016lx %s+0x%lx\n", depth,
			     (unsigned long)ip, name, (unsigned long)off);
		if (n > 0 && write(fd, line, (size_t)n) < 0)
			return;
	}
}

void bug_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "warden: sentry panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bug_dump_stack(2);
	abort();
}

static void crash_handler(int sig, siginfo_t *si, void *uc)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "warden: sentry crashed: signal %d at %p\n", sig,
			 si->si_addr);

	(void)uc;
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		_exit(128 + sig);
	bug_dump_stack(2);
	signal(sig, SIG_DFL);
	raise(sig);
}

void bug_install_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
