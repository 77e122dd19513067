/* clone: new threads and processes, with the flag rules of Linux's copy_process(). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/log.h"
#include "common/waitq.h"
#include "fs/vfs/vfs.h"
#include "platform/platform.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define CAP_SYS_RESOURCE 24
#define CAP_SYS_ADMIN 21

/* The namespaces a sandbox cannot nest (yet): refused as unsupported. */
#define CLONE_NS_FLAGS                                                                 \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/* Shared by a vfork parent and its child; the last of the two to let go frees it. */
struct vfork_done {
	int refs; /* under proc_wait_lock */
	bool done;
	struct thread_group *tg; /* the waiting parent's group, +1 */
};

static void vfork_put_locked(struct vfork_done *vd, bool *last)
{
	*last = --vd->refs == 0;
}

void proc_vfork_release(struct task *c)
{
	struct vfork_done *vd = c->vfork_done;
	bool last;

	if (!vd)
		return;
	c->vfork_done = NULL;
	pthread_mutex_lock(&proc_wait_lock);
	vd->done = true;
	proc_wake_locked(vd->tg);
	vfork_put_locked(vd, &last);
	pthread_mutex_unlock(&proc_wait_lock);
	if (last) {
		tg_put(vd->tg);
		free(vd);
	}
}

void tg_get(struct thread_group *tg)
{
	ref_get(&tg->ref);
}

static void sighand_put(struct sighand *sh)
{
	if (sh && ref_put(&sh->ref)) {
		pthread_mutex_destroy(&sh->lock);
		free(sh);
	}
}

void tg_put(struct thread_group *tg)
{
	if (!tg || !ref_put(&tg->ref))
		return;
	sig_group_release(tg);
	sighand_put(tg->sighand);
	if (tg->pidfd_wq) {
		waitq_destroy(tg->pidfd_wq);
		free(tg->pidfd_wq);
	}
	pthread_cond_destroy(&tg->child_cv);
	pthread_cond_destroy(&tg->cond);
	pthread_mutex_destroy(&tg->lock);
	free(tg);
}

/* A copy of sh's actions; clear resets caught signals to SIG_DFL (CLONE_CLEAR_SIGHAND). */
static struct sighand *sighand_copy(struct sighand *sh, bool clear)
{
	struct sighand *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	ref_init(&n->ref);
	pthread_mutex_init(&n->lock, NULL);
	pthread_mutex_lock(&sh->lock);
	memcpy(n->action, sh->action, sizeof(n->action));
	pthread_mutex_unlock(&sh->lock);
	if (clear)
		for (int i = 0; i < LINUX_NSIG; i++)
			if (n->action[i].handler != (uint64_t)(uintptr_t)SIG_IGN)
				memset(&n->action[i], 0, sizeof(n->action[i]));
	return n;
}

int proc_unshare_sighand(struct thread_group *tg)
{
	struct sighand *n, *old = tg->sighand;

	if (ref_read(&old->ref) == 1)
		return 0;
	n = sighand_copy(old, false);
	if (!n)
		return -ENOMEM;
	/* The old one lives on in the process still sharing it. */
	pthread_mutex_lock(&tg->lock);
	tg->sighand = n;
	pthread_mutex_unlock(&tg->lock);
	sighand_put(old);
	return 0;
}

struct thread_group *tg_new(struct kernel *k)
{
	struct thread_group *tg = calloc(1, sizeof(*tg));

	if (!tg)
		return NULL;
	ref_init(&tg->ref);
	pthread_mutex_init(&tg->lock, NULL);
	pthread_cond_init(&tg->cond, NULL);
	pthread_cond_init(&tg->child_cv, NULL);
	list_init(&tg->tasks);
	list_init(&tg->children);
	list_init(&tg->sibling);
	tg->k = k;
	return tg;
}

/* A new process's thread group, its settings copied from the parent's group. */
static struct thread_group *tg_alloc(struct thread_group *from)
{
	struct thread_group *tg = tg_new(from->k);

	if (!tg)
		return NULL;
	pthread_mutex_lock(&from->lock);
	memcpy(tg->rlimits, from->rlimits, sizeof(tg->rlimits));
	tg->dumpable = from->dumpable;
	tg->oom_score_adj = from->oom_score_adj;
	pthread_mutex_unlock(&from->lock);
	return tg;
}

/* The flag rules of copy_process() and clone3_args_valid(). */
static int clone_check(struct task *t, const struct clone_params *p)
{
	uint64_t f = p->flags;

	if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((f & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	/* Threads share signal handlers; sharing handlers needs a shared address space. */
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	/* The sandbox's init makes no siblings: they would have no one to reap them. */
	if ((f & CLONE_PARENT) && t->tg == t->k->init)
		return -EINVAL;
	if ((f & CLONE_PIDFD) && (f & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	if ((f & (CLONE_CLEAR_SIGHAND | CLONE_SIGHAND)) == (CLONE_CLEAR_SIGHAND | CLONE_SIGHAND))
		return -EINVAL;
	/* a private copy of the mount tree is the one namespace the sandbox has inside */
	if (f & ((CLONE_NS_FLAGS & ~(uint64_t)CLONE_NEWNS) | CLONE_INTO_CGROUP))
		return -EINVAL; /* other namespaces and cgroups inside the sandbox: not supported */
	if ((f & CLONE_NEWNS) && !cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (p->exit_signal < 0 || p->exit_signal > LINUX_NSIG)
		return -EINVAL;
	if (p->tls && (f & CLONE_SETTLS) && p->tls >= mm_task_size(t->mm))
		return -EPERM;
	return 0;
}

int proc_count_uid(struct kernel *k, uint32_t uid)
{
	int n = 0;

	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (o && o->cred && o->cred->uid == uid)
			n++;
	}
	return n;
}

/* RLIMIT_NPROC (per real uid, root exempt as Linux's INIT_USER) and the sandbox's task
 * limit. k->lock held. */
static int clone_limits(struct task *t)
{
	struct kernel *k = t->k;
	const struct cred *c = t->cred;
	uint64_t lim;

	if (k->ntasks >= k->max_tasks)
		return -EAGAIN;
	pthread_mutex_lock(&t->tg->lock);
	lim = t->tg->rlimits[RLIMIT_NPROC].rlim_cur;
	pthread_mutex_unlock(&t->tg->lock);
	if (lim >= (uint64_t)KERNEL_MAX_PID || c->uid == 0)
		return 0;
	if (c->cap_effective & ((1ULL << CAP_SYS_RESOURCE) | (1ULL << CAP_SYS_ADMIN)))
		return 0;
	if ((uint64_t)proc_count_uid(k, c->uid) >= lim)
		return -EAGAIN;
	return 0;
}

/* Places the new task at set_tid (clone3's set_tid) or any free pid. k->lock held. */
static int clone_pid(struct kernel *k, struct task *c, int set_tid)
{
	if (!set_tid)
		return kernel_alloc_pid_locked(k, c);
	if (set_tid < 1 || set_tid >= KERNEL_MAX_PID)
		return -EINVAL;
	if (k->pid_table[set_tid])
		return -EEXIST;
	k->pid_table[set_tid] = c;
	k->ntasks++;
	return set_tid;
}

/* Releases what task_clone took for c before c ever ran. */
static void clone_undo(struct task *c)
{
	free(c->fp_init);
	free(c->xstate_init);
	if (c->mm)
		mm_put(c->mm);
	if (c->fdt)
		fdt_put(c->fdt);
	if (c->fs)
		fs_view_put(c->fs);
	if (c->cred)
		cred_put(c->cred);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Copies what the child gets from t (address space, files, fs, creds, registers). */
static int clone_copy(struct task *t, struct task *c, const struct clone_params *p)
{
	uint64_t f = p->flags;
	size_t xsize;
	int err;

	c->k = t->k;
	clock_gettime(CLOCK_MONOTONIC, &c->start_time);
	pthread_mutex_init(&c->lock, NULL);
	list_init(&c->tg_node);
	cred_get(t->cred);
	c->cred = t->cred;
	if (f & CLONE_VM) {
		mm_get(t->mm);
		c->mm = t->mm;
	} else {
		err = mm_fork(t->mm, &c->mm);
		if (err)
			return err;
	}
	if (f & CLONE_FILES) {
		fdt_get_ref(t->fdt);
		c->fdt = t->fdt;
	} else {
		c->fdt = fdt_copy(t->fdt);
		if (!c->fdt)
			return -ENOMEM;
	}
	if (f & CLONE_FS) {
		ref_get(&t->fs->ref);
		c->fs = t->fs;
	} else {
		c->fs = fs_view_copy(t->fs);
		if (!c->fs)
			return -ENOMEM;
		if (f & CLONE_NEWNS) {
			int err = vfs_mount_ns_copy(c->fs);

			if (err < 0)
				return err;
		}
	}
	c->regs = t->regs;
	c->regs.rax = 0;
	/* Best effort: without it the child starts from a clean FPU state. */
	c->fp_init = malloc(sizeof(*c->fp_init));
	if (c->fp_init && (!t->ctx || t->ctx->ops->get_fpregs(t->ctx, c->fp_init))) {
		free(c->fp_init);
		c->fp_init = NULL;
	}
	/* The ymm/zmm registers and the rest of the XSAVE area too, as Linux's fork copies
	 * the whole FPU state. */
	xsize = plat_xstate_size(NULL);
	if (c->fp_init && xsize && t->ctx->ops->get_xstate) {
		c->xstate_init = malloc(xsize);
		if (c->xstate_init && t->ctx->ops->get_xstate(t->ctx, c->xstate_init, xsize)) {
			free(c->xstate_init);
			c->xstate_init = NULL;
		}
	}
	if (p->stack)
		c->regs.rsp = p->stack;
	if (f & CLONE_SETTLS)
		c->regs.fs_base = p->tls;
	c->sigmask = t->sigmask;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	/* A thread on a shared address space must not share its parent's signal stack,
	 * unless it is a vfork child that runs on the parent's stack anyway. */
	if ((f & (CLONE_VM | CLONE_VFORK)) == CLONE_VM) {
		c->altstack.flags = SS_DISABLE;
	} else {
		c->altstack.sp = t->altstack.sp;
		c->altstack.size = t->altstack.size;
		c->altstack.flags = t->altstack.flags;
	}
	c->no_new_privs = t->no_new_privs;
	c->sched = t->sched;
	if (f & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = p->child_tid;
	return 0;
}

/* Makes c a thread of t's group, or the first thread of a new group. k->lock held. */
static int clone_link(struct task *t, struct task *c, struct thread_group *ntg,
		      const struct clone_params *p)
{
	struct thread_group *tg = t->tg;

	if (p->flags & CLONE_THREAD) {
		pthread_mutex_lock(&tg->lock);
		if (tg->exiting || tg->exec_task) {
			pthread_mutex_unlock(&tg->lock);
			return -EINTR;
		}
		c->tg = tg;
		list_add_tail(&c->tg_node, &tg->tasks);
		tg->ntasks++;
		pthread_mutex_unlock(&tg->lock);
		return 0;
	}
	ntg->parent = (p->flags & CLONE_PARENT) ? tg->parent : tg;
	if (!ntg->parent || ntg->parent->zombie || ntg->parent->exiting)
		return -EINTR;
	ntg->parent_thread = (p->flags & CLONE_PARENT) ? tg->parent_thread : t->tid;
	ntg->exit_signal = (p->flags & CLONE_PARENT) ? tg->exit_signal : p->exit_signal;
	ntg->tgid = c->tid;
	ntg->pgid = tg->pgid;
	ntg->sid = tg->sid;
	ntg->leader = c;
	list_add_tail(&c->tg_node, &ntg->tasks);
	ntg->ntasks = 1;
	c->tg = ntg;
	list_add_tail(&ntg->sibling, &ntg->parent->children);
	return 0;
}

/* Blocks the vfork parent until the child execs or exits (killable only, as Linux). */
static void clone_vfork_wait(struct task *t, struct vfork_done *vd)
{
	for (;;) {
		uint64_t gen;

		pthread_mutex_lock(&proc_wait_lock);
		gen = t->tg->child_gen;
		if (vd->done) {
			pthread_mutex_unlock(&proc_wait_lock);
			return;
		}
		pthread_mutex_unlock(&proc_wait_lock);
		if (proc_wait_gen(t, t->tg, gen, true))
			return; /* we are being killed; the child lets go of vd on its own */
	}
}

long task_clone(struct task *t, const struct clone_params *p)
{
	struct kernel *k = t->k;
	struct thread_group *ntg = NULL;
	struct vfork_done *vd = NULL;
	struct task *c;
	int pidfd = -1, tid, err;

	err = clone_check(t, p);
	if (err)
		return err;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = clone_copy(t, c, p);
	if (err)
		goto out_undo;
	if (!(p->flags & CLONE_THREAD)) {
		ntg = tg_alloc(t->tg);
		err = -ENOMEM;
		if (!ntg)
			goto out_undo;
		if (p->flags & CLONE_SIGHAND) {
			ref_get(&t->tg->sighand->ref);
			ntg->sighand = t->tg->sighand;
		} else {
			ntg->sighand = sighand_copy(t->tg->sighand, p->flags & CLONE_CLEAR_SIGHAND);
			if (!ntg->sighand)
				goto out_put_tg;
		}
	}
	if (p->flags & CLONE_VFORK) {
		/* Lives until the child completes it: the parent may be killed meanwhile. */
		vd = calloc(1, sizeof(*vd));
		err = -ENOMEM;
		if (!vd)
			goto out_put_tg;
		vd->refs = 2;
		vd->tg = t->tg;
		tg_get(t->tg);
		c->vfork_done = vd;
	}

	pthread_mutex_lock(&k->lock);
	err = clone_limits(t);
	if (err)
		goto out_unlock;
	tid = clone_pid(k, c, p->set_tid);
	err = tid;
	if (tid < 0)
		goto out_unlock;
	c->tid = tid;
	err = clone_link(t, c, ntg, p);
	if (err) {
		k->pid_table[tid] = NULL;
		k->ntasks--;
		goto out_unlock;
	}
	k->nr_live++;
	pthread_mutex_unlock(&k->lock);

	if (p->flags & CLONE_PIDFD) {
		pidfd = pidfd_create(t, ntg, 0);
		err = pidfd;
		if (pidfd >= 0)
			err = task_copy_out(t, p->pidfd, &pidfd, sizeof(pidfd));
		if (err < 0) {
			if (pidfd >= 0)
				fdt_close(t->fdt, pidfd);
			goto out_unstart;
		}
	}
	/* Linux writes both ids before the child runs, each into its own address space. */
	if (p->flags & CLONE_CHILD_SETTID)
		mm_copy_out(c->mm, p->child_tid, &tid, sizeof(tid));
	if (p->flags & CLONE_PARENT_SETTID)
		task_copy_out(t, p->parent_tid, &tid, sizeof(tid));

	err = task_start(c);
	if (err) {
		log_warn("clone: cannot start a task thread: %d", err);
		if (pidfd >= 0)
			fdt_close(t->fdt, pidfd);
		err = -EAGAIN;
		goto out_unstart;
	}
	if (vd) {
		bool last;

		clone_vfork_wait(t, vd);
		pthread_mutex_lock(&proc_wait_lock);
		vfork_put_locked(vd, &last);
		pthread_mutex_unlock(&proc_wait_lock);
		if (last) {
			tg_put(vd->tg);
			free(vd);
		}
	}
	return tid;

out_unstart:
	/* Never ran: take it out of the tree again as if it had never been. */
	pthread_mutex_lock(&k->lock);
	k->nr_live--;
	k->pid_table[tid] = NULL;
	k->ntasks--;
	sig_task_release(c); /* a signal may have found it meanwhile */
	if (p->flags & CLONE_THREAD) {
		pthread_mutex_lock(&t->tg->lock);
		list_del(&c->tg_node);
		t->tg->ntasks--;
		pthread_mutex_unlock(&t->tg->lock);
	} else {
		list_del(&ntg->sibling);
	}
	pthread_mutex_unlock(&k->lock);
	goto out_put_tg;
out_unlock:
	pthread_mutex_unlock(&k->lock);
out_put_tg:
	if (vd) {
		tg_put(vd->tg);
		free(vd);
	}
	tg_put(ntg);
out_undo:
	clone_undo(c);
	return err;
}
