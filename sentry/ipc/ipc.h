/*
 * System V IPC (shared memory, semaphores, message queues) for the sandbox.
 *
 * Every object lives in an IPC namespace; today there is one per sandbox kernel
 * (k->ipc, made on first use): CLONE_NEWIPC is refused by clone/unshare, so there is
 * nothing to nest yet.
 *
 * Lock order: k->lock -> the namespace lock -> VFS object locks (a shm segment's file is
 * made under it). It is taken under k->lock (the exit hook applies SEM_UNDO there) and
 * under mm locks (a shm file's release runs from munmap and exit), so nothing holding it
 * touches guest memory, an mm or k->lock: guest copies happen before or after. POSIX
 * message queues have locks of their own (mqueue.h).
 */
#ifndef SENTRY_IPC_IPC_H
#define SENTRY_IPC_IPC_H

#include <stdint.h>

#include "common/util.h"

struct task;
struct kernel;
struct thread_group;
struct timespec;

/* Linux's default limits (ipc/util.h, include/uapi/linux/{shm,sem,msg}.h), which
 * /proc/sys/kernel shows. */
#define IPC_MNI 32000 /* ids per kind (SEMMNI, MSGMNI; SHMMNI is 4096) */
#define IPC_SEQ_MULT 32768 /* id = seq * IPC_SEQ_MULT + index */
#define SHM_MNI 4096
#define SHM_MAX (UINT64_MAX - (1ULL << 24))
#define SHM_ALL (UINT64_MAX - (1ULL << 24))
#define SHM_MAX_STR "18446744073692774399"
#define SEM_MSL 32000
#define SEM_MNS (IPC_MNI * SEM_MSL)
#define SEM_OPM 500
#define SEM_VMX 32767
#define SEM_AEM SEM_VMX
#define SEM_SYSCTL_STR "32000\t1024000000\t500\t32000" /* SEMMSL SEMMNS SEMOPM SEMMNI */
#define MSG_MAX 8192
#define MSG_MNB 16384

/* /proc/sysvipc: msg, sem and shm of the reading task's namespace. */
struct synth_table;
extern const struct synth_table ipc_sysvipc_table;

/* shmget/shmat/shmdt/shmctl: results as the syscalls return them, or -errno. */
long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flags);
long ipc_shmat(struct task *t, int id, uaddr_t addr, int flags);
long ipc_shmdt(struct task *t, uaddr_t addr);
long ipc_shmctl(struct task *t, int id, int cmd, uaddr_t buf);

long ipc_semget(struct task *t, int32_t key, int nsems, int flags);
/* semtimedop: timeout is a relative guest timespec pointer (0 = none). */
long ipc_semtimedop(struct task *t, int id, uaddr_t sops, uint64_t nsops, uaddr_t timeout);
long ipc_semctl(struct task *t, int id, int num, int cmd, uint64_t arg);

long ipc_msgget(struct task *t, int32_t key, int flags);
long ipc_msgsnd(struct task *t, int id, uaddr_t msgp, uint64_t size, int flags);
long ipc_msgrcv(struct task *t, int id, uaddr_t msgp, uint64_t size, int64_t type, int flags);
long ipc_msgctl(struct task *t, int id, int cmd, uaddr_t buf);

/*
 * The last thread of tg is exiting: applies its SEM_UNDO adjustments (before its parent
 * can see it exit). Called with k->lock held.
 */
void ipc_exit_group(struct kernel *k, struct thread_group *tg);

#endif
