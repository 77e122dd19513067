// SPDX-License-Identifier: MIT
/*
 * The line discipline seen through a pty pair: canonical line editing (VERASE, VKILL,
 * VWERASE, VEOF, one line per read), ICRNL, echo with ECHOE/ECHOCTL, output processing
 * (ONLCR, OPOST off), raw mode (no echo, no translation, VMIN 0 reads), and a half-typed
 * line that becomes readable when ICANON goes.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "tests/syscalls/sysutil.h"

static int open_pair(int *replica)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (m < 0 && (errno == ENOENT || errno == ENXIO))
		SKIP("no /dev/ptmx");
	ASSERT_OK(m);
	ASSERT_OK(grantpt(m));
	ASSERT_OK(unlockpt(m));
	*replica = ASSERT_OK(open(ptsname(m), O_RDWR | O_NOCTTY | O_NONBLOCK));
	return m;
}

/*
 * What the master reads (the echo and the output), NUL-terminated, until it holds want
 * bytes: Linux moves bytes between the ends in a worker, so the reads wait (5 s at most).
 */
static char *drain(int m, char *buf, size_t size, size_t want)
{
	struct pollfd p = { .fd = m, .events = POLLIN };
	size_t n = 0;
	ssize_t got;

	while (n < want && n + 1 < size && poll(&p, 1, 5000) == 1) {
		got = read(m, buf + n, size - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = 0;
	return buf;
}

/* Checks that the master reads exactly s: a marker the replica writes after it ends it. */
static void expect_output(int m, int r, const char *s)
{
	char buf[128], want[128];

	snprintf(want, sizeof(want), "%s#", s);
	ASSERT_EQ(write(r, "#", 1), 1);
	EXPECT_STREQ(drain(m, buf, sizeof(buf), strlen(want)), want);
}

static void put(int m, const char *s)
{
	ASSERT_EQ(write(m, s, strlen(s)), (ssize_t)strlen(s));
}

/* A replica read once the replica is readable (5 s at most), NUL-terminated: its
 * length, or -errno. */
static ssize_t get(int r, char *buf, size_t size)
{
	struct pollfd p = { .fd = r, .events = POLLIN };
	ssize_t n;

	poll(&p, 1, 5000);
	n = read(r, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

/* A replica read now: -EAGAIN when nothing is readable. */
static ssize_t get_now(int r, char *buf, size_t size)
{
	ssize_t n = read(r, buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

TEST(canonical_erase_and_echo)
{
	char buf[64];
	int m, r;

	m = open_pair(&r);
	put(m, "abc\177d\r");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "abd\n");
	expect_output(m, r, "abc\b \bd\r\n");
	close(r);
	close(m);
}

TEST(canonical_kill_and_word_erase)
{
	char buf[64];
	int m, r;

	m = open_pair(&r);
	put(m, "xyz\025ok\n");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "ok\n");
	put(m, "one two\027three\n");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 10);
	EXPECT_STREQ(buf, "one three\n");
	close(r);
	close(m);
}

TEST(canonical_reads_one_line_at_a_time)
{
	char buf[64];
	int m, r;

	m = open_pair(&r);
	put(m, "l1\nline2\n");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "l1\n");
	/* a short read leaves the rest of the line for the next one */
	EXPECT_EQ(get(r, buf, 3), 2);
	EXPECT_STREQ(buf, "li");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "ne2\n");
	EXPECT_EQ(get_now(r, buf, sizeof(buf)), -EAGAIN);
	close(r);
	close(m);
}

TEST(veof_ends_a_line_and_alone_reads_as_end_of_file)
{
	char buf[64];
	int m, r;

	m = open_pair(&r);
	put(m, "hi\004");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "hi");
	put(m, "\004");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 0);
	EXPECT_EQ(get_now(r, buf, sizeof(buf)), -EAGAIN);
	close(r);
	close(m);
}

TEST(echoctl_shows_control_characters_with_a_caret)
{
	char buf[64];
	int m, r;

	m = open_pair(&r);
	put(m, "a\001\n");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "a\001\n");
	expect_output(m, r, "a^A\r\n");
	close(r);
	close(m);
}

TEST(no_echo_when_echo_is_off)
{
	struct termios t;
	char buf[64];
	int m, r;

	m = open_pair(&r);
	ASSERT_OK(tcgetattr(r, &t));
	t.c_lflag &= ~(tcflag_t)ECHO;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	put(m, "secret\n");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 7);
	expect_output(m, r, "");
	close(r);
	close(m);
}

TEST(output_processing_onlcr_and_opost)
{
	struct termios t;
	int m, r;

	m = open_pair(&r);
	ASSERT_EQ(write(r, "x\ny\n", 4), 4);
	expect_output(m, r, "x\r\ny\r\n");
	ASSERT_OK(tcgetattr(r, &t));
	t.c_oflag &= ~(tcflag_t)OPOST;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	ASSERT_EQ(write(r, "x\n", 2), 2);
	expect_output(m, r, "x\n");
	close(r);
	close(m);
}

TEST(raw_mode_passes_bytes_through)
{
	struct termios t;
	char buf[64];
	int m, r;

	m = open_pair(&r);
	ASSERT_OK(tcgetattr(r, &t));
	cfmakeraw(&t);
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	put(m, "a\rb\177\003");
	EXPECT_EQ(get(r, buf, sizeof(buf)), 5);
	EXPECT_MEMEQ(buf, "a\rb\177\003", 5);
	expect_output(m, r, "");
	ASSERT_EQ(write(r, "\n", 1), 1);
	expect_output(m, r, "\n");
	/* VMIN 0, VTIME 0: a read with nothing there returns 0 at once */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	ASSERT_OK(fcntl(r, F_SETFL, O_RDWR));
	EXPECT_EQ(get_now(r, buf, sizeof(buf)), 0);
	EXPECT_EQ(poll(&(struct pollfd){ .fd = r, .events = POLLIN }, 1, 0), 0);
	close(r);
	close(m);
}

TEST(vmin_holds_a_raw_read_until_enough_bytes)
{
	struct pollfd p;
	struct termios t;
	char buf[64];
	int m, r;

	m = open_pair(&r);
	ASSERT_OK(tcgetattr(r, &t));
	cfmakeraw(&t);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	put(m, "ab");
	p = (struct pollfd){ .fd = r, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 0), 0);
	put(m, "c");
	EXPECT_EQ(poll(&p, 1, 5000), 1);
	EXPECT_EQ(get(r, buf, sizeof(buf)), 3);
	close(r);
	close(m);
}

TEST(leaving_canonical_mode_makes_the_typed_line_readable)
{
	struct termios t;
	char buf[64];
	int m, r, n;

	m = open_pair(&r);
	put(m, "part");
	EXPECT_EQ(get_now(r, buf, sizeof(buf)), -EAGAIN);
	ASSERT_OK(tcgetattr(r, &t));
	t.c_lflag &= ~(tcflag_t)ICANON;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 4);
	EXPECT_EQ(get(r, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "part");
	close(r);
	close(m);
}

TEST(tcflush_drops_queued_input)
{
	char buf[64];
	int m, r, n;

	m = open_pair(&r);
	put(m, "gone\n");
	ASSERT_OK(tcflush(r, TCIFLUSH));
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 0);
	EXPECT_EQ(get_now(r, buf, sizeof(buf)), -EAGAIN);
	EXPECT_ERRNO(ioctl(r, TCFLSH, 7), EINVAL);
	close(r);
	close(m);
}
