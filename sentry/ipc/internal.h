/*
 * System V IPC internals: the namespace, the id tables shared by the three object
 * kinds, permission checks, and the guest ABI structures (x86-64, the IPC_64 layouts
 * which are the only ones x86-64 has).
 */
#ifndef SENTRY_IPC_INTERNAL_H
#define SENTRY_IPC_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "sentry/ipc/ipc.h"

/* ---- guest ABI ---- */
#define IPC_KEY_PRIVATE 0
#define IPC_F_CREAT 01000
#define IPC_F_EXCL 02000
#define IPC_F_NOWAIT 04000
#define IPC_C_RMID 0
#define IPC_C_SET 1
#define IPC_C_STAT 2
#define IPC_C_INFO 3

struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
};

struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};

struct linux_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1, unused2, unused3, unused4;
};

struct linux_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};

struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct linux_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};

struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

/* ---- objects and id tables ---- */
/* What every IPC object starts with. Guarded by the namespace lock. */
struct ipc_obj {
	int id;
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode; /* permission bits plus SHM_DEST / SHM_LOCKED */
	uint16_t seq;
	int64_t ctime;
};

struct ipc_ids {
	struct ipc_obj **slots;
	int nslots; /* allocated */
	int in_use;
	int max_idx; /* highest index in use, -1 if none */
	int limit; /* SHMMNI, SEMMNI, MSGMNI */
	uint16_t seq;
};

struct ipc_ns {
	pthread_mutex_t lock; /* every object of every kind */
	/* Sleepers in semop, msgsnd and msgrcv, each rechecking its own condition. One
	 * for all: task_interrupt may broadcast it after its waiter left, so it must
	 * outlive every object (a set's or queue's own would die with IPC_RMID). */
	pthread_cond_t cv;
	struct ipc_ids shm, sem, msg;
	uint64_t shm_pages; /* shm_tot */
	int sem_total; /* semaphores in all sets */
	struct list_head undo; /* struct sem_undo.ns_node, all processes */
	struct mount *shm_mnt; /* the internal tmpfs shm segments live on */
	struct mount *mq_mnt; /* the mqueue fs mq_open names queues in */
};

/* The namespace of t (made on first use), or NULL on ENOMEM. */
struct ipc_ns *ipc_ns_of(struct task *t);
/* Same without creating it (exit hook): NULL if no IPC object was ever made. */
struct ipc_ns *ipc_ns_peek(struct kernel *k);

/* Adds o to ids with a fresh id (o->key, mode set by the caller). -ENOSPC if full. */
int ipc_ids_add(struct ipc_ids *ids, struct ipc_obj *o);
void ipc_ids_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* The object with id (-EINVAL if none). Under the ns lock. */
struct ipc_obj *ipc_ids_find(struct ipc_ids *ids, int id, long *err);
struct ipc_obj *ipc_ids_find_key(struct ipc_ids *ids, int32_t key);
/* The object at index idx (SHM_STAT & co.), NULL if none. */
struct ipc_obj *ipc_ids_at(struct ipc_ids *ids, int idx);
/* The object a *ctl command names: by table index for the *_STAT commands (by_index),
 * else by id; NULL with *err -EINVAL (no such index) or ipc_ids_find's error. */
struct ipc_obj *ipc_ids_ctl_lookup(struct ipc_ids *ids, int id, bool by_index, long *err);

/* Fills o's owner and creator from t's creds, mode from flags & 0777, ctime = now. */
void ipc_obj_init(struct task *t, struct ipc_obj *o, int32_t key, int flags);
/* ipcperms(): 0 if t may access o with flag's rwx bits (S_IRUGO / S_IWUGO...), else
 * -EACCES (CAP_IPC_OWNER overrides). */
int ipc_perm_check(struct task *t, const struct ipc_obj *o, int flag);
/* IPC_SET / IPC_RMID: t's euid is the owner or creator, or t has CAP_SYS_ADMIN. */
int ipc_owner_check(struct task *t, const struct ipc_obj *o);
/* IPC_STAT's ipc64_perm of o. */
void ipc_obj_to_perm(const struct ipc_obj *o, struct linux_ipc64_perm *p);
/* IPC_SET: new uid, gid and mode bits from p. */
void ipc_obj_set(struct ipc_obj *o, const struct linux_ipc64_perm *p);
int64_t ipc_now(void);
int ipc_tgid(struct task *t);

/* Kind hooks the ns uses. */
void ipc_sem_undo_exit_locked(struct ipc_ns *ns, struct thread_group *tg);

/* /proc/sysvipc/{shm,sem,msg}: Linux's header line and one line per object. */
struct synth_buf;
void ipc_shm_proc_show(struct ipc_ns *ns, struct synth_buf *b);
void ipc_sem_proc_show(struct ipc_ns *ns, struct synth_buf *b);
void ipc_msg_proc_show(struct ipc_ns *ns, struct synth_buf *b);

#endif
