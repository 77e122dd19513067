// SPDX-License-Identifier: MIT
/*
 * The test harness: case registry, the fork-per-case runner with its in-process fallback,
 * TAP output and the failure helpers behind harness.h's macros.
 */
#include "tests/harness/harness.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HARNESS_MAX_CASES 1024
#define HARNESS_DEFAULT_TIMEOUT 30

/* How a forked child tells the parent what it already printed. */
enum {
	CHILD_PASSED = 90,
	CHILD_FAILED = 91,
	CHILD_SKIPPED = 92,
};

enum outcome { PASSED, FAILED, SKIPPED };

static const struct harness_case *cases[HARNESS_MAX_CASES];
static int ncases;
static bool too_many_cases;

/* State of the running case. */
static const struct harness_case *cur;
static int cur_num;
static bool cur_failed;
static bool cur_forked;
static pid_t cur_owner; /* the process that runs the case, not one it forked */
static char cur_skip_reason[256];
static char cur_tmpdir[64];
static bool cur_tmpdir_made;
static unsigned int cur_timeout;
static jmp_buf cur_jmp;

void harness_register(const struct harness_case *c)
{
	if (ncases == HARNESS_MAX_CASES) {
		too_many_cases = true;
		return;
	}
	cases[ncases++] = c;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	write_all(STDOUT_FILENO, buf, (size_t)n);
}

const char *harness_errname(int err)
{
	static char buf[32];
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

void harness_diag(const char *fmt, ...)
{
	char buf[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fflush(stdout);
	out("# %s\n", buf);
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	char buf[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cur_failed = true;
	fflush(stdout);
	out("# %s:%d: %s\n", file, line, buf);
}

bool harness_memeq(const char *file, int line, const char *an, const char *bn, const void *a,
		   const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			harness_fail(file, line,
				     "expected %zu bytes of %s and %s equal: first difference at "
				     "offset %zu: %#04x vs %#04x",
				     n, an, bn, i, pa[i], pb[i]);
			return false;
		}
	}
	return true;
}

bool harness_forked(void)
{
	return cur_forked;
}

void harness_abort_case(void)
{
	if (getpid() != cur_owner)
		_exit(1); /* a process the case forked: its parent checks the status */
	longjmp(cur_jmp, 1);
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cur_skip_reason, sizeof(cur_skip_reason), fmt, ap);
	va_end(ap);
	if (getpid() != cur_owner)
		_exit(77);
	longjmp(cur_jmp, 2);
}

const char *harness_tmpdir(void)
{
	if (!cur_tmpdir_made) {
		if (mkdir(cur_tmpdir, 0700) < 0) {
			harness_fail(__FILE__, __LINE__, "harness_tmpdir: mkdir %s: %s", cur_tmpdir,
				     harness_errname(errno));
			harness_abort_case();
		}
		cur_tmpdir_made = true;
	}
	return cur_tmpdir;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int harness_rm_rf(const char *path)
{
	struct stat st;
	int ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return remove(path) < 0 ? -errno : 0;
	ret = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (ret < 0)
		return -errno;
	return ret;
}

static void remove_tmpdir(void)
{
	struct stat st;
	int ret;

	if (lstat(cur_tmpdir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return;
	ret = harness_rm_rf(cur_tmpdir);
	if (ret < 0)
		out("# could not remove %s: %s\n", cur_tmpdir, harness_errname(-ret));
}

static void print_result(enum outcome o)
{
	fflush(stdout);
	if (o == SKIPPED)
		out("ok %d - %s # SKIP %s\n", cur_num, cur->name, cur_skip_reason);
	else
		out("%s %d - %s\n", o == PASSED ? "ok" : "not ok", cur_num, cur->name);
}

/* Runs the current case in this process; returns what happened. */
static enum outcome run_case_body(void)
{
	int how;

	cur_failed = false;
	cur_skip_reason[0] = '\0';
	cur_tmpdir_made = false;
	cur_owner = getpid();
	how = setjmp(cur_jmp);
	if (how == 0) {
		if (cur_timeout)
			alarm(cur_timeout);
		cur->fn();
	}
	alarm(0);
	fflush(stdout);
	if (how == 2 && !cur_failed)
		return SKIPPED;
	return cur_failed ? FAILED : PASSED;
}

static void child_run(void)
{
	enum outcome o = run_case_body();

	print_result(o);
	remove_tmpdir();
	_exit(o == PASSED ? CHILD_PASSED : o == SKIPPED ? CHILD_SKIPPED : CHILD_FAILED);
}

static enum outcome parent_collect(pid_t pid)
{
	enum outcome o = FAILED;
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			out("not ok %d - %s # waitpid: %s\n", cur_num, cur->name,
			    harness_errname(errno));
			return FAILED;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_PASSED)
		o = PASSED;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_SKIPPED)
		o = SKIPPED;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_FAILED)
		o = FAILED;
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		out("not ok %d - %s # timed out after %u s\n", cur_num, cur->name, cur_timeout);
	else if (WIFSIGNALED(st))
		out("not ok %d - %s # killed by signal %d (%s)\n", cur_num, cur->name, WTERMSIG(st),
		    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
	else
		out("not ok %d - %s # exited with status %d without reporting a result\n", cur_num,
		    cur->name, WEXITSTATUS(st));
	remove_tmpdir();
	return o;
}

static void nofork_alarm(int sig)
{
	static const char msg[] = " # timed out (in-process mode: stopping)\n";
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "not ok %d - %s", cur_num, cur->name);

	if (n > 0 && (size_t)n < sizeof(buf))
		write_all(STDOUT_FILENO, buf, (size_t)n);
	write_all(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static enum outcome run_in_process(void)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum outcome o;

	o = run_case_body();
	print_result(o);
	remove_tmpdir();
	/* A case may have changed directory; the next one must not inherit that. */
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			out("# could not restore the working directory: %s\n",
			    harness_errname(errno));
		close(cwd);
	}
	return o;
}

static int case_cmp(const void *a, const void *b)
{
	const struct harness_case *x = *(const struct harness_case *const *)a;
	const struct harness_case *y = *(const struct harness_case *const *)b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static bool selected(const struct harness_case *c, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(c->name, argv[i]))
			return true;
	return false;
}

int harness_main(int argc, char **argv)
{
	const char *env = getenv("HARNESS_NOFORK");
	bool use_fork = !(env && *env && strcmp(env, "0") != 0);
	unsigned int def_timeout = HARNESS_DEFAULT_TIMEOUT;
	int passed = 0, failed = 0, skipped = 0, total = 0, i;
	pid_t self = getpid();

	env = getenv("HARNESS_TIMEOUT");
	if (env && *env)
		def_timeout = (unsigned int)strtoul(env, NULL, 10);

	/* Constructor order is not specified; run cases in source order. */
	qsort(cases, (size_t)ncases, sizeof(cases[0]), case_cmp);
	for (i = 0; i < ncases; i++)
		total += selected(cases[i], argc, argv);

	out("1..%d\n", total);
	if (too_many_cases)
		out("# more than %d cases registered: the rest are not run\n", HARNESS_MAX_CASES);
	if (!use_fork)
		out("# HARNESS_NOFORK: running cases in-process\n");

	cur_num = 0;
	for (i = 0; i < ncases; i++) {
		enum outcome o = FAILED;

		if (!selected(cases[i], argc, argv))
			continue;
		cur = cases[i];
		cur_num++;
		cur_timeout = cur->timeout ? cur->timeout : def_timeout;
		snprintf(cur_tmpdir, sizeof(cur_tmpdir), "/tmp/warden-test.%d.%d", (int)self,
			 cur_num);
		remove_tmpdir(); /* left by an earlier run that had our pid and was killed */

		if (use_fork) {
			pid_t pid;

			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				cur_forked = true;
				child_run();
			}
			if (pid < 0 && errno == ENOSYS) {
				out("# fork: ENOSYS: running this and later cases in-process\n");
				use_fork = false;
			} else if (pid < 0) {
				out("not ok %d - %s # fork: %s\n", cur_num, cur->name,
				    harness_errname(errno));
				failed++;
				continue;
			} else {
				o = parent_collect(pid);
			}
		}
		if (!use_fork) {
			struct sigaction sa = { .sa_handler = nofork_alarm };

			/* Without a handler (no rt_sigaction yet) SIGALRM still ends the run. */
			sigaction(SIGALRM, &sa, NULL);
			o = run_in_process();
		}
		if (o == PASSED)
			passed++;
		else if (o == SKIPPED)
			skipped++;
		else
			failed++;
	}

	out("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed || too_many_cases)
		return 1;
	if (passed == 0)
		return 77;
	return 0;
}
