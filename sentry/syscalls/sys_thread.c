/* Thread and process control: exit, execve, arch_prctl, prctl, robust lists, affinity. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "sentry/kernel/exec.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define MAX_ARG_TOTAL (2UL << 20) /* a quarter of the 8 MiB stack, as Linux allows */
#define MAX_ARG_STRINGS 0x7fffffff

long sys_exit(struct task *t, const struct sysargs *a)
{
	t->exit_code = sysarg_int(a, 0) & 0xff;
	t->exiting = true;
	return 0;
}

long sys_exit_group(struct task *t, const struct sysargs *a)
{
	task_group_exit(t, (sysarg_int(a, 0) & 0xff) << 8);
	return 0;
}

long sys_set_tid_address(struct task *t, const struct sysargs *a)
{
	t->clear_child_tid = sysarg_addr(a, 0);
	return t->tid;
}

long sys_arch_prctl(struct task *t, const struct sysargs *a)
{
	uaddr_t addr = sysarg_addr(a, 1);

	switch (sysarg_int(a, 0)) {
	case ARCH_SET_FS:
		if (addr >= mm_task_size(t->mm))
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= mm_task_size(t->mm))
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return task_copy_out(t, addr, &t->regs.fs_base, sizeof(uint64_t));
	case ARCH_GET_GS:
		return task_copy_out(t, addr, &t->regs.gs_base, sizeof(uint64_t));
	case ARCH_GET_CPUID:
		return 1; /* CPUID is not faulting */
	default:
		return -EINVAL;
	}
}

long sys_set_robust_list(struct task *t, const struct sysargs *a)
{
	if (sysarg_size(a, 1) != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = sysarg_addr(a, 0);
	t->robust_list_len = sysarg_size(a, 1);
	return 0;
}

long sys_get_robust_list(struct task *t, const struct sysargs *a)
{
	int pid = sysarg_int(a, 0);
	uint64_t head, len = 24;
	struct task *o;
	int err;

	pthread_mutex_lock(&t->k->lock);
	o = pid ? kernel_find_task(t->k, pid) : t;
	head = o ? o->robust_list : 0;
	pthread_mutex_unlock(&t->k->lock);
	if (!o)
		return -ESRCH;
	err = task_copy_out(t, sysarg_addr(a, 1), &head, sizeof(head));
	if (!err)
		err = task_copy_out(t, sysarg_addr(a, 2), &len, sizeof(len));
	return err;
}

long sys_prctl(struct task *t, const struct sysargs *a)
{
	uint64_t arg2 = a->a[1];
	char name[LINUX_TASK_COMM_LEN];
	long n;

	switch (sysarg_int(a, 0)) {
	case PR_SET_NAME:
		n = task_strncpy_in(t, arg2, name, sizeof(name));
		if (n == -ENAMETOOLONG) {
			/* Linux truncates silently to 15 bytes. */
			if (task_copy_in(t, arg2, name, sizeof(name) - 1))
				return -EFAULT;
			name[sizeof(name) - 1] = 0;
		} else if (n < 0) {
			return n;
		}
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return task_copy_out(t, arg2, t->comm, sizeof(t->comm));
	case PR_GET_DUMPABLE:
		return t->tg->dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -EINVAL;
		t->tg->dumpable = arg2;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case PR_SET_PDEATHSIG:
		if (arg2 > LINUX_NSIG)
			return -EINVAL;
		t->pdeathsig = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		return task_copy_out(t, arg2, &t->pdeathsig, sizeof(int));
	case PR_SET_CHILD_SUBREAPER:
		t->tg->child_subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->tg->child_subreaper;

		return task_copy_out(t, arg2, &v, sizeof(v));
	}
	case PR_GET_SECCOMP:
		return 0;
	case PR_CAPBSET_READ:
		if (arg2 > 40)
			return -EINVAL;
		return (t->cred->cap_bounding >> arg2) & 1;
	case PR_GET_TIMERSLACK:
		return 50000;
	default:
		return -EINVAL;
	}
}

long sys_sched_yield(struct task *t, const struct sysargs *a)
{
	sched_yield();
	return 0;
}

/* The sandbox's CPUs are the host CPUs the sentry may use. */
long sys_sched_getaffinity(struct task *t, const struct sysargs *a)
{
	uint64_t len = sysarg_size(a, 1);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t need = (uint64_t)((ncpu + 63) / 64) * 8;
	uint8_t mask[128] = { 0 };
	int pid = sysarg_int(a, 0);

	if (len < need || (len & 7))
		return -EINVAL;
	if (pid && !kernel_find_task(t->k, pid))
		return -ESRCH;
	for (long i = 0; i < ncpu && i < (long)sizeof(mask) * 8; i++)
		mask[i / 8] |= (uint8_t)(1u << (i % 8));
	need = MIN(need, sizeof(mask));
	return task_copy_out(t, sysarg_addr(a, 2), mask, need) ?: (long)need;
}

long sys_getcpu(struct task *t, const struct sysargs *a)
{
	unsigned cpu = (unsigned)sched_getcpu(), node = 0;
	int err = 0;

	if (sysarg_addr(a, 0))
		err = task_copy_out(t, sysarg_addr(a, 0), &cpu, sizeof(cpu));
	if (!err && sysarg_addr(a, 1))
		err = task_copy_out(t, sysarg_addr(a, 1), &node, sizeof(node));
	return err;
}

/* Copies a guest argv/envp vector; *total accumulates the bytes for the E2BIG check. */
static int strv_in(struct task *t, uaddr_t addr, char ***out, size_t *total)
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
		if (*total > MAX_ARG_TOTAL) {
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

long sys_execve(struct task *t, const struct sysargs *a)
{
	char *path = NULL, **argv = NULL, **envp = NULL;
	size_t total = 0;
	int err;

	err = task_path_in(t, sysarg_addr(a, 0), &path);
	if (err)
		return err;
	err = strv_in(t, sysarg_addr(a, 1), &argv, &total);
	if (err)
		goto out;
	err = strv_in(t, sysarg_addr(a, 2), &envp, &total);
	if (err)
		goto out;
	err = task_execve(t, path, argv, envp);
out:
	free(path);
	strv_free(argv);
	strv_free(envp);
	return err;
}
