/* System V IPC syscalls: decode the arguments and call into sentry/ipc. */
#include "sentry/ipc/ipc.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

long sys_shmget(struct task *t, const struct sysargs *a)
{
	return ipc_shmget(t, sysarg_int(a, 0), sysarg_size(a, 1), sysarg_int(a, 2));
}

long sys_shmat(struct task *t, const struct sysargs *a)
{
	return ipc_shmat(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_int(a, 2));
}

long sys_shmdt(struct task *t, const struct sysargs *a)
{
	return ipc_shmdt(t, sysarg_addr(a, 0));
}

long sys_shmctl(struct task *t, const struct sysargs *a)
{
	return ipc_shmctl(t, sysarg_int(a, 0), sysarg_int(a, 1), sysarg_addr(a, 2));
}

long sys_semget(struct task *t, const struct sysargs *a)
{
	return ipc_semget(t, sysarg_int(a, 0), sysarg_int(a, 1), sysarg_int(a, 2));
}

long sys_semop(struct task *t, const struct sysargs *a)
{
	return ipc_semtimedop(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2), 0);
}

long sys_semtimedop(struct task *t, const struct sysargs *a)
{
	return ipc_semtimedop(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2),
			      sysarg_addr(a, 3));
}

/* semctl(2): the fourth argument is union semun passed by value (an int or a pointer). */
long sys_semctl(struct task *t, const struct sysargs *a)
{
	return ipc_semctl(t, sysarg_int(a, 0), sysarg_int(a, 1), sysarg_int(a, 2),
			  sysarg_size(a, 3));
}

long sys_msgget(struct task *t, const struct sysargs *a)
{
	return ipc_msgget(t, sysarg_int(a, 0), sysarg_int(a, 1));
}

long sys_msgsnd(struct task *t, const struct sysargs *a)
{
	return ipc_msgsnd(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2),
			  sysarg_int(a, 3));
}

long sys_msgrcv(struct task *t, const struct sysargs *a)
{
	return ipc_msgrcv(t, sysarg_int(a, 0), sysarg_addr(a, 1), sysarg_size(a, 2),
			  sysarg_long(a, 3), sysarg_int(a, 4));
}

long sys_msgctl(struct task *t, const struct sysargs *a)
{
	return ipc_msgctl(t, sysarg_int(a, 0), sysarg_int(a, 1), sysarg_addr(a, 2));
}
