/*
 * The `warden do -t` terminal relay (see tty_relay.h).
 *
 * One sentry thread moves the bytes. It sleeps in a host poll(2) on host stdin and on a
 * wake pipe; the pipe is written by the master's waitq callback (output arrived, input
 * room freed up), by the SIGWINCH handler and by tty_relay_stop, so the thread needs no
 * host call beyond read, write, poll and ioctl. SIGWINCH is blocked in the threads
 * started after tty_relay_start and unblocked only in the relay thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "common/waitq.h"
#include "fs/devpts/pty.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/tty_relay.h"

#define RELAY_BUF 4096

struct tty_relay {
	struct pty *pty; /* +1; the relay holds the master open */
	struct termios saved; /* the host terminal as we found it */
	int wake[2]; /* the wake pipe (non-blocking) */
	int guard; /* write end of the guardian's pipe, or -1 */
	pid_t guard_pid;
	bool hung; /* the host terminal hung up: so did the pty */
	struct waiter w; /* on the master's waitq */
	pthread_t thread;
	volatile bool stop;
	bool stdin_eof;
	char in[RELAY_BUF]; /* host input the master has not taken yet */
	size_t in_len;
};

static int winch_fd = -1; /* the wake pipe, for the signal handlers */
static volatile sig_atomic_t winch_seen, hup_seen;

/* SIGWINCH (the host window changed) and SIGHUP (the host terminal went away). */
static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		hup_seen = 1;
	else
		winch_seen = 1;
	if (winch_fd >= 0 && write(winch_fd, "w", 1) < 0)
		(void)0; /* a full pipe already wakes the relay */
	errno = saved;
}

/* Runs under the master's waitq lock: only pokes the pipe. */
static void on_master(struct waiter *w, short events)
{
	struct tty_relay *r = w->priv;

	if (write(r->wake[1], "m", 1) < 0)
		(void)0;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the host terminal is gone: drop the output */
		buf += n;
		len -= (size_t)n;
	}
}

static void relay_output(struct tty_relay *r)
{
	char buf[RELAY_BUF];
	ssize_t n;

	while ((n = pty_master_read(r->pty, buf, sizeof(buf))) > 0)
		write_all(STDOUT_FILENO, buf, (size_t)n);
}

static void relay_winsize(struct tty_relay *r)
{
	struct winsize hw;
	struct pty_winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &hw) < 0)
		return;
	ws = (struct pty_winsize){ hw.ws_row, hw.ws_col, hw.ws_xpixel, hw.ws_ypixel };
	pty_set_winsize(r->pty, &ws);
}

/* The host terminal is gone: hang up the pty, as a terminal emulator closing its
 * master does (SIGHUP to the foreground group; the shell exits). */
static void relay_hangup(struct tty_relay *r)
{
	if (r->hung)
		return;
	r->hung = true;
	r->stdin_eof = true;
	pthread_mutex_lock(&r->pty->lock);
	r->pty->masters = 0;
	pthread_mutex_unlock(&r->pty->lock);
	pty_master_closed(r->pty);
}

static void relay_input(struct tty_relay *r)
{
	ssize_t n;

	if (!r->in_len)
		return;
	n = pty_master_write(r->pty, r->in, r->in_len);
	if (n <= 0)
		return; /* no room: the master's POLLOUT wakes us */
	memmove(r->in, r->in + n, r->in_len - (size_t)n);
	r->in_len -= (size_t)n;
}

static void *relay_main(void *arg)
{
	struct tty_relay *r = arg;
	sigset_t winch;
	char junk[64];

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigaddset(&winch, SIGHUP);
	pthread_sigmask(SIG_UNBLOCK, &winch, NULL);
	while (!r->stop) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = r->wake[0], .events = POLLIN },
		};
		bool want_stdin = !r->stdin_eof && !r->in_len;

		relay_output(r);
		relay_input(r);
		if (poll(want_stdin ? fds : fds + 1, want_stdin ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		while (read(r->wake[0], junk, sizeof(junk)) > 0)
			;
		if (winch_seen) {
			winch_seen = 0;
			relay_winsize(r);
		}
		if (hup_seen)
			relay_hangup(r);
		if (want_stdin && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));

			if (n > 0)
				r->in_len = (size_t)n;
			else if (n == 0 || errno != EINTR)
				relay_hangup(r); /* end of file on a terminal: a hangup */
		}
	}
	return NULL;
}

/*
 * The guardian's own seccomp filter (no libseccomp: it runs in a child forked from a
 * threaded process, where malloc may not be called): read its pipe, get and set the
 * terminal's attributes (TCGETS, TCSETS), exit. Anything else kills it.
 */
static void guardian_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigreturn, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 2, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* ioctl: only TCGETS and TCSETS (glibc's tcsetattr reads, then sets) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCSETS, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCGETS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(1);
}

/*
 * A process that puts the host terminal back if the sentry dies without doing it: it
 * waits for the pipe to close; a byte first means "restored already". It runs under a
 * filter of its own (guardian_filter).
 */
static int start_guardian(const struct termios *saved, pid_t *pidp)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		guardian_filter();
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(tcsetattr(STDIN_FILENO, TCSANOW, saved) < 0);
	}
	close(p[0]);
	*pidp = pid;
	return p[1];
}

/* Opens the replica as init sees it (/dev/pts/N through its root) and makes it init's
 * stdio. */
static int give_replica(struct task *init, struct pty *p)
{
	char path[32];
	struct file *f;
	int err;

	snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
	err = vfs_openat(init->fs, NULL, path, O_RDWR, 0, NULL, &f);
	if (err)
		return err;
	for (int fd = 0; fd < 3 && err >= 0; fd++)
		err = fdt_install_at(init->fdt, fd, f, false, 3);
	file_put(f);
	return err < 0 ? err : 0;
}

int tty_relay_start(struct task *init, struct tty_relay **out)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct termios raw;
	struct tty_relay *r;
	sigset_t winch;
	int err;

	if (!isatty(STDIN_FILENO))
		return -ENOTTY;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->guard = -1;
	if (tcgetattr(STDIN_FILENO, &r->saved) < 0 || pipe2(r->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		err = -errno;
		free(r);
		return err;
	}
	err = pty_alloc(init->cred->uid, init->cred->gid, &r->pty);
	if (err)
		goto out_pipe;
	r->pty->locked = false;
	err = give_replica(init, r->pty);
	if (err)
		goto out_pty;
	pty_set_ctty(r->pty, init->tg->sid, init->tg->pgid);
	relay_winsize(r);
	waiter_init(&r->w, POLLIN | POLLOUT | POLLHUP, on_master, r);
	waitq_add(&r->pty->mwq, &r->w);

	winch_fd = r->wake[1];
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigaddset(&winch, SIGHUP);
	/* the threads started from here on (task threads) leave these to the relay */
	pthread_sigmask(SIG_BLOCK, &winch, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	r->guard = start_guardian(&r->saved, &r->guard_pid);
	raw = r->saved;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	err = -pthread_create(&r->thread, NULL, relay_main, r);
	if (err) {
		tty_relay_stop(r);
		return err;
	}
	*out = r;
	return 0;

out_pty:
	pty_master_closed(r->pty);
	pty_put(r->pty);
out_pipe:
	close(r->wake[0]);
	close(r->wake[1]);
	free(r);
	return err;
}

void tty_relay_stop(struct tty_relay *r)
{
	if (r->thread) {
		r->stop = true;
		if (write(r->wake[1], "s", 1) < 0)
			(void)0;
		pthread_join(r->thread, NULL);
	}
	waitq_remove(&r->pty->mwq, &r->w);
	relay_output(r);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved);
	if (r->guard >= 0) {
		if (write(r->guard, "d", 1) < 0)
			(void)0;
		close(r->guard);
		waitpid(r->guard_pid, NULL, 0);
	}
	winch_fd = -1;
	signal(SIGWINCH, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	relay_hangup(r);
	pty_put(r->pty);
	close(r->wake[0]);
	close(r->wake[1]);
	free(r);
}
