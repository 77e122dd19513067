/*
 * poll and ppoll. Readiness comes from each file's poll op. When nothing is ready the
 * task adds a waiter to the waitq of every file that has one (pipes, and every pollable
 * file type after them) and blocks until one is notified, the deadline passes or the
 * task is interrupted. Host stdio has no waitq: its host fd is polled on the host, in
 * short slices so notifications and interruptions are still seen.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/sys_wait_file.h"
#include "sentry/syscalls/syscalls.h"

#define HOST_SLICE_MS 100 /* host-fd waits with nothing else to wake them */
#define HOST_SLICE_MIXED_MS 5 /* host-fd waits while sentry files may be notified */

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* One entry's state across passes: its file (held for the whole call) and waiter. */
struct poll_entry {
	struct file *f;
	struct file_waiter w;
};

/*
 * One pass over the set: fills revents and returns how many are ready. The first pass
 * looks the fds up and, if arm (the call may wait), adds waiters; later passes reuse them,
 * as Linux's do_poll keeps its wait-queue entries until the call ends.
 */
static int poll_once(struct task *t, struct linux_pollfd *p, struct poll_entry *e, unsigned n,
		     bool first, bool arm, struct pollfd *host, unsigned *nhost, unsigned *nwaitq)
{
	int ready = 0;

	*nhost = 0;
	for (unsigned i = 0; i < n; i++) {
		short want = p[i].events | POLLERR | POLLHUP;

		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		if (first) {
			e[i].f = fdt_get(t->fdt, p[i].fd);
			if (arm && e[i].f && file_waiter_add(&e[i].w, e[i].f, p[i].events))
				(*nwaitq)++;
		}
		if (!e[i].f) {
			p[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		p[i].revents = vfs_poll(e[i].f, want) & want;
		if (p[i].revents)
			ready++;
		else if (hostfd_wait_fd(e[i].f) >= 0)
			host[(*nhost)++] =
				(struct pollfd){ hostfd_wait_fd(e[i].f), p[i].events, 0 };
	}
	return ready;
}

static int64_t ns_until(const struct timespec *abs)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
}

/*
 * Waits for a notification, a host fd, the deadline (NULL = none) or an interruption.
 * 0 to rescan, -ETIMEDOUT, -EINTR.
 */
static int wait_some(struct task *t, struct pollfd *host, unsigned nhost, bool waitqs,
		     const struct timespec *abs)
{
	int64_t left;
	int ms;

	if (!nhost)
		return task_wait_block(t, abs);
	/* Short host waits in a loop keep an exiting sandbox from hanging on a terminal
	 * that never becomes readable, and let waitq notifications in between. */
	left = abs ? ns_until(abs) : INT64_MAX;
	if (left <= 0)
		return -ETIMEDOUT;
	ms = waitqs ? HOST_SLICE_MIXED_MS : HOST_SLICE_MS;
	if (left < (int64_t)ms * 1000000LL)
		ms = (int)(left / 1000000);
	if (poll(host, nhost, ms) < 0 && errno != EINTR)
		return -errno;
	return t->exiting || t->interrupted ? -EINTR : 0;
}

/* The poll loop over a sentry copy of the pollfd array (poll, ppoll, select). */
static long poll_fds(struct task *t, struct linux_pollfd *p, uint64_t n, const struct timespec *abs,
		     bool zero)
{
	struct poll_entry *e;
	struct pollfd *host;
	unsigned nhost, nwaitq = 0;
	bool first = true;
	long ret;
	int err;

	e = calloc(n ? n : 1, sizeof(*e));
	host = calloc(n ? n : 1, sizeof(*host));
	if (!e || !host) {
		ret = -ENOMEM;
		goto out;
	}
	/* Armed before the first scan: a change after a file's check wakes the wait. */
	task_wait_arm();
	for (;;) {
		ret = poll_once(t, p, e, (unsigned)n, first, !zero, host, &nhost, &nwaitq);
		first = false;
		if (ret || zero)
			break;
		err = wait_some(t, host, nhost, nwaitq > 0, abs);
		if (err == -ETIMEDOUT) {
			ret = 0;
			break;
		}
		if (err) {
			ret = -ERESTARTNOHAND;
			goto out;
		}
		task_wait_arm();
	}
out:
	if (e) {
		for (uint64_t i = 0; i < n; i++) {
			file_waiter_del(&e[i].w);
			file_put(e[i].f);
		}
	}
	free(e);
	free(host);
	return ret;
}

static long do_poll(struct task *t, uaddr_t ufds, uint64_t n, const struct timespec *abs, bool zero)
{
	struct linux_pollfd *p;
	long ret;
	int err;

	if (n > (uint64_t)sys_nofile(t))
		return -EINVAL;
	p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = task_copy_in(t, ufds, p, n * sizeof(*p));
	if (!ret)
		ret = poll_fds(t, p, n, abs, zero);
	/* Only revents go back, as Linux writes them. */
	for (uint64_t i = 0; ret >= 0 && i < n; i++) {
		err = task_copy_out(t, ufds + i * sizeof(*p) + 6, &p[i].revents, 2);
		if (err)
			ret = err;
	}
	free(p);
	return ret;
}

static void deadline_in(int64_t ns, struct timespec *abs)
{
	clock_gettime(CLOCK_MONOTONIC, abs);
	abs->tv_sec += ns / 1000000000LL;
	abs->tv_nsec += ns % 1000000000LL;
	if (abs->tv_nsec >= 1000000000L) {
		abs->tv_sec++;
		abs->tv_nsec -= 1000000000L;
	}
}

/* A guest timespec timeout as a deadline; *zero for an immediate poll. */
static int timeout_in(struct task *t, uaddr_t addr, struct timespec *abs, bool *zero)
{
	struct linux_timespec ts;
	int err = task_copy_in(t, addr, &ts, sizeof(ts));

	if (err)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*zero = !ts.tv_sec && !ts.tv_nsec;
	deadline_in(ts.tv_sec > INT64_MAX / 2000000000LL ? INT64_MAX / 2 :
							   ts.tv_sec * 1000000000LL + ts.tv_nsec,
		    abs);
	return 0;
}

/* ppoll/pselect6/select write the time left back (except after a restartable
 * interruption, which restarts with the original value). tv: a timeval, else a timespec. */
static void put_remaining(struct task *t, uaddr_t addr, const struct timespec *abs, long ret,
			  bool tv)
{
	int64_t left = ns_until(abs);

	if (ret == -ERESTARTNOHAND || ret == -EFAULT)
		return;
	if (left < 0)
		left = 0;
	if (tv) {
		struct linux_timeval v = { left / 1000000000LL, (left % 1000000000LL) / 1000 };

		task_copy_out(t, addr, &v, sizeof(v));
	} else {
		struct linux_timespec v = { left / 1000000000LL, left % 1000000000LL };

		task_copy_out(t, addr, &v, sizeof(v));
	}
}

/* select's sets in terms of poll events (fs/select.c's POLLIN_SET & co). */
#define SEL_IN (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

static long do_select(struct task *t, int nfds, uaddr_t uin, uaddr_t uout, uaddr_t uex,
		      const struct timespec *abs, bool zero)
{
	uaddr_t uset[3] = { uin, uout, uex };
	uint64_t *set[3] = { NULL, NULL, NULL }, *res[3] = { NULL, NULL, NULL };
	struct linux_pollfd *p = NULL;
	size_t words, bytes;
	uint64_t n = 0;
	long ret = 0;
	int max = sys_nofile(t);

	if (nfds < 0)
		return -EINVAL;
	if (nfds > max)
		nfds = max;
	words = ((size_t)nfds + 63) / 64;
	bytes = ((size_t)nfds + 7) / 8;
	for (int k = 0; k < 3; k++) {
		set[k] = calloc(words ? words : 1, 8);
		res[k] = calloc(words ? words : 1, 8);
		if (!set[k] || !res[k]) {
			ret = -ENOMEM;
			goto out;
		}
		if (uset[k] && bytes) {
			ret = task_copy_in(t, uset[k], set[k], bytes);
			if (ret)
				goto out;
		}
	}
	p = calloc(nfds ? (size_t)nfds : 1, sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		short ev = 0;
		struct file *f;

		if (set[0][fd / 64] & bit)
			ev |= SEL_IN;
		if (set[1][fd / 64] & bit)
			ev |= SEL_OUT;
		if (set[2][fd / 64] & bit)
			ev |= SEL_EX;
		if (!ev)
			continue;
		f = fdt_get(t->fdt, fd);
		if (!f) {
			ret = -EBADF; /* select, unlike poll, refuses a closed fd */
			goto out;
		}
		file_put(f);
		p[n].fd = fd;
		p[n].events = ev;
		n++;
	}
	ret = poll_fds(t, p, n, abs, zero);
	if (ret < 0)
		goto out;
	ret = 0;
	for (uint64_t i = 0; i < n; i++) {
		int fd = p[i].fd;
		uint64_t bit = 1ULL << (fd % 64);
		short got = p[i].revents;

		if ((p[i].events & SEL_IN) && (got & SEL_IN)) {
			res[0][fd / 64] |= bit;
			ret++;
		}
		if ((p[i].events & SEL_OUT) && (got & SEL_OUT)) {
			res[1][fd / 64] |= bit;
			ret++;
		}
		if ((p[i].events & SEL_EX) && (got & SEL_EX)) {
			res[2][fd / 64] |= bit;
			ret++;
		}
	}
	for (int k = 0; k < 3; k++) {
		if (uset[k] && bytes) {
			int err = task_copy_out(t, uset[k], res[k], bytes);

			if (err) {
				ret = err;
				break;
			}
		}
	}
out:
	for (int k = 0; k < 3; k++) {
		free(set[k]);
		free(res[k]);
	}
	free(p);
	return ret;
}

long sys_select(struct task *t, const struct sysargs *a)
{
	struct linux_timeval tv;
	struct timespec abs;
	bool has_timeout = sysarg_addr(a, 4) != 0, zero = false;
	long ret;
	int err;

	if (has_timeout) {
		err = task_copy_in(t, sysarg_addr(a, 4), &tv, sizeof(tv));
		if (err)
			return err;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalizes oversized microseconds instead of refusing them. */
		zero = !tv.tv_sec && !tv.tv_usec;
		deadline_in(tv.tv_sec > INT64_MAX / 2000000000LL ?
				    INT64_MAX / 2 :
				    tv.tv_sec * 1000000000LL + MIN(tv.tv_usec, 999999999LL) * 1000,
			    &abs);
	}
	ret = do_select(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_addr(a, 2),
			sysarg_addr(a, 3), has_timeout ? &abs : NULL, zero);
	if (has_timeout)
		put_remaining(t, sysarg_addr(a, 4), &abs, ret, true);
	return ret;
}

long sys_pselect6(struct task *t, const struct sysargs *a)
{
	struct timespec abs;
	struct {
		uint64_t ss;
		uint64_t ss_len;
	} sm = { 0, 0 };
	linux_sigset_t mask;
	bool has_timeout = sysarg_addr(a, 4) != 0, zero = false;
	long ret;
	int err;

	if (has_timeout) {
		err = timeout_in(t, sysarg_addr(a, 4), &abs, &zero);
		if (err)
			return err;
	}
	if (sysarg_addr(a, 5)) {
		err = task_copy_in(t, sysarg_addr(a, 5), &sm, sizeof(sm));
		if (err)
			return err;
	}
	if (sm.ss) {
		if (sm.ss_len != sizeof(linux_sigset_t))
			return -EINVAL;
		err = task_copy_in(t, sm.ss, &mask, sizeof(mask));
		if (err)
			return err;
		sig_set_temp_mask(t, mask);
	}
	ret = do_select(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_addr(a, 2),
			sysarg_addr(a, 3), has_timeout ? &abs : NULL, zero);
	if (sm.ss)
		sig_restore_temp_mask(t, ret);
	if (has_timeout)
		put_remaining(t, sysarg_addr(a, 4), &abs, ret, false);
	return ret;
}

long sys_poll(struct task *t, const struct sysargs *a)
{
	int ms = sysarg_int(a, 2);
	struct timespec abs;

	if (ms > 0)
		deadline_in((int64_t)ms * 1000000LL, &abs);
	return do_poll(t, sysarg_addr(a, 0), sysarg_size(a, 1), ms > 0 ? &abs : NULL, ms == 0);
}

long sys_ppoll(struct task *t, const struct sysargs *a)
{
	struct timespec abs;
	linux_sigset_t mask;
	bool has_timeout = sysarg_addr(a, 2) != 0, zero = false;
	long ret;
	int err;

	if (has_timeout) {
		err = timeout_in(t, sysarg_addr(a, 2), &abs, &zero);
		if (err)
			return err;
	}
	if (sysarg_addr(a, 3)) {
		if (sysarg_size(a, 4) != sizeof(linux_sigset_t))
			return -EINVAL;
		err = task_copy_in(t, sysarg_addr(a, 3), &mask, sizeof(mask));
		if (err)
			return err;
		sig_set_temp_mask(t, mask);
	}
	ret = do_poll(t, sysarg_addr(a, 0), sysarg_size(a, 1), has_timeout ? &abs : NULL, zero);
	if (sysarg_addr(a, 3))
		sig_restore_temp_mask(t, ret);
	if (has_timeout)
		put_remaining(t, sysarg_addr(a, 2), &abs, ret, false);
	return ret;
}
