/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP test harness for Warden's unit and syscall tests.
 *
 *	TEST(read_returns_zero_at_eof) { ... EXPECT_EQ(read(fd, b, 1), 0); ... }
 *
 * Each case runs in a forked child, so a crash or a hang fails only that case; a case that
 * runs longer than its timeout (30 s, HARNESS_TIMEOUT=secs to change) is killed by SIGALRM.
 * When fork() fails with ENOSYS (a sandbox kernel without fork yet), or HARNESS_NOFORK=1 is
 * set, cases run in-process one after another: an ASSERT or SKIP then ends the case with a
 * longjmp, and a crash ends the program.
 *
 * Output is TAP on stdout ("1..N", "ok 1 - name", "not ok 2 - name # reason",
 * "ok 3 - name # SKIP reason"), diagnostics as "# " lines. Exit status: 0 if no case failed,
 * 1 if one did, 77 if every case was skipped. Arguments select cases whose name contains one
 * of them. The harness itself uses only fork, waitpid, alarm, write, mkdir and (for
 * harness_tmpdir) the calls that remove a directory tree.
 *
 * EXPECT_* record a failure and go on; ASSERT_* record it and end the case.
 */
#ifndef WARDEN_TESTS_HARNESS_H
#define WARDEN_TESTS_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct harness_case {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	unsigned int timeout; /* seconds; 0 = the default */
};

void harness_register(const struct harness_case *c);
int harness_main(int argc, char **argv);

/* Failure reporting, used by the macros below. */
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void harness_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void harness_abort_case(void);
__attribute__((noreturn)) void harness_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
const char *harness_errname(int err);

/* True when the current case runs in its own forked child. */
bool harness_forked(void);

/*
 * A fresh empty directory under /tmp for the current case, removed with its contents when
 * the case ends (also after a crash in fork mode). The same path for every call in a case.
 */
const char *harness_tmpdir(void);

/* Removes a directory tree without following symlinks: 0 or -errno. */
int harness_rm_rf(const char *path);

#define TEST_TIMEOUT(name, secs)                                                               \
	static void test_##name(void);                                                         \
	__attribute__((constructor)) static void harness_register_##name(void)                 \
	{                                                                                      \
		static const struct harness_case c = { #name, test_##name, __FILE__, __LINE__, \
						       (secs) };                               \
		harness_register(&c);                                                          \
	}                                                                                      \
	static void test_##name(void)

#define TEST(name) TEST_TIMEOUT(name, 0)

#define SKIP(...) harness_skip(__VA_ARGS__)

#define HARNESS_CMP_(abort, a, op, b)                                                           \
	do {                                                                                    \
		intmax_t harness_a_ = (intmax_t)(a);                                            \
		intmax_t harness_b_ = (intmax_t)(b);                                            \
		if (!(harness_a_ op harness_b_)) {                                              \
			harness_fail(__FILE__, __LINE__,                                        \
				     "expected %s %s %s: %s = %jd (%#jx), %s = %jd (%#jx)", #a, \
				     #op, #b, #a, harness_a_, (uintmax_t)harness_a_, #b,        \
				     harness_b_, (uintmax_t)harness_b_);                        \
			if (abort)                                                              \
				harness_abort_case();                                           \
		}                                                                               \
	} while (0)

#define EXPECT_EQ(a, b) HARNESS_CMP_(0, a, ==, b)
#define EXPECT_NE(a, b) HARNESS_CMP_(0, a, !=, b)
#define EXPECT_LT(a, b) HARNESS_CMP_(0, a, <, b)
#define EXPECT_LE(a, b) HARNESS_CMP_(0, a, <=, b)
#define EXPECT_GT(a, b) HARNESS_CMP_(0, a, >, b)
#define EXPECT_GE(a, b) HARNESS_CMP_(0, a, >=, b)
#define ASSERT_EQ(a, b) HARNESS_CMP_(1, a, ==, b)
#define ASSERT_NE(a, b) HARNESS_CMP_(1, a, !=, b)
#define ASSERT_LT(a, b) HARNESS_CMP_(1, a, <, b)
#define ASSERT_LE(a, b) HARNESS_CMP_(1, a, <=, b)
#define ASSERT_GT(a, b) HARNESS_CMP_(1, a, >, b)
#define ASSERT_GE(a, b) HARNESS_CMP_(1, a, >=, b)

#define HARNESS_TRUE_(abort, cond)                                                    \
	do {                                                                          \
		if (!(cond)) {                                                        \
			harness_fail(__FILE__, __LINE__, "expected true: %s", #cond); \
			if (abort)                                                    \
				harness_abort_case();                                 \
		}                                                                     \
	} while (0)

#define EXPECT_TRUE(cond) HARNESS_TRUE_(0, cond)
#define EXPECT_FALSE(cond) HARNESS_TRUE_(0, !(cond))
#define ASSERT_TRUE(cond) HARNESS_TRUE_(1, cond)
#define ASSERT_FALSE(cond) HARNESS_TRUE_(1, !(cond))

/* A call that must fail with -1 and errno == err. */
#define HARNESS_ERRNO_(abort, call, err)                                                           \
	do {                                                                                       \
		long harness_r_;                                                                   \
		int harness_e_;                                                                    \
		errno = 0;                                                                         \
		harness_r_ = (long)(call);                                                         \
		harness_e_ = errno;                                                                \
		if (harness_r_ != -1 || harness_e_ != (err)) {                                     \
			harness_fail(__FILE__, __LINE__,                                           \
				     "expected %s to fail with %s: returned %ld, errno %s", #call, \
				     harness_errname(err), harness_r_,                             \
				     harness_r_ == -1 ? harness_errname(harness_e_) : "-");        \
			if (abort)                                                                 \
				harness_abort_case();                                              \
		}                                                                                  \
	} while (0)

#define EXPECT_ERRNO(call, err) HARNESS_ERRNO_(0, call, err)
#define ASSERT_ERRNO(call, err) HARNESS_ERRNO_(1, call, err)

/*
 * A call that must succeed (return >= 0); evaluates to its result. ASSERT_OK ends the case
 * on failure, EXPECT_OK goes on and yields the (negative) result.
 */
#define HARNESS_OK_(abort, call)                                                              \
	({                                                                                    \
		long harness_r_;                                                              \
		errno = 0;                                                                    \
		harness_r_ = (long)(call);                                                    \
		if (harness_r_ < 0) {                                                         \
			harness_fail(__FILE__, __LINE__, "%s failed: returned %ld, errno %s", \
				     #call, harness_r_, harness_errname(errno));              \
			if (abort)                                                            \
				harness_abort_case();                                         \
		}                                                                             \
		harness_r_;                                                                   \
	})

#define EXPECT_OK(call) HARNESS_OK_(0, call)
#define ASSERT_OK(call) HARNESS_OK_(1, call)

#define HARNESS_STREQ_(abort, a, b)                                                             \
	do {                                                                                    \
		const char *harness_a_ = (a);                                                   \
		const char *harness_b_ = (b);                                                   \
		if (!harness_a_ || !harness_b_ ? harness_a_ != harness_b_ :                     \
						 __builtin_strcmp(harness_a_, harness_b_)) {    \
			harness_fail(__FILE__, __LINE__, "expected %s == %s: \"%s\" vs \"%s\"", \
				     #a, #b, harness_a_ ? harness_a_ : "(null)",                \
				     harness_b_ ? harness_b_ : "(null)");                       \
			if (abort)                                                              \
				harness_abort_case();                                           \
		}                                                                               \
	} while (0)

#define EXPECT_STREQ(a, b) HARNESS_STREQ_(0, a, b)
#define ASSERT_STREQ(a, b) HARNESS_STREQ_(1, a, b)

bool harness_memeq(const char *file, int line, const char *an, const char *bn, const void *a,
		   const void *b, size_t n);

#define EXPECT_MEMEQ(a, b, n) ((void)harness_memeq(__FILE__, __LINE__, #a, #b, (a), (b), (n)))
#define ASSERT_MEMEQ(a, b, n)                                                  \
	do {                                                                   \
		if (!harness_memeq(__FILE__, __LINE__, #a, #b, (a), (b), (n))) \
			harness_abort_case();                                  \
	} while (0)

#endif /* WARDEN_TESTS_HARNESS_H */
