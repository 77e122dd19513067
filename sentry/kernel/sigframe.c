/* Signal frames: building the x86-64 rt_sigframe for a handler, rt_sigreturn, altstacks. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"

#include "sentry/kernel/sigframe.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#define REDZONE 128
#define FP_MAGIC1 0x46505853U
#define FP_MAGIC2 0x46505845U
#define XSAVE_HDR_SIZE 64
#define XSAVE_HDR 512 /* offset of the XSAVE header: xstate_bv, xcomp_bv, reserved */
#define XSTATE_MIN_SIZE (512 + XSAVE_HDR_SIZE) /* legacy area + header: x87 and SSE only */
#define XFEATURES_X87_SSE 3ULL

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

#define USER_CS 0x33
#define USER_DS 0x2b

/* The eflags bits a guest may change through sigreturn (Linux's FIX_EFLAGS). */
#define EFL_CF 0x1
#define EFL_PF 0x4
#define EFL_AF 0x10
#define EFL_ZF 0x40
#define EFL_SF 0x80
#define EFL_TF 0x100
#define EFL_DF 0x400
#define EFL_OF 0x800
#define EFL_RF 0x10000
#define EFL_AC 0x40000
#define FIX_EFLAGS \
	(EFL_AC | EFL_OF | EFL_DF | EFL_TF | EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF | EFL_RF)

#define FX_MXCSR 24
#define FX_MXCSR_MASK 28
#define FX_SW_BYTES 464

struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "fpx_sw_bytes is 48 bytes");

static bool on_altstack_raw(const struct task *t, uint64_t sp)
{
	return sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

/* Linux's on_sig_stack: with LINUX_SS_AUTODISARM a handler may reuse the altstack, so the
 * guest is never considered on it. */
static bool on_altstack(const struct task *t, uint64_t sp)
{
	if (t->altstack.flags & LINUX_SS_AUTODISARM)
		return false;
	return on_altstack_raw(t, sp);
}

static int altstack_mode(const struct task *t, uint64_t sp)
{
	if (!t->altstack.size)
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

int sig_altstack(struct task *t, const struct linux_stack *ss, struct linux_stack *old, uint64_t sp)
{
	struct linux_stack o = {
		.ss_sp = t->altstack.sp,
		.ss_size = t->altstack.size,
		.ss_flags = altstack_mode(t, sp) | (t->altstack.flags & (int)LINUX_SS_AUTODISARM),
	};
	int mode;

	if (ss) {
		if (on_altstack(t, sp))
			return -EPERM;
		mode = ss->ss_flags & ~(int)LINUX_SS_AUTODISARM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack.sp = 0;
			t->altstack.size = 0;
		} else {
			if (ss->ss_size < LINUX_MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.sp = ss->ss_sp;
			t->altstack.size = ss->ss_size;
		}
		t->altstack.flags = ss->ss_flags;
	}
	if (old)
		*old = o;
	return 0;
}

/* The FPU state a handler starts with: default control words, the host's MXCSR mask. */
static void fp_init_state(struct plat_fpregs *fp, uint32_t mxcsr_mask)
{
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;

	memset(fp, 0, sizeof(*fp));
	memcpy(&fp->fxsave[0], &fcw, 2);
	memcpy(&fp->fxsave[FX_MXCSR], &mxcsr, 4);
	memcpy(&fp->fxsave[FX_MXCSR_MASK], &mxcsr_mask, 4);
}

static uint32_t fp_mxcsr_mask(const struct plat_fpregs *fp)
{
	uint32_t m;

	memcpy(&m, &fp->fxsave[FX_MXCSR_MASK], 4);
	return m ? m : 0xffbf; /* 0 means the architectural default */
}

/* The size of the XSAVE area the frame holds and its features: the host's whole area when
 * the platform carries it, else the FXSAVE image and a header (x87|SSE). */
static size_t fp_frame_size(const struct task *t, uint64_t *xfeatures)
{
	size_t size = 0;

	if (t->ctx->ops->get_xstate && t->ctx->ops->set_xstate)
		size = plat_xstate_size(xfeatures);
	if (size < XSTATE_MIN_SIZE) {
		*xfeatures = XFEATURES_X87_SSE;
		return XSTATE_MIN_SIZE;
	}
	return size;
}

/*
 * Loads fx (the legacy area, MXCSR already sanitized) and, in an XSAVE area of size
 * bytes, the components whose xstate_bv bits are set in x (NULL: fx alone, every other
 * component in its init state, as Linux's fx_only restore does). 0, -EINVAL (the host
 * refused the header) or -errno.
 */
static int fp_load(struct task *t, const struct plat_fpregs *fx, uint8_t *x, size_t size)
{
	uint64_t bv = XFEATURES_X87_SSE;
	uint8_t *own = NULL;
	int err;

	if (size <= XSTATE_MIN_SIZE || !t->ctx->ops->set_xstate)
		return t->ctx->ops->set_fpregs(t->ctx, fx);
	if (!x) {
		x = own = calloc(1, size);
		if (!x)
			return -ENOMEM;
		memcpy(x + XSAVE_HDR, &bv, sizeof(bv));
	}
	memcpy(x, fx->fxsave, FX_SW_BYTES);
	memset(x + FX_SW_BYTES, 0, 512 - FX_SW_BYTES);
	err = t->ctx->ops->set_xstate(t->ctx, x, size);
	free(own);
	return err;
}

int sigframe_setup(struct task *t, int sig, const struct linux_siginfo *info,
		   const struct linux_sigaction *act, linux_sigset_t oldmask)
{
	struct plat_regs *r = &t->regs;
	struct linux_rt_sigframe f;
	struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	struct fpx_sw_bytes sw = { .magic1 = FP_MAGIC1 };
	struct plat_fpregs fp;
	uint64_t sp = r->rsp - REDZONE, fx, frame, xstate_bv = XFEATURES_X87_SSE;
	uint32_t magic2 = FP_MAGIC2;
	bool nested = on_altstack(t, r->rsp), entering = false;
	size_t xsize = fp_frame_size(t, &sw.xfeatures), math_size = xsize + sizeof(magic2);
	uint8_t *math;
	int err = -EFAULT;

	/* x86-64 has no vDSO trampoline here: the restorer is the only way back. */
	if (!(act->flags & LINUX_SA_RESTORER))
		return -EFAULT;
	if ((act->flags & SA_ONSTACK) && altstack_mode(t, r->rsp) == 0) {
		sp = t->altstack.sp + t->altstack.size;
		entering = true;
	}
	fx = (sp - math_size) & ~63ULL;
	frame = ((fx - sizeof(f)) & ~15ULL) - 8; /* rsp % 16 == 8 at entry, as after a call */
	if ((nested || entering) && !on_altstack_raw(t, frame))
		return -EFAULT; /* the altstack overflowed */

	/* Linux's layout: the XSAVE area (fpx_sw_bytes in the legacy area's software bytes
	 * say how big), then FP_XSTATE_MAGIC2 right after it. */
	math = calloc(1, math_size);
	if (!math)
		return -ENOMEM;
	if (t->ctx->ops->get_fpregs(t->ctx, &fp))
		goto out_free;
	if (xsize > XSTATE_MIN_SIZE) {
		if (t->ctx->ops->get_xstate(t->ctx, math, xsize))
			goto out_free;
	} else {
		memcpy(math, fp.fxsave, sizeof(fp.fxsave));
		memcpy(math + XSAVE_HDR, &xstate_bv, sizeof(xstate_bv));
	}
	sw.extended_size = (uint32_t)math_size;
	sw.xstate_size = (uint32_t)xsize;
	memcpy(math + FX_SW_BYTES, &sw, sizeof(sw));
	memcpy(math + xsize, &magic2, sizeof(magic2));

	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->altstack.sp;
	f.uc.uc_stack.ss_flags = t->altstack.flags;
	f.uc.uc_stack.ss_size = t->altstack.size;
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->eflags;
	sc->cs = USER_CS;
	sc->ss = USER_DS;
	sc->err = t->sig.err;
	sc->trapno = t->sig.trapno;
	sc->cr2 = t->sig.cr2;
	sc->oldmask = oldmask;
	sc->fpstate = fx;
	f.uc.uc_sigmask = oldmask;
	if (act->flags & SA_SIGINFO)
		f.info = *info;

	if (task_copy_out(t, fx, math, math_size) || task_copy_out(t, frame, &f, sizeof(f)))
		goto out_free;
	free(math);

	/* The handler starts with a clean FPU (AVX and all), as on Linux; sigreturn brings
	 * the old state back. */
	fp_init_state(&fp, fp_mxcsr_mask(&fp));
	fp_load(t, &fp, NULL, xsize);
	if (t->altstack.flags & LINUX_SS_AUTODISARM) {
		t->altstack.sp = 0;
		t->altstack.size = 0;
		t->altstack.flags = SS_DISABLE;
	}
	r->rdi = (uint64_t)sig;
	r->rsi = frame + offsetof(struct linux_rt_sigframe, info);
	r->rdx = frame + offsetof(struct linux_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = act->handler;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->eflags &= ~(uint64_t)(EFL_DF | EFL_RF | EFL_TF);
	return 0;
out_free:
	free(math);
	return err;
}

/*
 * Reads the guest's XSAVE area at fpstate when its fpx_sw_bytes (sw) and FP_XSTATE_MAGIC2
 * describe one as Linux's check_xstate_in_sigframe() wants; *x is then a host-sized
 * buffer (free it) holding it with xstate_bv limited to sw's features. *x = NULL: not a
 * valid extended frame, the legacy area alone counts. 0, -EFAULT (unreadable, or a header
 * the hardware would refuse: reserved bits, compaction) or -ENOMEM.
 */
static int fp_read_xstate(struct task *t, uint64_t fpstate, const struct fpx_sw_bytes *sw,
			  size_t size, uint64_t features, uint8_t **x)
{
	uint64_t hdr[XSAVE_HDR_SIZE / 8];
	uint32_t magic2;
	uint8_t *b;

	*x = NULL;
	if (size <= XSTATE_MIN_SIZE || sw->magic1 != FP_MAGIC1 ||
	    sw->xstate_size < XSTATE_MIN_SIZE || sw->xstate_size > size ||
	    sw->xstate_size > sw->extended_size)
		return 0;
	if (task_copy_in(t, fpstate + sw->xstate_size, &magic2, sizeof(magic2)))
		return -EFAULT;
	if (magic2 != FP_MAGIC2)
		return 0;
	b = calloc(1, size);
	if (!b)
		return -ENOMEM;
	if (task_copy_in(t, fpstate, b, sw->xstate_size))
		goto out_fault;
	memcpy(hdr, b + XSAVE_HDR, sizeof(hdr));
	/* Linux's validate_user_xstate_header(): no unknown feature, no compacted format,
	 * the reserved bytes zero. */
	if ((hdr[0] & ~features) || hdr[1])
		goto out_fault;
	for (size_t i = 2; i < ARRAY_SIZE(hdr); i++)
		if (hdr[i])
			goto out_fault;
	/* Components the frame does not claim are loaded in their init state. */
	hdr[0] &= sw->xfeatures | XFEATURES_X87_SSE;
	memcpy(b + XSAVE_HDR, &hdr[0], sizeof(hdr[0]));
	*x = b;
	return 0;
out_fault:
	free(b);
	return -EFAULT;
}

int sigframe_restore(struct task *t)
{
	struct plat_regs *r = &t->regs;
	struct linux_rt_sigframe f;
	const struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	struct plat_fpregs fp, cur;
	uint64_t handler_sp = r->rsp, features;
	size_t xsize = fp_frame_size(t, &features);
	uint8_t *x = NULL;
	uint32_t mxcsr, mask;
	int err;

	if (task_copy_in(t, r->rsp - 8, &f, sizeof(f)))
		return -EFAULT;
	if (t->ctx->ops->get_fpregs(t->ctx, &cur))
		return -EFAULT;
	mask = fp_mxcsr_mask(&cur);
	if (sc->fpstate) {
		struct fpx_sw_bytes sw;

		if (task_copy_in(t, sc->fpstate, fp.fxsave, sizeof(fp.fxsave)))
			return -EFAULT;
		memcpy(&sw, &fp.fxsave[FX_SW_BYTES], sizeof(sw));
		err = fp_read_xstate(t, sc->fpstate, &sw, xsize, features, &x);
		if (err)
			return err;
		/* Reserved MXCSR bits would make the host refuse the whole state. */
		memcpy(&mxcsr, &fp.fxsave[FX_MXCSR], 4);
		mxcsr &= mask;
		memcpy(&fp.fxsave[FX_MXCSR], &mxcsr, 4);
		memcpy(&fp.fxsave[FX_MXCSR_MASK], &mask, 4);
		memset(&fp.fxsave[FX_SW_BYTES], 0, 512 - FX_SW_BYTES);
	} else {
		fp_init_state(&fp, mask);
	}
	err = fp_load(t, &fp, x, xsize);
	free(x);
	if (err)
		return -EFAULT;

	sig_set_mask(t, f.uc.uc_sigmask);
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~(uint64_t)FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	/* Only 64-bit user segments: anything else would be refused by the host. */
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->orig_rax = (uint64_t)-1;
	/* As on Linux, errors are ignored and the check is against the handler's sp: a
	 * handler that replaced the altstack it runs on keeps the replacement. */
	sig_altstack(t, &f.uc.uc_stack, NULL, handler_sp);
	t->sig.restart.fn = NULL;
	return 0;
}
