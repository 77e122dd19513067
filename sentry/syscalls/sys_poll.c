/*
 * poll and ppoll, first cut: readiness comes from each file's poll op; when nothing is
 * ready, the task waits on the host fds behind host stdio (host poll) or just for the
 * timeout. Files that become ready through other guests (pipes) need the shared wait
 * queues of the events work; until then such waits end only at the timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "fs/hostfd/hostfd.h"
#include "fs/vfs/vfs.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* One pass over the set: fills revents, returns how many are ready. */
static int poll_once(struct task *t, struct linux_pollfd *p, unsigned n, struct pollfd *host,
		     unsigned *nhost)
{
	int ready = 0;

	*nhost = 0;
	for (unsigned i = 0; i < n; i++) {
		short want = p[i].events | POLLERR | POLLHUP;
		struct file *f;

		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		f = fdt_get(t->fdt, p[i].fd);
		if (!f) {
			p[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		p[i].revents = vfs_poll(f, want) & want;
		if (p[i].revents)
			ready++;
		else if (hostfd_wait_fd(f) >= 0)
			host[(*nhost)++] = (struct pollfd){ hostfd_wait_fd(f), p[i].events, 0 };
		file_put(f);
	}
	return ready;
}

static int64_t ns_until(const struct timespec *abs)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
}

/* Waits for a host fd or the deadline (NULL = none) while staying interruptible. */
static int wait_some(struct task *t, struct pollfd *host, unsigned nhost,
		     const struct timespec *abs)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv;
	pthread_condattr_t ca;
	int err;

	if (nhost) {
		/* Short host waits in a loop keep an exiting sandbox from hanging on a
		 * terminal that never becomes readable. */
		int64_t left = abs ? ns_until(abs) : INT64_MAX;
		int ms = left > 100000000LL ? 100 : (int)(left / 1000000);

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(host, nhost, ms) < 0 && errno != EINTR)
			return -errno;
		return t->exiting ? -EINTR : 0;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&mu);
	err = task_block(t, &mu, &cv, abs);
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv);
	return err;
}

static long do_poll(struct task *t, uaddr_t ufds, uint64_t n, const struct timespec *abs, bool zero)
{
	struct linux_pollfd *p;
	struct pollfd *host;
	unsigned nhost;
	long ret;
	int err;

	if (n > (uint64_t)sys_nofile(t))
		return -EINVAL;
	p = calloc(n ? n : 1, sizeof(*p));
	host = calloc(n ? n : 1, sizeof(*host));
	if (!p || !host) {
		ret = -ENOMEM;
		goto out;
	}
	ret = task_copy_in(t, ufds, p, n * sizeof(*p));
	if (ret)
		goto out;
	for (;;) {
		ret = poll_once(t, p, (unsigned)n, host, &nhost);
		if (ret || zero)
			break;
		err = wait_some(t, host, nhost, abs);
		if (err == -ETIMEDOUT) {
			ret = 0;
			break;
		}
		if (err) {
			ret = -ERESTARTNOHAND;
			goto out;
		}
	}
	/* Only revents go back, as Linux writes them. */
	for (uint64_t i = 0; i < n; i++) {
		err = task_copy_out(t, ufds + i * sizeof(*p) + 6, &p[i].revents, 2);
		if (err) {
			ret = err;
			break;
		}
	}
out:
	free(p);
	free(host);
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
	struct linux_timespec ts;
	struct timespec abs;
	linux_sigset_t mask, old = t->sigmask;
	bool has_timeout = sysarg_addr(a, 2) != 0, zero = false;
	long ret;
	int err;

	if (has_timeout) {
		err = task_copy_in(t, sysarg_addr(a, 2), &ts, sizeof(ts));
		if (err)
			return err;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		zero = !ts.tv_sec && !ts.tv_nsec;
		deadline_in(ts.tv_sec > INT64_MAX / 2000000000LL ?
				    INT64_MAX / 2 :
				    ts.tv_sec * 1000000000LL + ts.tv_nsec,
			    &abs);
	}
	if (sysarg_addr(a, 3)) {
		if (sysarg_size(a, 4) != sizeof(linux_sigset_t))
			return -EINVAL;
		err = task_copy_in(t, sysarg_addr(a, 3), &mask, sizeof(mask));
		if (err)
			return err;
		t->sigmask = mask & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	}
	ret = do_poll(t, sysarg_addr(a, 0), sysarg_size(a, 1), has_timeout ? &abs : NULL, zero);
	t->sigmask = old;
	return ret;
}
