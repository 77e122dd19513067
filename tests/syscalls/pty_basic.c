// SPDX-License-Identifier: MIT
/*
 * Pseudo-terminal pairs: /dev/ptmx opens a master, glibc's grantpt/unlockpt/ptsname work,
 * the replica is locked until TIOCSPTLCK 0, /dev/pts/N appears and goes with its master,
 * the kernel's 36-byte termios round-trips, window sizes, FIONREAD, poll on both ends
 * and hangups.
 */

#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "tests/syscalls/sysutil.h"

/* A new master (non-blocking) and its unlocked replica. */
static int open_pair(int *replica, int *index)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (m < 0 && (errno == ENOENT || errno == ENXIO))
		SKIP("no /dev/ptmx");
	ASSERT_OK(m);
	ASSERT_OK(grantpt(m));
	ASSERT_OK(unlockpt(m));
	if (index)
		ASSERT_OK(ioctl(m, TIOCGPTN, index));
	*replica = ASSERT_OK(open(ptsname(m), O_RDWR | O_NOCTTY));
	return m;
}

static short revents_of(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	ASSERT_OK(poll(&p, 1, 0));
	return p.revents;
}

/* poll for POLLIN, 5 s at most: the revents. */
static short wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	ASSERT_OK(poll(&p, 1, 5000));
	return p.revents;
}

TEST(ptmx_gives_a_locked_replica_until_unlockpt)
{
	int m, r, n, lock;
	char path[64];
	struct stat st;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		SKIP("no /dev/ptmx");
	ASSERT_OK(ioctl(m, TIOCGPTN, &n));
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	EXPECT_STREQ(ptsname(m), path);
	ASSERT_OK(ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(lock, 1);
	EXPECT_ERRNO(open(path, O_RDWR | O_NOCTTY), EIO);
	ASSERT_OK(grantpt(m));
	ASSERT_OK(unlockpt(m));
	ASSERT_OK(ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(lock, 0);
	r = ASSERT_OK(open(path, O_RDWR | O_NOCTTY));
	ASSERT_OK(fstat(r, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(major(st.st_rdev), 136u);
	EXPECT_EQ(minor(st.st_rdev), (unsigned)n);
	EXPECT_TRUE(isatty(r));
	EXPECT_TRUE(isatty(m));
	EXPECT_STREQ(ttyname(r), path);
	/* TIOCGPTN is the master's */
	EXPECT_ERRNO(ioctl(r, TIOCGPTN, &n), ENOTTY);
	EXPECT_ERRNO(lseek(r, 0, SEEK_SET), ESPIPE);
	close(r);
	close(m);
}

TEST(pts_entries_come_and_go_with_their_master)
{
	int m, r, n;
	char path[64], name[16];
	struct dirent *de;
	bool found = false;
	struct stat st;
	DIR *d;

	m = open_pair(&r, &n);
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	snprintf(name, sizeof(name), "%d", n);
	d = opendir("/dev/pts");
	ASSERT_TRUE(d != NULL);
	while ((de = readdir(d)))
		found |= !strcmp(de->d_name, name);
	closedir(d);
	EXPECT_TRUE(found);
	ASSERT_OK(stat("/dev/pts/ptmx", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_rdev, makedev(5, 2));
	close(r);
	close(m);
	EXPECT_ERRNO(stat(path, &st), ENOENT);
}

TEST(termios_round_trips_in_the_kernels_36_bytes)
{
	unsigned char raw[64];
	struct termios t, u;
	int m, r;

	m = open_pair(&r, NULL);
	ASSERT_OK(tcgetattr(r, &t));
	EXPECT_TRUE(t.c_lflag & ICANON);
	EXPECT_TRUE(t.c_lflag & ECHO);
	EXPECT_TRUE(t.c_lflag & ISIG);
	EXPECT_TRUE(t.c_iflag & ICRNL);
	EXPECT_EQ(t.c_oflag & (OPOST | ONLCR), (tcflag_t)(OPOST | ONLCR));
	EXPECT_EQ(t.c_cc[VINTR], 003);
	EXPECT_EQ(t.c_cc[VEOF], 004);
	EXPECT_EQ(t.c_cc[VERASE], 0177);
	EXPECT_EQ(t.c_cc[VKILL], 025);
	EXPECT_EQ(t.c_cc[VMIN], 1);
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 7;
	ASSERT_OK(tcsetattr(r, TCSANOW, &t));
	ASSERT_OK(tcgetattr(r, &u));
	EXPECT_EQ(u.c_lflag, t.c_lflag);
	EXPECT_EQ(u.c_iflag, t.c_iflag);
	EXPECT_EQ(u.c_cc[VMIN], 3);
	EXPECT_EQ(u.c_cc[VTIME], 7);
	ASSERT_OK(tcsetattr(r, TCSAFLUSH, &t));
	ASSERT_OK(tcsetattr(r, TCSADRAIN, &t));
	/* TCGETS writes exactly the kernel's struct termios */
	memset(raw, 0xAA, sizeof(raw));
	ASSERT_OK(ioctl(r, TCGETS, raw));
	for (int i = 36; i < 64; i++)
		EXPECT_EQ(raw[i], 0xAA);
	EXPECT_ERRNO(ioctl(r, TCGETS, (void *)8), EFAULT);
	close(r);
	close(m);
}

TEST(window_size_is_shared_by_both_ends)
{
	struct winsize w = { .ws_row = 30, .ws_col = 100, .ws_xpixel = 1, .ws_ypixel = 2 }, g;
	int m, r;

	m = open_pair(&r, NULL);
	ASSERT_OK(ioctl(r, TIOCGWINSZ, &g));
	EXPECT_EQ(g.ws_row, 0);
	EXPECT_EQ(g.ws_col, 0);
	ASSERT_OK(ioctl(m, TIOCSWINSZ, &w));
	ASSERT_OK(ioctl(r, TIOCGWINSZ, &g));
	EXPECT_EQ(g.ws_row, 30);
	EXPECT_EQ(g.ws_col, 100);
	EXPECT_EQ(g.ws_ypixel, 2);
	w.ws_row = 40;
	ASSERT_OK(ioctl(r, TIOCSWINSZ, &w));
	ASSERT_OK(ioctl(m, TIOCGWINSZ, &g));
	EXPECT_EQ(g.ws_row, 40);
	close(r);
	close(m);
}

TEST(fionread_and_poll_on_both_ends)
{
	char buf[16];
	int m, r, n;

	m = open_pair(&r, NULL);
	EXPECT_EQ(revents_of(r, POLLIN | POLLOUT), POLLOUT);
	EXPECT_EQ(revents_of(m, POLLIN | POLLOUT), POLLOUT);
	ASSERT_EQ(write(m, "ab", 2), 2);
	/* canonical: half a line is not readable yet, but it is echoed (Linux moves the
	 * bytes in a worker: wait for them, 5 s at most) */
	EXPECT_EQ(wait_in(m), POLLIN);
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 0);
	EXPECT_EQ(revents_of(r, POLLIN), 0);
	ASSERT_OK(ioctl(m, FIONREAD, &n));
	EXPECT_EQ(n, 2);
	ASSERT_EQ(read(m, buf, sizeof(buf)), 2);
	EXPECT_EQ(read(m, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, EAGAIN);
	ASSERT_EQ(write(m, "c\n", 2), 2);
	EXPECT_EQ(wait_in(r), POLLIN);
	ASSERT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(n, 4);
	ASSERT_EQ(read(r, buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "abc\n", 4);
	ASSERT_EQ(write(r, "out", 3), 3);
	ASSERT_OK(ioctl(r, TIOCOUTQ, &n));
	EXPECT_GE(n, 0);
	close(r);
	close(m);
}

TEST(closing_the_master_hangs_up_the_replica)
{
	char buf[8];
	int m, r;

	m = open_pair(&r, NULL);
	close(m);
	EXPECT_TRUE(revents_of(r, POLLIN) & POLLHUP);
	EXPECT_EQ(read(r, buf, sizeof(buf)), 0);
	EXPECT_ERRNO(write(r, "x", 1), EIO);
	close(r);
}

TEST(closing_the_replica_gives_the_master_eio)
{
	char buf[8];
	int m, r;

	m = open_pair(&r, NULL);
	ASSERT_EQ(write(r, "z", 1), 1);
	close(r);
	EXPECT_TRUE(wait_in(m) & POLLHUP);
	/* what was written before is still there, then EIO */
	EXPECT_EQ(read(m, buf, sizeof(buf)), 1);
	EXPECT_ERRNO(read(m, buf, sizeof(buf)), EIO);
	close(m);
}

TEST(a_blocking_replica_read_waits_for_a_line)
{
	char buf[16];
	pid_t pid;
	int m, r, st;

	m = open_pair(&r, NULL);
	fflush(NULL);
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		ssize_t n = read(r, buf, sizeof(buf));

		_exit(n == 6 && !memcmp(buf, "later\n", 6) ? 0 : 1);
	}
	ASSERT_EQ(write(m, "later\n", 6), 6);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED_OK(st);
	close(r);
	close(m);
}
