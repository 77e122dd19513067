/*
 * The ptrace platform: address spaces are stub processes (stub.c), guest threads run on
 * stub threads, each traced by the task thread that owns its context.
 *
 * switch_to is SETREGS, PTRACE_SYSEMU, waitpid, GETREGS: SYSEMU stops a guest syscall at
 * its entry (before seccomp sees it) and skips it, so the sentry's result only has to be
 * put in rax. Faults arrive as signal-delivery stops and are always suppressed.
 *
 * Injection: to make a stub thread run a host syscall (mmap, munmap, clone, exit), point
 * its rip at a "syscall; int3" gadget in the stub region, PTRACE_CONT, and wait for the
 * SIGTRAP. A ctx's own stub thread is stopped whenever its task thread is in the sentry,
 * so map/unmap from a thread running in that address space use it directly; other callers
 * borrow the stub's master thread under as->mutex (seize, inject, detach).
 *
 * Every tracee is a non-leader thread and every wait is __WNOTHREAD: a dead tracee is
 * reported to its tracer at once, and a task thread never sees another's tracees or the
 * factory's children.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "common/log.h"
#include "platform/ptrace/internal.h"
#include "platform/ptrace/ptrace.h"
#include "platform/ptrace/stub.h"

/* struct plat_regs is passed to PTRACE_GETREGS/SETREGS as the kernel's user_regs_struct
 * (27 u64, orig_rax 16th); <sys/user.h> clashes with common/util.h, hence the numbers. */
_Static_assert(sizeof(struct plat_regs) == 27 * 8, "regs layout");
_Static_assert(offsetof(struct plat_regs, orig_rax) == 15 * 8, "regs layout");
_Static_assert(offsetof(struct plat_regs, fs_base) == 21 * 8, "regs layout");
_Static_assert(sizeof(struct plat_fpregs) == 512, "fpregs layout");

/* Enough for any XSAVE layout the kernel exports today (AMX included). */
#define PTRACE_XSTATE_MAX 16384

static struct ptrace_platform *ptrace_the;
static pthread_mutex_t ptrace_init_lock = PTHREAD_MUTEX_INITIALIZER;

/* The ctx whose switch_to this thread called last, and this thread's tid. */
static __thread struct ptrace_ctx *ptrace_cur;
static __thread pid_t ptrace_self;

static pid_t ptrace_gettid(void)
{
	if (unlikely(!ptrace_self))
		ptrace_self = gettid();
	return ptrace_self;
}

static struct ptrace_as *to_as(struct plat_as *a)
{
	return container_of(a, struct ptrace_as, base);
}

static struct ptrace_ctx *to_ctx(struct plat_ctx *c)
{
	return container_of(c, struct ptrace_ctx, base);
}

static void ptrace_as_put(struct ptrace_as *as)
{
	if (ref_put(&as->ref)) {
		pthread_mutex_destroy(&as->mutex);
		free(as);
	}
}

static bool ptrace_gone(int status)
{
	return WIFEXITED(status) || WIFSIGNALED(status);
}

/* Waits for the next report of tracee tid. 0 or -errno. */
static int ptrace_wait(pid_t tid, int *status)
{
	pid_t r;

	do
		r = waitpid(tid, status, __WALL | __WNOTHREAD);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/*
 * A ptrace request on a tracee we hold stopped failed with errno e. ESRCH then means it
 * was killed (its whole stub died): reap it and say -ESRCH. If it turns out to be stopped
 * after all, it is still ours: -EIO.
 */
static int ptrace_failed(pid_t tid, int e)
{
	int status;

	if (e != ESRCH)
		return -e;
	if (ptrace_wait(tid, &status) < 0 || ptrace_gone(status))
		return -ESRCH;
	return -EIO;
}

/*
 * Seizes tid and brings it to a PTRACE_INTERRUPT stop; its registers into *regs.
 * 0, or -errno and tid is not (or no longer) ours: -ESRCH if it is gone.
 */
static int ptrace_attach(pid_t tid, long options, struct plat_regs *regs)
{
	int status, err;

	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)options) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
		return ptrace_failed(tid, errno);
	for (;;) {
		err = ptrace_wait(tid, &status);
		if (err)
			return err;
		if (ptrace_gone(status))
			return -ESRCH;
		if (status >> 16 == PTRACE_EVENT_STOP)
			break;
		/* A signal got there first: drop it, the interrupt stop follows. */
		if (ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
			return ptrace_failed(tid, errno);
	}
	if (ptrace(PTRACE_GETREGS, tid, NULL, regs) < 0) {
		err = ptrace_failed(tid, errno);
		if (err != -ESRCH)
			ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return err;
	}
	return 0;
}

/*
 * Makes stopped tracee tid run syscall nr(a[0..5]) at gadget (its int3 at trap), the
 * other registers from tmpl. 0 and the result in *ret; -ESRCH if the tracee is gone (and
 * reaped); another -errno if it is still stopped.
 *
 * The tracee may be in any stop. orig_rax = -1 keeps the kernel's restart logic away from
 * whatever syscall it was stopped in; at a SYSEMU syscall-entry stop, the skipped syscall
 * stays skipped and the thread returns to user mode at our rip.
 */
static int ptrace_inject(pid_t tid, const struct plat_regs *tmpl, uint64_t gadget, uint64_t trap,
			 long nr, const uint64_t a[6], long *ret)
{
	struct plat_regs r = *tmpl;
	int status, err;

	r.rip = gadget;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a[0];
	r.rsi = a[1];
	r.rdx = a[2];
	r.r10 = a[3];
	r.r8 = a[4];
	r.r9 = a[5];
	if (ptrace(PTRACE_SETREGS, tid, NULL, &r) < 0 || ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
		return ptrace_failed(tid, errno);
	for (;;) {
		err = ptrace_wait(tid, &status);
		if (err)
			return err;
		if (ptrace_gone(status))
			return -ESRCH;
		if (WSTOPSIG(status) == SIGTRAP && status >> 16 == 0) {
			if (ptrace(PTRACE_GETREGS, tid, NULL, &r) < 0)
				return ptrace_failed(tid, errno);
			if (r.rip != trap + 1)
				return -EIO;
			*ret = (long)r.rax;
			return 0;
		}
		/*
		 * A kick (plat_interrupt) or another stop, before or after the syscall:
		 * drop it. The interrupt flag stays set for the next switch_to, and a
		 * syscall that a signal interrupted is restarted as usual.
		 */
		if (ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
			return ptrace_failed(tid, errno);
	}
}

/*
 * Wake-ups across CPUs cost tens of microseconds: move the master to our CPU before we
 * ping-pong with it (task threads are pinned, so it stays where they are).
 */
static void ptrace_pin_master(struct ptrace_as *as)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0 || cpu == as->master_cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (!sched_setaffinity(as->master, sizeof(set), &set))
		as->master_cpu = cpu;
}

/* Runs a syscall on the stub's master thread, borrowed for the duration. */
static int ptrace_master_syscall(struct ptrace_as *as, uint64_t gadget, uint64_t trap, long nr,
				 const uint64_t a[6], long *ret)
{
	struct plat_regs saved;
	int err, err2;

	pthread_mutex_lock(&as->mutex);
	ptrace_pin_master(as);
	err = ptrace_attach(as->master, PTRACE_O_EXITKILL, &saved);
	if (err)
		goto out_unlock;
	err = ptrace_inject(as->master, &saved, gadget, trap, nr, a, ret);
	if (err != -ESRCH) {
		/* Back to its pause loop; with orig_rax = -1 pause just returns and the
		 * loop calls it again. */
		saved.orig_rax = (uint64_t)-1;
		if (ptrace(PTRACE_SETREGS, as->master, NULL, &saved) < 0 ||
		    ptrace(PTRACE_DETACH, as->master, NULL, NULL) < 0) {
			err2 = ptrace_failed(as->master, errno);
			if (!err)
				err = err2;
		}
	}
out_unlock:
	pthread_mutex_unlock(&as->mutex);
	return err;
}

/* The calling thread's own stub thread in as, if it has a usable one. */
static struct ptrace_ctx *ptrace_own_ctx(struct ptrace_as *as)
{
	struct ptrace_ctx *ctx = ptrace_cur;

	if (ctx && ctx->as == as && !ctx->dead && ctx->tid > 0)
		return ctx;
	return NULL;
}

/* Runs syscall nr in as: on the caller's own stub thread if it has one there. */
static int ptrace_as_syscall(struct ptrace_as *as, long nr, const uint64_t a[6], long *ret)
{
	uint64_t base = as->plat->stub_base;
	uint64_t gadget = STUB_ADDR(base, stub_gadget_syscall);
	uint64_t trap = STUB_ADDR(base, stub_gadget_syscall_trap);
	struct ptrace_ctx *ctx = ptrace_own_ctx(as);
	int err;

	if (ctx) {
		/* Its registers need no saving: the next switch_to sets them all. */
		err = ptrace_inject(ctx->tid, &ctx->tmpl, gadget, trap, nr, a, ret);
		if (err == -ESRCH)
			ctx->dead = true;
		return err;
	}
	return ptrace_master_syscall(as, gadget, trap, nr, a, ret);
}

/* Errors: -EINVAL (unaligned, empty, bad prot, reaches the stub region), -ESRCH (the stub
 * died), -ENOMEM and others from the host's mmap. */
static int ptrace_as_map(struct plat_as *a, uaddr_t addr, uint64_t len, int prot, uint64_t off)
{
	struct ptrace_as *as = to_as(a);
	long ret;
	int err;

	if (!len || !IS_PAGE_ALIGNED(addr | len | off) ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) || addr + len < addr ||
	    addr + len > as->plat->stub_base)
		return -EINVAL;
	uint64_t args[6] = {
		addr, len, (uint64_t)prot, MAP_SHARED | MAP_FIXED, (uint64_t)as->plat->memfd, off
	};

	err = ptrace_as_syscall(as, SYS_mmap, args, &ret);
	if (err)
		return err;
	if (ret < 0)
		return (int)ret;
	return (uint64_t)ret == addr ? 0 : -EIO;
}

/*
 * munmap rather than an anonymous PROT_NONE mapping over the range: the stub never maps
 * anything but MAP_FIXED, so a hole is never reused behind the sentry's back, the host
 * frees the VMA, and the stub's filter need not allow anonymous mmap.
 */
static int ptrace_as_unmap(struct plat_as *a, uaddr_t addr, uint64_t len)
{
	struct ptrace_as *as = to_as(a);
	uint64_t args[6] = { addr, len };
	long ret;
	int err;

	if (!len || !IS_PAGE_ALIGNED(addr | len) || addr + len < addr ||
	    addr + len > as->plat->stub_base)
		return -EINVAL;
	err = ptrace_as_syscall(as, SYS_munmap, args, &ret);
	if (err)
		return err;
	return ret < 0 ? (int)ret : 0;
}

/* The sentry's last reference: the stub dies, the factory reaps it. Threads of ctxs still
 * in it die too; those ctxs see -ESRCH and reap them. */
static void ptrace_as_release(struct plat_as *a)
{
	struct ptrace_as *as = to_as(a);

	stub_process_kill(as->plat, as->pid);
	ptrace_as_put(as);
}

/*
 * The stub process's CPU clock: every guest thread of the address space runs in it, and
 * the host keeps exited threads' time in it. A thread clock would be finer, but Linux
 * only lets a process read its own threads' clocks.
 */
static int ptrace_as_cpu_clock(struct plat_as *a, int *clockid)
{
	*clockid = (int)((~(unsigned int)to_as(a)->pid << 3) | 2); /* CPUCLOCK_SCHED */
	return 0;
}

static const struct plat_as_ops ptrace_as_ops = {
	.map = ptrace_as_map,
	.unmap = ptrace_as_unmap,
	.release = ptrace_as_release,
	.cpu_clock = ptrace_as_cpu_clock,
};

static int ptrace_new_address_space(struct platform *pl, struct plat_as **out)
{
	struct ptrace_platform *p = container_of(pl, struct ptrace_platform, base);
	struct ptrace_as *as = calloc(1, sizeof(*as));
	int err;

	if (!as)
		return -ENOMEM;
	as->base.ops = &ptrace_as_ops;
	as->plat = p;
	ref_init(&as->ref);
	pthread_mutex_init(&as->mutex, NULL);
	as->master_cpu = -1;
	err = stub_process_create(p, &as->pid, &as->master);
	if (err) {
		pthread_mutex_destroy(&as->mutex);
		free(as);
		return err;
	}
	*out = &as->base;
	return 0;
}

/*
 * A task thread and its stub thread ping-pong on every guest syscall; on one CPU a wake-up
 * costs a few microseconds, across CPUs tens of them. Pin each pair to one CPU, spreading
 * pairs round-robin. Best effort.
 */
static void ptrace_pin(struct ptrace_ctx *ctx)
{
	struct ptrace_platform *p = ctx->plat;
	cpu_set_t set;

	if (p->ncpus < 2)
		return;
	if (ctx->cpu < 0)
		ctx->cpu = p->cpus[__atomic_fetch_add(&p->next_cpu, 1, __ATOMIC_RELAXED) %
				   (unsigned int)p->ncpus];
	CPU_ZERO(&set);
	CPU_SET(ctx->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	sched_setaffinity(ctx->tid, sizeof(set), &set);
}

/* Allocates ctx->xstate on first use. */
static int ptrace_xstate_buf(struct ptrace_ctx *ctx)
{
	if (!ctx->xstate) {
		ctx->xstate = aligned_alloc(64, PTRACE_XSTATE_MAX);
		if (!ctx->xstate)
			return -ENOMEM;
	}
	return 0;
}

/*
 * A new stub thread starts with the FPU/SSE/AVX registers of the thread it was cloned
 * from, ultimately the sentry's: give it the ctx's saved state, or a clean one, so that
 * no sentry data shows through.
 */
static void ptrace_fpu_load(struct ptrace_ctx *ctx)
{
	struct iovec iov;
	uint8_t *x;

	if (ptrace_xstate_buf(ctx))
		goto out_fx;
	x = ctx->xstate;
	iov.iov_base = x;
	if (ctx->xstate_len) {
		iov.iov_len = ctx->xstate_len;
	} else {
		uint32_t mxcsr_mask;

		iov.iov_len = PTRACE_XSTATE_MAX;
		if (ptrace(PTRACE_GETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) < 0 ||
		    iov.iov_len < 576)
			goto out_fx;
		memcpy(&mxcsr_mask, x + 28, 4);
		memset(x, 0, iov.iov_len);
		/* FNINIT's control word, the default MXCSR; XSTATE_BV = x87|SSE, so every
		 * other component (AVX, AVX-512, ...) is loaded in its init state. */
		x[0] = 0x7f;
		x[1] = 0x03;
		uint32_t mxcsr = 0x1f80;
		uint64_t bv = 3;

		memcpy(x + 24, &mxcsr, 4);
		memcpy(x + 28, &mxcsr_mask, 4);
		memcpy(x + 512, &bv, 8);
	}
	if (ptrace(PTRACE_SETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		goto out_fx;
	ctx->xstate_len = 0;
	goto out_pending;
out_fx : {
	/* No XSAVE (or no memory): at least the FXSAVE part. */
	struct plat_fpregs fx = { 0 };

	fx.fxsave[0] = 0x7f;
	fx.fxsave[1] = 0x03;
	fx.fxsave[25] = 0x1f;
	fx.fxsave[24] = 0x80;
	ptrace(PTRACE_SETFPREGS, ctx->tid, NULL, &fx);
	ctx->xstate_len = 0;
}
out_pending:
	if (ctx->fp_pending && ptrace(PTRACE_SETFPREGS, ctx->tid, NULL, &ctx->fp) == 0)
		ctx->fp_pending = false;
}

/* Gives ctx a stub thread in as: cloned by the master, then seized by this thread. */
static int ptrace_ctx_new_thread(struct ptrace_ctx *ctx, struct ptrace_as *as)
{
	uint64_t base = as->plat->stub_base;
	uint64_t args[6] = { STUB_THREAD_FLAGS };
	long tid;
	int err;

	err = ptrace_master_syscall(as, STUB_ADDR(base, stub_gadget_clone),
				    STUB_ADDR(base, stub_gadget_clone_trap), SYS_clone, args, &tid);
	if (err)
		return err;
	if (tid < 0)
		return (int)tid;
	err = ptrace_attach((pid_t)tid, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL, &ctx->tmpl);
	if (err) {
		/* Left idling untraced, it goes with its process. */
		log_warn("ptrace: cannot attach stub thread %ld: %d", tid, err);
		return err;
	}
	ref_get(&as->ref);
	ctx->as = as;
	ctx->dead = false;
	ctx->tracer = ptrace_gettid();
	__atomic_store_n(&ctx->pid, as->pid, __ATOMIC_RELAXED);
	__atomic_store_n(&ctx->tid, (pid_t)tid, __ATOMIC_RELAXED);
	ptrace_pin(ctx);
	ptrace_fpu_load(ctx);
	return 0;
}

/*
 * Lets go of ctx's stub thread: a clean exit(0) if it lives (never a signal, which would
 * kill its whole process), keeping its FPU state for a next thread if keep_fpu.
 */
static void ptrace_ctx_drop_thread(struct ptrace_ctx *ctx, bool keep_fpu)
{
	uint64_t base = ctx->plat->stub_base;
	uint64_t args[6] = { 0 };
	long ret;

	if (!ctx->dead) {
		if (keep_fpu && !ptrace_xstate_buf(ctx)) {
			struct iovec iov = { ctx->xstate, PTRACE_XSTATE_MAX };

			if (ptrace(PTRACE_GETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) == 0)
				ctx->xstate_len = iov.iov_len;
		}
		int err = ptrace_inject(ctx->tid, &ctx->tmpl, STUB_ADDR(base, stub_gadget_syscall),
					STUB_ADDR(base, stub_gadget_syscall_trap), SYS_exit, args,
					&ret);

		/* -ESRCH is the expected outcome: it exited and we reaped it. */
		if (err != -ESRCH)
			log_warn("ptrace: stub thread %d did not exit: %d", ctx->tid, err);
	}
	__atomic_store_n(&ctx->tid, 0, __ATOMIC_RELAXED);
	ptrace_as_put(ctx->as);
	ctx->as = NULL;
	ctx->dead = false;
}

/* A ptrace request on ctx's thread failed with errno e. */
static int ptrace_ctx_failed(struct ptrace_ctx *ctx, int e)
{
	int err = ptrace_failed(ctx->tid, e);

	if (err == -ESRCH)
		ctx->dead = true;
	return err;
}

static int ptrace_switch_to(struct plat_ctx *c, struct plat_as *a, struct plat_regs *regs,
			    struct plat_fault *fault)
{
	struct ptrace_ctx *ctx = to_ctx(c);
	struct ptrace_as *as = to_as(a);
	uint64_t orig_rax;
	int status, err, sig;
	siginfo_t si;

	ptrace_cur = ctx;
	if (unlikely(ctx->as != as)) {
		if (ctx->as && ctx->tracer != ptrace_gettid())
			return -EPERM;
		if (ctx->as)
			ptrace_ctx_drop_thread(ctx, true);
		err = ptrace_ctx_new_thread(ctx, as);
		if (err)
			return err;
	}
	if (unlikely(ctx->dead))
		return -ESRCH;
	if (unlikely(ctx->tracer != ptrace_gettid()))
		return -EPERM;
	if (unlikely(!regs->cs)) {
		regs->cs = ctx->tmpl.cs;
		regs->ss = ctx->tmpl.ss;
	}

	/* Pairs with ptrace_interrupt: either it sees running, or we see its flag. */
	__atomic_store_n(&ctx->running, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&ctx->interrupted, 0, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&ctx->running, 0, __ATOMIC_RELEASE);
		return PLAT_INTERRUPTED;
	}
	/* No host restart logic on resume, whatever stop the thread is in: the sentry
	 * decides rip and rax. */
	orig_rax = regs->orig_rax;
	regs->orig_rax = (uint64_t)-1;
	if (unlikely(ptrace(PTRACE_SETREGS, ctx->tid, NULL, regs) < 0)) {
		err = errno;
		regs->orig_rax = orig_rax;
		__atomic_store_n(&ctx->running, 0, __ATOMIC_RELEASE);
		return ptrace_ctx_failed(ctx, err);
	}
	regs->orig_rax = orig_rax;
	if (unlikely(ptrace(PTRACE_SYSEMU, ctx->tid, NULL, NULL) < 0)) {
		err = errno;
		__atomic_store_n(&ctx->running, 0, __ATOMIC_RELEASE);
		return ptrace_ctx_failed(ctx, err);
	}
	err = ptrace_wait(ctx->tid, &status);
	__atomic_store_n(&ctx->running, 0, __ATOMIC_RELEASE);
	if (unlikely(err))
		return err;
	if (unlikely(ptrace_gone(status))) {
		ctx->dead = true;
		return -ESRCH;
	}
	if (unlikely(ptrace(PTRACE_GETREGS, ctx->tid, NULL, regs) < 0))
		return ptrace_ctx_failed(ctx, errno);
	sig = WSTOPSIG(status);
	if (likely(sig == (SIGTRAP | 0x80)))
		return PLAT_SYSCALL;
	if (status >> 16)
		return PLAT_INTERRUPTED; /* an event stop: group stop or PTRACE_INTERRUPT */
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		if (ptrace(PTRACE_GETSIGINFO, ctx->tid, NULL, &si) < 0)
			return ptrace_ctx_failed(ctx, errno);
		fault->signo = sig;
		fault->code = si.si_code;
		fault->addr = (uint64_t)si.si_addr;
		fault->write = 0;
		return PLAT_FAULT;
	case PTRACE_KICK_SIGNAL:
		/* This return answers every interrupt made so far. */
		__atomic_store_n(&ctx->interrupted, 0, __ATOMIC_RELAXED);
		return PLAT_INTERRUPTED;
	default:
		/* Nobody else should signal a stub; the signal is dropped on resume. */
		return PLAT_INTERRUPTED;
	}
}

static void ptrace_interrupt(struct plat_ctx *c)
{
	struct ptrace_ctx *ctx = to_ctx(c);
	int saved_errno = errno;

	__atomic_store_n(&ctx->interrupted, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctx->running, __ATOMIC_SEQ_CST)) {
		pid_t pid = __atomic_load_n(&ctx->pid, __ATOMIC_RELAXED);
		pid_t tid = __atomic_load_n(&ctx->tid, __ATOMIC_RELAXED);

		if (tid > 0)
			tgkill(pid, tid, PTRACE_KICK_SIGNAL);
	}
	errno = saved_errno;
}

static const struct plat_fpregs ptrace_fp_init = {
	.fxsave = { [0] = 0x7f, [1] = 0x03, [24] = 0x80, [25] = 0x1f },
};

static int ptrace_get_fpregs(struct plat_ctx *c, struct plat_fpregs *fp)
{
	struct ptrace_ctx *ctx = to_ctx(c);

	if (ctx->as && !ctx->dead) {
		if (ptrace(PTRACE_GETFPREGS, ctx->tid, NULL, fp) < 0)
			return ptrace_ctx_failed(ctx, errno);
		return 0;
	}
	*fp = ctx->fp_pending ? ctx->fp : ptrace_fp_init;
	return 0;
}

static int ptrace_set_fpregs(struct plat_ctx *c, const struct plat_fpregs *fp)
{
	struct ptrace_ctx *ctx = to_ctx(c);

	if (ctx->as && !ctx->dead) {
		if (ptrace(PTRACE_SETFPREGS, ctx->tid, NULL, fp) < 0)
			return ptrace_ctx_failed(ctx, errno);
		return 0;
	}
	/* No thread yet: loaded into the next one. */
	ctx->fp = *fp;
	ctx->fp_pending = true;
	return 0;
}

/* The state of a ctx without a thread: what the next thread gets (ptrace_fpu_load). */
static void ptrace_xstate_pending(struct ptrace_ctx *ctx, uint8_t *buf, size_t len)
{
	const struct plat_fpregs *fx = ctx->fp_pending ? &ctx->fp : &ptrace_fp_init;
	uint64_t bv = 3; /* x87 | SSE: every other component in its init state */

	if (ctx->xstate_len) {
		memcpy(buf, ctx->xstate, MIN(len, ctx->xstate_len));
		if (len > ctx->xstate_len)
			memset(buf + ctx->xstate_len, 0, len - ctx->xstate_len);
		if (!ctx->fp_pending)
			return;
	} else {
		memset(buf, 0, len);
		memcpy(buf + 512, &bv, sizeof(bv));
	}
	/* A pending FXSAVE image is loaded over the saved state, as the next thread does. */
	memcpy(buf, fx->fxsave, 464);
}

static int ptrace_get_xstate(struct plat_ctx *c, void *buf, size_t len)
{
	struct ptrace_ctx *ctx = to_ctx(c);
	struct iovec iov = { buf, len };

	if (len < 576 || len > PTRACE_XSTATE_MAX)
		return -EINVAL;
	if (ctx->as && !ctx->dead) {
		if (ptrace(PTRACE_GETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) < 0)
			return ptrace_ctx_failed(ctx, errno);
		/* The kernel's regset is the host's user XSAVE size: never shorter here. */
		if (iov.iov_len < len)
			memset((uint8_t *)buf + iov.iov_len, 0, len - iov.iov_len);
		return 0;
	}
	ptrace_xstate_pending(ctx, buf, len);
	return 0;
}

static int ptrace_set_xstate(struct plat_ctx *c, const void *buf, size_t len)
{
	struct ptrace_ctx *ctx = to_ctx(c);
	struct iovec iov = { (void *)buf, len };

	if (len < 576 || len > PTRACE_XSTATE_MAX)
		return -EINVAL;
	if (ctx->as && !ctx->dead) {
		/* The host validates the header (EINVAL) before changing anything. */
		if (ptrace(PTRACE_SETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) < 0)
			return errno == EINVAL ? -EINVAL : ptrace_ctx_failed(ctx, errno);
		return 0;
	}
	/* No thread yet: loaded into the next one. */
	if (ptrace_xstate_buf(ctx))
		return -ENOMEM;
	memcpy(ctx->xstate, buf, len);
	ctx->xstate_len = len;
	ctx->fp_pending = false;
	return 0;
}

/* Must run on the owning task thread: only the tracer can make its stub thread exit. */
static void ptrace_ctx_release(struct plat_ctx *c)
{
	struct ptrace_ctx *ctx = to_ctx(c);

	if (ptrace_cur == ctx)
		ptrace_cur = NULL;
	if (ctx->as) {
		if (ctx->tracer == ptrace_gettid()) {
			ptrace_ctx_drop_thread(ctx, false);
		} else {
			/* Its thread dies with the tracer (PTRACE_O_EXITKILL) or its stub. */
			log_warn("ptrace: ctx released off its task thread");
			ptrace_as_put(ctx->as);
		}
	}
	free(ctx->xstate);
	free(ctx);
}

static const struct plat_ctx_ops ptrace_ctx_ops = {
	.switch_to = ptrace_switch_to,
	.interrupt = ptrace_interrupt,
	.get_fpregs = ptrace_get_fpregs,
	.set_fpregs = ptrace_set_fpregs,
	.get_xstate = ptrace_get_xstate,
	.set_xstate = ptrace_set_xstate,
	.release = ptrace_ctx_release,
};

static int ptrace_new_context(struct platform *pl, struct plat_ctx **out)
{
	struct ptrace_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->base.ops = &ptrace_ctx_ops;
	ctx->plat = container_of(pl, struct ptrace_platform, base);
	ctx->cpu = -1;
	*out = &ctx->base;
	return 0;
}

static uaddr_t ptrace_max_user_address(struct platform *pl)
{
	return container_of(pl, struct ptrace_platform, base)->stub_base;
}

/*
 * Can we trace a child? Seccomp profiles and Yama may say no. CLONE_UNTRACED, as for the
 * stubs: a host `strace -f` of the sentry must not take the child before we can.
 */
static int ptrace_probe(void)
{
	int err = 0, status;
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)PTRACE_O_EXITKILL) < 0)
		err = -errno;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
		;
	return err;
}

/* One platform per sentry: the stub region is process-wide. */
static int ptrace_init(struct platform **out, int memfd)
{
	struct ptrace_platform *p;
	cpu_set_t set;
	int err;

	pthread_mutex_lock(&ptrace_init_lock);
	if (ptrace_the) {
		err = ptrace_the->memfd == memfd ? 0 : -EBUSY;
		if (!err)
			*out = &ptrace_the->base;
		goto out_unlock;
	}
	p = calloc(1, sizeof(*p));
	err = -ENOMEM;
	if (!p)
		goto out_unlock;
	p->base.ops = &ptrace_platform_ops;
	p->memfd = memfd;
	p->sentry_pid = getpid();
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				p->cpus[p->ncpus++] = i;
	err = stub_region_init(p);
	if (err)
		goto out_free;
	err = stub_factory_start(p);
	if (err)
		goto out_unmap;
	ptrace_the = p;
	*out = &p->base;
	pthread_mutex_unlock(&ptrace_init_lock);
	return 0;
out_unmap:
	munmap((void *)p->stub_base, STUB_REGION_SIZE);
out_free:
	free(p);
out_unlock:
	pthread_mutex_unlock(&ptrace_init_lock);
	return err;
}

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.probe = ptrace_probe,
	.init = ptrace_init,
	.new_address_space = ptrace_new_address_space,
	.new_context = ptrace_new_context,
	.max_user_address = ptrace_max_user_address,
};
