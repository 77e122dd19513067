/* Thread and process control: exit, arch_prctl, prctl, robust lists, affinity (execve and
 * the clone family are in sys_process.c). */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

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
