/* Identity and system information: pids, ids, uname, sysinfo, rlimits. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "common/memfile.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/syscalls/syscalls.h"

#define WARDEN_UNAME_RELEASE "6.1.0-warden"

long sys_getpid(struct task *t, const struct sysargs *a)
{
	return t->tg->tgid;
}

long sys_gettid(struct task *t, const struct sysargs *a)
{
	return t->tid;
}

long sys_getppid(struct task *t, const struct sysargs *a)
{
	struct thread_group *p;
	long ret;

	/* Reparenting changes (and may free) the parent: read it under k->lock. */
	pthread_mutex_lock(&t->k->lock);
	p = t->tg->parent;
	ret = p ? p->tgid : 0;
	pthread_mutex_unlock(&t->k->lock);
	return ret;
}

long sys_getuid(struct task *t, const struct sysargs *a)
{
	return t->cred->uid;
}

long sys_geteuid(struct task *t, const struct sysargs *a)
{
	return t->cred->euid;
}

long sys_getgid(struct task *t, const struct sysargs *a)
{
	return t->cred->gid;
}

long sys_getegid(struct task *t, const struct sysargs *a)
{
	return t->cred->egid;
}

long sys_getresuid(struct task *t, const struct sysargs *a)
{
	const struct cred *c = t->cred;
	uint32_t v[3] = { c->uid, c->euid, c->suid };
	int err;

	for (int i = 0; i < 3; i++) {
		err = task_copy_out(t, sysarg_addr(a, i), &v[i], sizeof(v[i]));
		if (err)
			return err;
	}
	return 0;
}

long sys_getresgid(struct task *t, const struct sysargs *a)
{
	const struct cred *c = t->cred;
	uint32_t v[3] = { c->gid, c->egid, c->sgid };
	int err;

	for (int i = 0; i < 3; i++) {
		err = task_copy_out(t, sysarg_addr(a, i), &v[i], sizeof(v[i]));
		if (err)
			return err;
	}
	return 0;
}

long sys_getgroups(struct task *t, const struct sysargs *a)
{
	int size = sysarg_int(a, 0);
	const struct cred *c = t->cred;
	int err;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	err = task_copy_out(t, sysarg_addr(a, 1), c->groups, c->ngroups * sizeof(uint32_t));
	return err ? err : (long)c->ngroups;
}

long sys_getpgrp(struct task *t, const struct sysargs *a)
{
	return t->tg->pgid;
}

static struct thread_group *find_tg(struct task *t, int pid)
{
	struct task *o;

	if (pid == 0)
		return t->tg;
	o = kernel_find_task(t->k, pid);
	return o ? o->tg : NULL;
}

long sys_getpgid(struct task *t, const struct sysargs *a)
{
	struct thread_group *tg;
	long ret = -ESRCH;

	pthread_mutex_lock(&t->k->lock);
	tg = find_tg(t, sysarg_int(a, 0));
	if (tg)
		ret = tg->pgid;
	pthread_mutex_unlock(&t->k->lock);
	return ret;
}

long sys_getsid(struct task *t, const struct sysargs *a)
{
	struct thread_group *tg;
	long ret = -ESRCH;

	pthread_mutex_lock(&t->k->lock);
	tg = find_tg(t, sysarg_int(a, 0));
	if (tg)
		ret = tg->sid;
	pthread_mutex_unlock(&t->k->lock);
	return ret;
}

long sys_uname(struct task *t, const struct sysargs *a)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	pthread_mutex_lock(&t->k->lock);
	memcpy(u.nodename, t->k->hostname, sizeof(u.nodename) - 1);
	memcpy(u.domainname, t->k->domainname, sizeof(u.domainname) - 1);
	pthread_mutex_unlock(&t->k->lock);
	strcpy(u.release, WARDEN_UNAME_RELEASE);
	strcpy(u.version, "#1 SMP Warden " WARDEN_VERSION);
	strcpy(u.machine, "x86_64");
	return task_copy_out(t, sysarg_addr(a, 0), &u, sizeof(u));
}

long sys_sysinfo(struct task *t, const struct sysargs *a)
{
	struct linux_sysinfo si;
	struct sysinfo host;
	struct timespec now;

	memset(&si, 0, sizeof(si));
	clock_gettime(CLOCK_MONOTONIC, &now);
	si.uptime = now.tv_sec - t->k->boot_time.tv_sec;
	/* Memory is the host's as the sandbox sees it; load and swap are the sandbox's. */
	if (sysinfo(&host) == 0) {
		si.totalram = (uint64_t)host.totalram * host.mem_unit;
		si.freeram = (uint64_t)host.freeram * host.mem_unit;
		si.bufferram = 0;
	}
	si.sharedram = memfile_used_pages() * PAGE_SIZE;
	si.procs = (uint16_t)t->k->ntasks;
	si.mem_unit = 1;
	return task_copy_out(t, sysarg_addr(a, 0), &si, sizeof(si));
}

static int do_prlimit(struct task *t, int pid, unsigned res, uaddr_t new_addr, uaddr_t old_addr)
{
	struct linux_rlimit nl, old;
	struct thread_group *tg;
	int err = 0;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new_addr) {
		err = task_copy_in(t, new_addr, &nl, sizeof(nl));
		if (err)
			return err;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
	}
	pthread_mutex_lock(&t->k->lock);
	tg = find_tg(t, pid);
	if (!tg) {
		pthread_mutex_unlock(&t->k->lock);
		return -ESRCH;
	}
	pthread_mutex_lock(&tg->lock);
	old = tg->rlimits[res];
	if (new_addr) {
		/* Raising a hard limit takes CAP_SYS_RESOURCE; NOFILE is capped by nr_open. */
		if (nl.rlim_max > old.rlim_max && !(t->cred->cap_effective & (1ULL << 24)))
			err = -EPERM;
		else if (res == RLIMIT_NOFILE && nl.rlim_max > 1048576)
			err = -EPERM;
		else
			tg->rlimits[res] = nl;
	}
	pthread_mutex_unlock(&tg->lock);
	pthread_mutex_unlock(&t->k->lock);
	/* RLIMIT_CPU is a CPU timer (timer.c); another process's is not re-armed yet. */
	if (!err && new_addr && res == RLIMIT_CPU && tg == t->tg)
		timer_rlimit_cpu_update(t, tg);
	if (!err && old_addr)
		err = task_copy_out(t, old_addr, &old, sizeof(old));
	return err;
}

long sys_prlimit64(struct task *t, const struct sysargs *a)
{
	return do_prlimit(t, sysarg_int(a, 0), sysarg_uint(a, 1), sysarg_addr(a, 2),
			  sysarg_addr(a, 3));
}

long sys_getrlimit(struct task *t, const struct sysargs *a)
{
	if (!sysarg_addr(a, 1))
		return -EFAULT;
	return do_prlimit(t, 0, sysarg_uint(a, 0), 0, sysarg_addr(a, 1));
}

long sys_setrlimit(struct task *t, const struct sysargs *a)
{
	if (!sysarg_addr(a, 1))
		return -EFAULT;
	return do_prlimit(t, 0, sysarg_uint(a, 0), sysarg_addr(a, 1), 0);
}
