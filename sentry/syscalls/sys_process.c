/* Process lifecycle syscalls: the clone family, execve/execveat, wait4/waitid, pidfds,
 * sessions and process groups. They decode and check; sentry/kernel/ does the work. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/wait.h"
#include "sentry/loader/loader.h"
#include "sentry/syscalls/sys_fsutil.h"
#include "sentry/syscalls/syscalls.h"

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define MAX_ARG_STRINGS 0x7fffffff

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE3_KNOWN_FLAGS (0xffffffffULL | 0x100000000ULL | 0x200000000ULL)

/* ---- clone family ---- */

long sys_fork(struct task *t, const struct sysargs *a)
{
	struct clone_params p = { .exit_signal = SIGCHLD };

	return task_clone(t, &p);
}

long sys_vfork(struct task *t, const struct sysargs *a)
{
	struct clone_params p = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

	return task_clone(t, &p);
}

/* clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order. */
long sys_clone(struct task *t, const struct sysargs *a)
{
	uint64_t flags = (uint32_t)a->a[0];
	struct clone_params p = {
		.flags = flags & ~(uint64_t)CSIGNAL,
		.exit_signal = (int)(flags & CSIGNAL),
		.stack = sysarg_addr(a, 1),
		.parent_tid = sysarg_addr(a, 2),
		.child_tid = sysarg_addr(a, 3),
		.tls = sysarg_addr(a, 4),
	};

	/* The legacy call returns the pidfd through parent_tid: the two cannot mix. */
	if ((p.flags & CLONE_PIDFD) && (p.flags & CLONE_PARENT_SETTID))
		return -EINVAL;
	p.pidfd = p.parent_tid;
	/* Ignored by the legacy call since Linux 2.6. */
	p.flags &= ~(uint64_t)CLONE_DETACHED;
	if (p.flags & CLONE_THREAD)
		p.exit_signal = 0;
	return task_clone(t, &p);
}

struct linux_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* clone3(args, size): the struct may grow; unknown trailing bytes must be zero. */
long sys_clone3(struct task *t, const struct sysargs *a)
{
	uaddr_t uargs = sysarg_addr(a, 0);
	uint64_t size = sysarg_size(a, 1);
	struct linux_clone_args ca = { 0 };
	struct clone_params p = { 0 };
	int err;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	err = task_copy_in(t, uargs, &ca, MIN(size, sizeof(ca)));
	if (err)
		return err;
	for (uint64_t off = sizeof(ca); off < size; off += 8) {
		uint8_t tail[8] = { 0 };
		uint64_t n = MIN(8, size - off);

		err = task_copy_in(t, uargs + off, tail, n);
		if (err)
			return err;
		for (uint64_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	if (ca.flags & ~CLONE3_KNOWN_FLAGS)
		return -EINVAL;
	if (ca.exit_signal & ~(uint64_t)CSIGNAL)
		return -EINVAL;
	if ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal)
		return -EINVAL;
	if (ca.flags & CLONE_DETACHED)
		return -EINVAL;
	if (ca.set_tid_size > 32 || (!ca.set_tid && ca.set_tid_size) ||
	    (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if (!ca.stack != !ca.stack_size)
		return -EINVAL;
	if (ca.set_tid_size) {
		int32_t want;

		/* One pid namespace level only: the sandbox's. */
		if (ca.set_tid_size != 1)
			return -EINVAL;
		err = task_copy_in(t, ca.set_tid, &want, sizeof(want));
		if (err)
			return err;
		if (want <= 0)
			return -EINVAL;
		if (!(t->cred->cap_effective & (1ULL << 21))) /* CAP_SYS_ADMIN */
			return -EPERM;
		p.set_tid = want;
	}
	p.flags = ca.flags;
	p.exit_signal = (int)ca.exit_signal;
	p.stack = ca.stack ? ca.stack + ca.stack_size : 0;
	p.tls = ca.tls;
	p.parent_tid = ca.parent_tid;
	p.child_tid = ca.child_tid;
	p.pidfd = ca.pidfd;
	return task_clone(t, &p);
}

/* ---- execve ---- */

/* Copies a guest argv/envp vector; *total accumulates the bytes for the E2BIG check against
 * limit (the loader's exact check comes later; this one bounds what the sentry copies). */
static int strv_in(struct task *t, uaddr_t addr, char ***out, size_t *total, uint64_t limit)
{
	size_t n = 0, cap = 16;
	char **v = calloc(cap + 1, sizeof(char *));
	int err = 0;

	if (!v)
		return -ENOMEM;
	while (addr) {
		uint64_t p;
		char *s;
		long len;

		err = task_copy_in(t, addr + 8 * n, &p, sizeof(p));
		if (err)
			goto fail;
		if (!p)
			break;
		if (n >= MAX_ARG_STRINGS) {
			err = -E2BIG;
			goto fail;
		}
		s = malloc(MAX_ARG_STRLEN);
		if (!s) {
			err = -ENOMEM;
			goto fail;
		}
		len = task_strncpy_in(t, p, s, MAX_ARG_STRLEN);
		if (len < 0) {
			free(s);
			err = len == -ENAMETOOLONG ? -E2BIG : (int)len;
			goto fail;
		}
		*total += (size_t)len + 1 + sizeof(uint64_t);
		if (*total > limit) {
			free(s);
			err = -E2BIG;
			goto fail;
		}
		v[n++] = realloc(s, (size_t)len + 1) ?: s;
		if (n == cap) {
			char **nv = realloc(v, (cap * 2 + 1) * sizeof(char *));

			if (!nv) {
				err = -ENOMEM;
				goto fail;
			}
			v = nv;
			cap *= 2;
		}
		v[n] = NULL;
	}
	*out = v;
	return 0;
fail:
	strv_free(v);
	return err;
}

/* execveat(2); execve(2) is execveat(AT_FDCWD, path, argv, envp, 0). */
static long do_execveat(struct task *t, int dirfd, uaddr_t upath, uaddr_t uargv, uaddr_t uenvp,
			int flags)
{
	char **argv = NULL, **envp = NULL, *fdpath = NULL;
	struct file *exe = NULL;
	struct loader_args la;
	struct sys_at at;
	size_t total = 0;
	uint64_t limit;
	long err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	err = sys_at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &at);
	if (err)
		goto out;
	pthread_mutex_lock(&t->tg->lock);
	limit = loader_arg_limit(t->tg->rlimits[RLIMIT_STACK].rlim_cur);
	pthread_mutex_unlock(&t->tg->lock);
	err = strv_in(t, uargv, &argv, &total, limit);
	if (err)
		goto out;
	err = strv_in(t, uenvp, &envp, &total, limit);
	if (err)
		goto out;
	memset(&la, 0, sizeof(la));
	la.dirfd_is_cwd = !at.start;
	la.argv = argv;
	la.envp = envp;
	la.path = at.name;
	la.start = at.start;
	la.nofollow = flags & AT_SYMLINK_NOFOLLOW;
	if (!at.name[0]) {
		if (!at.held) {
			err = -ENOENT;
			goto out;
		}
		/* A file of its own, as open_exec() makes one: the fd may be O_PATH. */
		if (!at.held->path.dentry) {
			err = -EACCES;
			goto out;
		}
		err = file_new(&at.held->path, at.held->path.dentry->inode,
			       O_RDONLY | O_NONBLOCK | O_NOCTTY, &exe);
		if (err)
			goto out;
		la.file = exe;
	}
	/* Linux names a program found through a dirfd "/dev/fd/N[/name]" (AT_EXECFN, a
	 * script's argv). */
	if (at.held && at.name[0] != '/') {
		err = -ENOMEM;
		if (asprintf(&fdpath, at.name[0] ? "/dev/fd/%d/%s" : "/dev/fd/%d", dirfd, at.name) <
		    0) {
			fdpath = NULL;
			goto out;
		}
		la.path = fdpath;
		la.name = at.name;
	}
	err = task_execve_args(t, &la);
out:
	if (exe)
		file_put(exe);
	sys_at_end(&at);
	free(fdpath);
	strv_free(argv);
	strv_free(envp);
	return err;
}

long sys_execve(struct task *t, const struct sysargs *a)
{
	return do_execveat(t, AT_FDCWD, sysarg_addr(a, 0), sysarg_addr(a, 1), sysarg_addr(a, 2), 0);
}

long sys_execveat(struct task *t, const struct sysargs *a)
{
	return do_execveat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_addr(a, 2),
			   sysarg_addr(a, 3), sysarg_int(a, 4));
}

/* ---- wait ---- */

/* The reaped child's own times (zero when nothing was reaped). */
static int put_rusage(struct task *t, uaddr_t addr, const struct wait_result *r)
{
	struct linux_rusage ru;

	if (!addr)
		return 0;
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = (int64_t)(r->utime_ns / 1000000000);
	ru.ru_utime.tv_usec = (int64_t)(r->utime_ns % 1000000000 / 1000);
	ru.ru_stime.tv_sec = (int64_t)(r->stime_ns / 1000000000);
	ru.ru_stime.tv_usec = (int64_t)(r->stime_ns % 1000000000 / 1000);
	ru.ru_maxrss = (int64_t)r->maxrss_kb;
	return task_copy_out(t, addr, &ru, sizeof(ru));
}

long sys_wait4(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), options = sysarg_int(a, 2);
	struct wait_req w = { .options = options | WEXITED };
	struct wait_result r;
	long ret;
	int err;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT_MIN)
		return -ESRCH;
	if (pid > 0) {
		w.idtype = P_PID;
		w.id = pid;
	} else if (pid == 0) {
		w.idtype = P_PGID;
		w.id = t->tg->pgid;
	} else if (pid < -1) {
		w.idtype = P_PGID;
		w.id = -pid;
	} else {
		w.idtype = P_ALL;
	}
	ret = proc_wait(t, &w, &r);
	if (ret <= 0)
		return ret;
	if (sysarg_addr(a, 1)) {
		err = task_copy_out(t, sysarg_addr(a, 1), &r.wstatus, sizeof(int));
		if (err)
			return err;
	}
	err = put_rusage(t, sysarg_addr(a, 3), &r);
	return err ? err : r.pid;
}

long sys_waitid(struct task *t, const struct sysargs *a)
{
	int idtype = sysarg_int(a, 0), id = sysarg_int(a, 1), options = sysarg_int(a, 3);
	uaddr_t infop = sysarg_addr(a, 2);
	struct wait_req w = { .idtype = idtype, .id = id, .options = options };
	struct linux_siginfo si;
	struct wait_result r;
	long ret;
	int err = 0;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			w.id = t->tg->pgid;
		break;
	case P_PIDFD:
		if (id < 0)
			return -EINVAL;
		w.pidfd_tg = pidfd_tg(t, id, &err);
		if (!w.pidfd_tg)
			return err;
		break;
	default:
		return -EINVAL;
	}
	ret = proc_wait(t, &w, &r);
	if (w.pidfd_tg)
		tg_put(w.pidfd_tg);
	if (ret < 0)
		return ret;
	err = put_rusage(t, sysarg_addr(a, 4), &r);
	if (err)
		return err;
	if (!infop)
		return 0;
	memset(&si, 0, sizeof(si));
	if (ret > 0) {
		si.si_signo = SIGCHLD;
		si.si_code = r.code;
		si.proc.pid = r.pid;
		si.proc.uid = r.uid;
		si.proc.chld.status = r.status;
		/* In clock ticks (USER_HZ = 100), as Linux reports them. */
		si.proc.chld.utime = (int64_t)(r.utime_ns / 10000000);
		si.proc.chld.stime = (int64_t)(r.stime_ns / 10000000);
	}
	return task_copy_out(t, infop, &si, sizeof(si));
}

/* ---- pidfds ---- */

long sys_pidfd_open(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	unsigned flags = sysarg_uint(a, 1);
	struct thread_group *tg = NULL;
	struct task *o;
	long ret;

	if (flags & ~(unsigned)O_NONBLOCK)
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	o = kernel_find_task(t->k, pid);
	if (o && o->tg->tgid == pid && !o->tg->reaped) {
		tg = o->tg;
		tg_get(tg);
	}
	pthread_mutex_unlock(&t->k->lock);
	if (!tg)
		return o ? -EINVAL : -ESRCH;
	ret = pidfd_create(t, tg, flags);
	tg_put(tg);
	return ret;
}

long sys_pidfd_send_signal(struct task *t, const struct sysargs *a)
{
	int sig = sysarg_int(a, 1), err = 0;
	uaddr_t uinfo = sysarg_addr(a, 2);
	struct thread_group *tg;
	unsigned flags = sysarg_uint(a, 3);
	struct linux_siginfo info;
	long ret = -ESRCH;

	/* PIDFD_SIGNAL_THREAD (the leader thread) or _THREAD_GROUP (the default). */
	if (flags & ~3u || flags == 3)
		return -EINVAL;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	tg = pidfd_tg(t, sysarg_int(a, 0), &err);
	if (!tg)
		return err;
	if (uinfo) {
		ret = task_copy_in(t, uinfo, &info, sizeof(info));
		if (ret)
			goto out;
		ret = -EINVAL;
		if (info.si_signo != sig)
			goto out;
		/* Only the kernel may claim to be the kernel, except to oneself. */
		ret = -EPERM;
		if ((info.si_code >= 0 || info.si_code == SI_TKILL) && tg != t->tg)
			goto out;
	} else {
		sig_info_from(t, sig, SI_USER, &info);
	}
	pthread_mutex_lock(&t->k->lock);
	ret = -ESRCH;
	if (!tg->reaped && !tg->zombie && tg->leader) {
		ret = sig_check_kill(t, tg->leader, &info);
		if (!ret)
			ret = sig_send_info(tg->leader, &info, flags != 1);
	} else if (!tg->reaped) {
		ret = 0; /* a zombie takes signals and ignores them */
	}
	pthread_mutex_unlock(&t->k->lock);
out:
	tg_put(tg);
	return ret;
}

/* ---- sessions and process groups ---- */

/* The process with pid (0: the caller's), k->lock held. */
static struct thread_group *find_proc(struct task *t, int pid)
{
	struct task *o;

	if (pid == 0)
		return t->tg;
	o = kernel_find_task(t->k, pid);
	if (!o || o->tg->tgid != pid || o->tg->reaped)
		return NULL;
	return o->tg;
}

/* Whether any process other than except is in group pgid. k->lock held. */
static bool pgrp_exists(struct kernel *k, int pgid, struct thread_group *except)
{
	for (int i = 1; i < KERNEL_MAX_PID; i++) {
		struct task *o = k->pid_table[i];

		if (o && o->tg->tgid == i && o->tg != except && o->tg->pgid == pgid &&
		    !o->tg->reaped)
			return true;
	}
	return false;
}

long sys_setsid(struct task *t, const struct sysargs *a)
{
	struct thread_group *tg = t->tg;
	struct kernel *k = t->k;
	long ret;

	pthread_mutex_lock(&k->lock);
	/* A group leader, or a pid that names some group, cannot start a session. */
	if (tg->pgid == tg->tgid || pgrp_exists(k, tg->tgid, tg)) {
		ret = -EPERM;
	} else {
		int old = tg->pgid;

		tg->sid = tg->pgid = tg->tgid;
		pgrp_check_orphaned(k, old, NULL);
		ret = tg->sid;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

long sys_setpgid(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0), pgid = sysarg_int(a, 1);
	struct kernel *k = t->k;
	struct thread_group *p;
	long ret = 0;

	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	p = find_proc(t, pid);
	if (!p) {
		ret = -ESRCH;
		goto out;
	}
	if (!pgid)
		pgid = p->tgid;
	if (p != t->tg) {
		/* Only the caller and its children, and not after a child's execve. */
		if (p->parent != t->tg) {
			ret = -ESRCH;
			goto out;
		}
		if (p->sid != t->tg->sid) {
			ret = -EPERM;
			goto out;
		}
		if (p->did_exec) {
			ret = -EACCES;
			goto out;
		}
	}
	if (p->sid == p->tgid) { /* a session leader stays in its group */
		ret = -EPERM;
		goto out;
	}
	if (pgid != p->tgid) {
		bool found = false;

		for (int i = 1; i < KERNEL_MAX_PID && !found; i++) {
			struct task *o = k->pid_table[i];

			found = o && o->tg->tgid == i && !o->tg->reaped && o->tg->pgid == pgid &&
				o->tg->sid == t->tg->sid;
		}
		if (!found) {
			ret = -EPERM;
			goto out;
		}
	}
	if (p->pgid != pgid) {
		int old = p->pgid;

		p->pgid = pgid;
		pgrp_check_orphaned(k, old, NULL);
		pgrp_check_orphaned(k, pgid, NULL);
	}
out:
	pthread_mutex_unlock(&k->lock);
	return ret;
}
