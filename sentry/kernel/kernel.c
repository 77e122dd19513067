/* The sandbox-wide tables: pids and the task registry. */
#include <errno.h>

#include "sentry/kernel/task.h"

/* Caller holds k->lock. Pids are handed out in increasing order and wrap, like Linux. */
int kernel_alloc_pid_locked(struct kernel *k, struct task *t)
{
	for (int n = 0; n < KERNEL_MAX_PID - 1; n++) {
		int pid = k->last_pid + 1;

		if (pid >= KERNEL_MAX_PID)
			pid = 2; /* pid 1 is init's alone */
		k->last_pid = pid;
		if (!k->pid_table[pid]) {
			k->pid_table[pid] = t;
			k->ntasks++;
			return pid;
		}
	}
	return -EAGAIN;
}

int kernel_alloc_pid(struct kernel *k, struct task *t)
{
	int pid;

	pthread_mutex_lock(&k->lock);
	pid = kernel_alloc_pid_locked(k, t);
	pthread_mutex_unlock(&k->lock);
	return pid;
}

void kernel_free_pid(struct kernel *k, int pid)
{
	pthread_mutex_lock(&k->lock);
	if (pid > 0 && pid < KERNEL_MAX_PID && k->pid_table[pid]) {
		k->pid_table[pid] = NULL;
		k->ntasks--;
	}
	pthread_mutex_unlock(&k->lock);
}

struct task *kernel_find_task(struct kernel *k, int tid)
{
	if (tid <= 0 || tid >= KERNEL_MAX_PID)
		return NULL;
	return k->pid_table[tid];
}
