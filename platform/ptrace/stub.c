/*
 * Stub processes: the host processes that hold guest address spaces.
 *
 * At init the sentry maps the stub region (stub.h) at a fixed high address and fills it
 * with the stub code and the stub's seccomp program. A stub is a fork-like clone of the
 * sentry made from code inside that region, so the child can unmap everything else and
 * keep running; it shares the sentry's fd table (CLONE_FILES) so that injected mmaps can
 * name the memory file by the sentry's fd number.
 *
 * PR_SET_PDEATHSIG fires when the parent *thread* exits, and task threads come and go, so
 * every stub is cloned by one long-lived factory thread, which also reaps killed stubs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/log.h"
#include "common/memfile.h"
#include "platform/ptrace/internal.h"
#include "platform/ptrace/stub.h"

_Static_assert(STUB_THREAD_FLAGS == (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				     CLONE_THREAD | CLONE_SYSVSEM),
	       "stub thread flags");

_Static_assert(offsetof(struct stub_data, zero) == STUB_D_ZERO, "stub data layout");
_Static_assert(offsetof(struct stub_data, ppid) == STUB_D_PPID, "stub data layout");
_Static_assert(offsetof(struct stub_data, prog) == STUB_D_PROG, "stub data layout");
_Static_assert(offsetof(struct stub_data, filter) == STUB_D_FILTER, "stub data layout");

struct stub_request {
	struct stub_request *next;
	bool done;
	int err;
	pid_t pid, master;
};

/*
 * Where the region may go. High, so that guests get almost all of the address space
 * below it, but never inside the main thread's stack growth zone.
 */
#define STUB_CAND_TOP 0x7ffff0000000UL
#define STUB_CAND_STEP 0x10000000UL
#define STUB_CAND_TRIES 64
#define STUB_STACK_ZONE (1UL << 30)

extern void *__libc_stack_end;

static int stub_build_filter(struct ptrace_platform *p, struct stub_data *d)
{
	scmp_filter_ctx f;
	int fd = -1, err;
	off_t size;

	f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!f)
		return -ENOMEM;
	/* Guest memory: only shared fixed mappings of the memory file. */
	err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,
			       SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS,
				       MAP_SHARED | MAP_FIXED),
			       SCMP_A4(SCMP_CMP_EQ, (scmp_datum_t)p->memfd));
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 0);
	/* Only the thread clone of the clone gadget. */
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_EQ, STUB_THREAD_FLAGS));
	static const int plain[] = {
		SCMP_SYS(exit),	 SCMP_SYS(getpid), SCMP_SYS(gettid),	    SCMP_SYS(rt_sigreturn),
		SCMP_SYS(pause), SCMP_SYS(futex),  SCMP_SYS(rt_sigsuspend),
	};
	for (size_t i = 0; !err && i < ARRAY_SIZE(plain); i++)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0);
	if (err)
		goto out_release;

	fd = memfd_create("warden-stub-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out_release;
	}
	err = seccomp_export_bpf(f, fd);
	if (err)
		goto out_close;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		err = -errno;
		goto out_close;
	}
	if (size == 0 || size % sizeof(struct sock_filter) ||
	    (size_t)size / sizeof(struct sock_filter) > STUB_FILTER_MAX) {
		err = -E2BIG;
		goto out_close;
	}
	if (pread(fd, d->filter, (size_t)size, 0) != size) {
		err = -EIO;
		goto out_close;
	}
	d->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
	/* The region has the same address in every stub, so this pointer is valid there. */
	d->prog.filter = d->filter;
	err = 0;
out_close:
	close(fd);
out_release:
	seccomp_release(f);
	return err;
}

int stub_region_init(struct ptrace_platform *p)
{
	uint64_t stack = (uint64_t)__libc_stack_end;
	size_t code_len = (size_t)(stub_code_end - stub_code_start);
	uint8_t *r = MAP_FAILED;
	int err;

	if (code_len > STUB_CODE_MAX)
		return -E2BIG;
	for (int i = 0; i < STUB_CAND_TRIES; i++) {
		uint64_t cand = STUB_CAND_TOP - (uint64_t)i * STUB_CAND_STEP;

		if (cand < stack + STUB_REGION_SIZE && cand + STUB_STACK_ZONE > stack)
			continue;
		r = mmap((void *)cand, STUB_REGION_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (r == (void *)cand)
			break;
		/* Kernels before 4.17 treat the flag as a hint: not where we asked. */
		if (r != MAP_FAILED)
			munmap(r, STUB_REGION_SIZE);
		r = MAP_FAILED;
	}
	if (r == MAP_FAILED)
		return -ENOMEM;

	memcpy(r, stub_code_start, code_len);
	struct stub_data *d = (struct stub_data *)(r + STUB_DATA_OFF);

	d->ppid = (uint64_t)p->sentry_pid;
	err = stub_build_filter(p, d);
	if (err)
		goto out_unmap;
	if (mprotect(r, STUB_CODE_MAX, PROT_READ | PROT_EXEC) < 0 ||
	    mprotect(r + STUB_DATA_OFF, STUB_REGION_SIZE - STUB_DATA_OFF, PROT_READ) < 0) {
		err = -errno;
		goto out_unmap;
	}
	p->stub_base = (uint64_t)r;
	return 0;
out_unmap:
	munmap(r, STUB_REGION_SIZE);
	return err;
}

static int stub_waitpid(pid_t pid, int *status, int flags)
{
	pid_t r;

	do
		r = waitpid(pid, status, flags | __WALL | __WNOTHREAD);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/* 0 if addr is not readable in the stub (as it must be for every sentry address). */
static int stub_check_unmapped(pid_t pid, const void *addr)
{
	errno = 0;
	ptrace(PTRACE_PEEKDATA, pid, addr, NULL);
	return errno ? 0 : -EPERM;
}

/*
 * Follows a new stub through its setup. It made us its tracer (PTRACE_TRACEME) and stopped
 * itself; its last setup step, after the seccomp filter, is the clone of the master thread,
 * which PTRACE_O_TRACECLONE turns into an event that also names the master. There we check
 * that a few sentry addresses really are gone from it, and let both threads go.
 */
static int stub_handshake(struct ptrace_platform *p, pid_t pid, pid_t *master)
{
	unsigned long msg;
	int status, err, local = 0;

	err = stub_waitpid(pid, &status, 0);
	if (err < 0)
		return err;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		return -ECHILD; /* it died first: the checks before TRACEME, or TRACEME */
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE)) < 0)
		return -errno;
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
			return -errno;
		err = stub_waitpid(pid, &status, 0);
		if (err < 0)
			return err;
		if (!WIFSTOPPED(status))
			return -ECHILD; /* it died in setup: munmap or seccomp failed */
		if (status >> 8 == (SIGTRAP | PTRACE_EVENT_CLONE << 8))
			break;
	}
	if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg) < 0)
		return -errno;
	*master = (pid_t)msg;
	err = 0;

	const void *probes[] = {
		&local,
		p,
		(const void *)stub_handshake,
		(const void *)memcpy,
		(const void *)getauxval(AT_SYSINFO_EHDR),
		memfile_fd() == p->memfd ? memfile_ptr(0) : NULL,
	};

	for (size_t i = 0; !err && i < ARRAY_SIZE(probes); i++)
		if (probes[i])
			err = stub_check_unmapped(pid, probes[i]);
	if (err) {
		log_warn("ptrace: stub %d still maps sentry memory", pid);
		return err;
	}
	/* The master starts in a stop of its own (auto-attached); both go free. */
	err = stub_waitpid(*master, &status, 0);
	if (err < 0)
		return err;
	if (!WIFSTOPPED(status))
		return -ECHILD;
	if (ptrace(PTRACE_DETACH, *master, NULL, NULL) < 0 ||
	    ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

/* Waits until a tracee or child of ours is gone, letting any stops go. */
static void stub_reap_now(pid_t pid)
{
	int status;

	while (stub_waitpid(pid, &status, 0) >= 0 && WIFSTOPPED(status))
		ptrace(PTRACE_CONT, pid, NULL, NULL);
}

static int stub_create_one(struct ptrace_platform *p, pid_t *out, pid_t *master)
{
	long (*entry)(unsigned long) =
		(long (*)(unsigned long))STUB_ADDR(p->stub_base, stub_entry_create);
	/* CLONE_UNTRACED: under a host `strace -f` of the sentry the stub is still ours. */
	long pid = entry(CLONE_FILES | CLONE_UNTRACED | SIGCHLD);
	int err;

	if (pid < 0)
		return (int)pid;
	*master = 0;
	err = stub_handshake(p, (pid_t)pid, master);
	if (err) {
		kill((pid_t)pid, SIGKILL);
		/* A traced master must be reaped first, or its leader never is. */
		if (*master > 0)
			stub_reap_now(*master);
		stub_reap_now((pid_t)pid);
		return err;
	}
	*out = (pid_t)pid;
	return 0;
}

/* One pass over the killed stubs; true if some remain. Called with fmutex held. */
static bool stub_reap_some(struct ptrace_platform *p)
{
	size_t i = 0;
	int status;

	while (i < p->nreap) {
		int r = stub_waitpid(p->reap[i], &status, WNOHANG);

		/* A group whose traced threads are not yet reaped by their tracers waits. */
		if (r == 0 || (r > 0 && WIFSTOPPED(status))) {
			i++;
			continue;
		}
		p->reap[i] = p->reap[--p->nreap];
	}
	return p->nreap > 0;
}

/*
 * A fork inherits the rseq registration, and the stub unmaps the area it points to: the
 * kernel would SIGSEGV the stub at its first preemption. The factory thread, whose forks
 * the stubs are, does without rseq. The kernel wants the registered length, which is not
 * __rseq_size (the feature size) on every glibc: try the likely ones.
 */
static void stub_rseq_unregister(void)
{
	const unsigned int lens[] = { 32, __rseq_size, (__rseq_size + 31) & ~31U, 64 };
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++)
		if (!syscall(SYS_rseq, area, lens[i], RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
			return;
	log_warn("ptrace: cannot unregister rseq in the stub factory");
}

static void *stub_factory_main(void *arg)
{
	struct ptrace_platform *p = arg;
	long backoff_ms = 1;
	sigset_t all;

	stub_rseq_unregister();
	/* Keep the sentry's process-directed signals away from this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&p->fmutex);
	for (;;) {
		struct stub_request *req = p->requests;

		if (req) {
			p->requests = req->next;
			pthread_mutex_unlock(&p->fmutex);
			req->err = stub_create_one(p, &req->pid, &req->master);
			pthread_mutex_lock(&p->fmutex);
			req->done = true;
			pthread_cond_broadcast(&p->fdone);
			continue;
		}
		if (p->nreap && stub_reap_some(p)) {
			/* Poll: a killed stub's exit reaches us only once its tracers have
			 * reaped its threads, and nothing tells us when. */
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += backoff_ms * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&p->fcond, &p->fmutex, &ts);
			backoff_ms = MIN(backoff_ms * 2, 500);
			continue;
		}
		backoff_ms = 1;
		pthread_cond_wait(&p->fcond, &p->fmutex);
	}
	return NULL;
}

int stub_factory_start(struct ptrace_platform *p)
{
	pthread_condattr_t ca;
	int err;

	pthread_mutex_init(&p->fmutex, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->fcond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&p->fdone, NULL);
	err = pthread_create(&p->factory, NULL, stub_factory_main, p);
	if (err)
		return -err;
	pthread_setname_np(p->factory, "stub-factory");
	return 0;
}

int stub_process_create(struct ptrace_platform *p, pid_t *pid, pid_t *master)
{
	struct stub_request req = { 0 }, **tail;

	pthread_mutex_lock(&p->fmutex);
	for (tail = &p->requests; *tail; tail = &(*tail)->next)
		;
	*tail = &req;
	pthread_cond_signal(&p->fcond);
	while (!req.done)
		pthread_cond_wait(&p->fdone, &p->fmutex);
	pthread_mutex_unlock(&p->fmutex);
	if (req.err)
		return req.err;
	*pid = req.pid;
	*master = req.master;
	return 0;
}

void stub_process_kill(struct ptrace_platform *p, pid_t pid)
{
	kill(pid, SIGKILL);
	pthread_mutex_lock(&p->fmutex);
	if (p->nreap == p->capreap) {
		size_t cap = p->capreap ? p->capreap * 2 : 16;
		pid_t *n = realloc(p->reap, cap * sizeof(*n));

		if (!n) {
			/* Leaves a zombie until the sentry exits; not worth failing for. */
			pthread_mutex_unlock(&p->fmutex);
			log_warn("ptrace: no memory to reap stub %d", pid);
			return;
		}
		p->reap = n;
		p->capreap = cap;
	}
	p->reap[p->nreap++] = pid;
	pthread_cond_signal(&p->fcond);
	pthread_mutex_unlock(&p->fmutex);
}
