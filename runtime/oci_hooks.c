/*
 * Runs OCI hooks (see oci_hooks.h). One poll loop per hook feeds the state document into
 * the hook's stdin, collects its stdout and stderr and watches for its exit (a pidfd, or a
 * short poll interval on kernels without one) and for the timeout. The loop ends when the
 * hook exits, not when its pipes reach EOF: a hook that leaves a daemon holding its stdout
 * must not hang the runtime (a known runc trap).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/oci_hooks.h"

/* How much of a failed hook's stdout and stderr goes into the one-line message. */
#define HOOK_OUT_MAX 512
/* Without a pidfd, how often the loop checks whether the hook has exited. */
#define HOOK_POLL_MS 10

struct hook_out {
	int fd;
	char buf[HOOK_OUT_MAX + 1];
	size_t len;
};

/* The hook child's side: only async-signal-safe calls between fork and execve. */
static __attribute__((noreturn)) void hook_child(const struct oci_hook *h, int in, int out,
						 int errout, int errpipe)
{
	char *const *argv = h->args && h->args[0] ? h->args : NULL;
	char *fallback_argv[] = { h->path, NULL };
	char *empty_env[] = { NULL };
	/* the kernel's struct sigaction: glibc refuses its own two RT signals (32, 33),
	 * which a parent may still have left ignored */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };
	sigset_t none;
	int e;

	/* The runtime's dispositions and mask (SIGPIPE blocked by us, SIG_IGN from a
	 * parent) are not the hook's business: SIG_IGN would survive execve. */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errout, 2) < 0)
		goto fail;
	/* Everything above 2 goes; errpipe is close-on-exec and survives until execve. */
	if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) < 0) {
		long max = sysconf(_SC_OPEN_MAX);

		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			if (fd != errpipe)
				close(fd);
	}
	execve(h->path, argv ? argv : fallback_argv, h->env ? h->env : empty_env);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* A pipe whose two ends are close-on-exec and above 2, so dup2 onto 0-2 never clobbers
 * another of our pipes even when the runtime was started with 0-2 closed. */
static int hook_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		if (p[i] <= 2) {
			int fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);

			if (fd < 0) {
				int e = -errno;

				close(p[0]);
				close(p[1]);
				return e;
			}
			close(p[i]);
			p[i] = fd;
		}
	}
	return 0;
}

static void hook_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void hook_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Reads what is there; keeps the first HOOK_OUT_MAX bytes and drops the rest so a chatty
 * hook never blocks on a full pipe. */
static void hook_drain(struct hook_out *o)
{
	char tmp[4096];

	while (o->fd >= 0) {
		ssize_t n = read(o->fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				hook_close(&o->fd);
			return;
		}
		if (o->len < HOOK_OUT_MAX) {
			size_t k = (size_t)n < HOOK_OUT_MAX - o->len ? (size_t)n :
								       HOOK_OUT_MAX - o->len;

			memcpy(o->buf + o->len, tmp, k);
			o->len += k;
		}
	}
}

/* The output as one printable line: control characters become spaces, edges trimmed. */
static const char *hook_line(struct hook_out *o)
{
	char *s = o->buf, *e;

	o->buf[o->len] = '\0';
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	return s;
}

static int64_t hook_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The parent's loop: feeds state into in_w, collects output, ends when the child is reaped
 * (*status) or the deadline passes (-ETIMEDOUT, child killed and reaped).
 */
static int hook_wait(pid_t pid, int pidfd, int *in_w, const char *state, size_t state_len,
		     struct hook_out out[2], int timeout_s, int *status)
{
	int64_t deadline = timeout_s > 0 ? hook_now_ms() + (int64_t)timeout_s * 1000 : -1;
	size_t off = 0;

	for (;;) {
		struct pollfd pf[4];
		int npf = 0, wait_ms = -1, r;

		if (*in_w >= 0)
			pf[npf++] = (struct pollfd){ .fd = *in_w, .events = POLLOUT };
		for (int i = 0; i < 2; i++)
			if (out[i].fd >= 0)
				pf[npf++] = (struct pollfd){ .fd = out[i].fd, .events = POLLIN };
		if (pidfd >= 0)
			pf[npf++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		else
			wait_ms = HOOK_POLL_MS;
		if (deadline >= 0) {
			int64_t left = deadline - hook_now_ms();

			if (left < 0)
				left = 0;
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = (int)left;
		}
		r = poll(pf, (nfds_t)npf, wait_ms);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (*in_w >= 0 && off < state_len) {
			ssize_t w = write(*in_w, state + off, state_len - off);

			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				hook_close(in_w); /* EPIPE: the hook closed its stdin; fine */
		}
		if (*in_w >= 0 && off == state_len)
			hook_close(in_w); /* EOF tells the hook the document is complete */
		hook_drain(&out[0]);
		hook_drain(&out[1]);
		r = (int)waitpid(pid, status, WNOHANG);
		if (r == pid) {
			hook_drain(&out[0]);
			hook_drain(&out[1]);
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (deadline >= 0 && hook_now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
	}
}

static void hook_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal: %s", strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status %#x", status);
}

int oci_hook_run(const struct oci_hook *h, const char *stage, size_t index, const char *state_json,
		 char *err, size_t errlen)
{
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 }, ep[2] = { -1, -1 };
	struct hook_out out[2] = { { .fd = -1 }, { .fd = -1 } };
	sigset_t pipeset, oldmask, pending;
	bool pipe_was_pending = false;
	int ret, status = 0, pidfd = -1, exec_errno = 0;
	const char *state = state_json ? state_json : "";
	pid_t pid;

	if (!err)
		errlen = 0; /* snprintf(NULL, 0, ...) is a no-op */
	else if (errlen)
		err[0] = '\0';
	ret = hook_pipe(in);
	if (!ret)
		ret = hook_pipe(o);
	if (!ret)
		ret = hook_pipe(e);
	if (!ret)
		ret = hook_pipe(ep);
	if (ret)
		goto out_close;

	/* A write to a hook that closed its stdin raises SIGPIPE at this thread: keep it
	 * pending instead of letting it kill the runtime, and consume it below. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipeset, &oldmask);
	sigpending(&pending);
	pipe_was_pending = sigismember(&pending, SIGPIPE);

	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_mask;
	}
	if (pid == 0)
		hook_child(h, in[0], o[1], e[1], ep[1]);
	setpgid(pid, pid); /* also here: a timeout may come before the child got to it */
	/* The child's ends: closing ours is what lets us see EOF and EPIPE. */
	hook_close(&in[0]);
	hook_close(&o[1]);
	hook_close(&e[1]);
	hook_close(&ep[1]);
	out[0].fd = o[0];
	out[1].fd = e[0];
	o[0] = e[0] = -1;
	hook_nonblock(in[1]);
	hook_nonblock(out[0].fd);
	hook_nonblock(out[1].fd);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	ret = hook_wait(pid, pidfd, &in[1], state, strlen(state), out, h->timeout, &status);
	if (ret && ret != -ETIMEDOUT) {
		/* the loop broke on a host error: never leave the child behind */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (read(ep[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;

	if (ret == -ETIMEDOUT) {
		snprintf(err, errlen, "error running %s hook #%zu (%s): timed out after %d s",
			 stage, index, h->path, h->timeout);
	} else if (ret) {
		snprintf(err, errlen, "error running %s hook #%zu (%s): %s", stage, index, h->path,
			 strerror(-ret));
	} else if (exec_errno) {
		ret = -exec_errno;
		snprintf(err, errlen, "error running %s hook #%zu (%s): exec: %s", stage, index,
			 h->path, strerror(exec_errno));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char how[64];

		hook_describe_status(status, how, sizeof(how));
		ret = -EIO;
		snprintf(err, errlen, "error running %s hook #%zu (%s): %s, stdout: %s, stderr: %s",
			 stage, index, h->path, how, hook_line(&out[0]), hook_line(&out[1]));
	}
out_mask:
	if (!pipe_was_pending) {
		struct timespec zero = { 0, 0 };

		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipeset, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
out_close:
	if (ret && errlen && !err[0])
		snprintf(err, errlen, "error running %s hook #%zu (%s): %s", stage, index, h->path,
			 strerror(-ret));
	hook_close(&pidfd);
	hook_close(&out[0].fd);
	hook_close(&out[1].fd);
	for (int i = 0; i < 2; i++) {
		hook_close(&in[i]);
		hook_close(&o[i]);
		hook_close(&e[i]);
		hook_close(&ep[i]);
	}
	return ret;
}

int oci_hooks_run(const struct oci_spec *s, enum oci_hook_stage st, const char *state_json,
		  char *err, size_t errlen)
{
	int first = 0;

	if (err && errlen)
		err[0] = '\0';
	if (st >= OCI_HOOK_NSTAGES)
		return -EINVAL;
	for (size_t i = 0; i < s->n_hooks[st]; i++) {
		char msg[2048];
		int ret = oci_hook_run(&s->hooks[st][i], oci_hook_stage_name(st), i, state_json,
				       msg, sizeof(msg));

		if (!ret)
			continue;
		if (!first) {
			first = ret;
			if (err && errlen)
				snprintf(err, errlen, "%s", msg);
		}
		if (st != OCI_HOOK_POSTSTOP)
			break;
	}
	return first;
}
