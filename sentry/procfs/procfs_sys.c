/*
 * /proc/sys: the sysctls programs commonly read, each showing the limit the sandbox
 * really enforces (pid space, fd table, pipes, groups, VMAs) or Linux's default where
 * the sandbox has no knob of its own. kernel/hostname and domainname are writable
 * (with CAP_SYS_ADMIN, as sethostname(2)).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fs/pipe/pipe.h"
#include "sentry/ipc/ipc.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/vma.h"
#include "sentry/procfs/procfs_internal.h"

/* Must match uname(2) (sys_info.c) and /proc/version. */
#define SYSCTL_OSRELEASE "6.1.0-warden"
#define SYSCTL_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE: cred.c's full set */
#define SYSCTL_MMAP_MIN_ADDR 65536 /* mm's MM_MIN_ADDR */
#define CAP_SYS_ADMIN 21

struct sysctl {
	long value; /* printed unless str or get is set */
	const char *str;
	long (*get)(void);
};

static int sysctl_show(struct inode *inode, struct synth_buf *b)
{
	const struct sysctl *s = synth_i(inode)->data;

	if (s->str)
		synth_printf(b, "%s\n", s->str);
	else
		synth_printf(b, "%ld\n", s->get ? s->get() : s->value);
	return 0;
}

static const struct synth_ops sysctl_ops = { .show = sysctl_show };

static long threads_max(void)
{
	return procfs_kernel->max_tasks;
}

/* kernel/random/uuid: a fresh version-4 UUID on every read. */
static void put_uuid(struct synth_buf *b, const unsigned char *u)
{
	synth_printf(b, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
		     u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		     u[12], u[13], u[14], u[15]);
}

static void new_uuid(unsigned char *u)
{
	if (getrandom(u, 16, 0) != 16) {
		for (int i = 0; i < 16; i++)
			u[i] = (unsigned char)(random() >> 7);
	}
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
}

static int uuid_show(struct inode *inode, struct synth_buf *b)
{
	unsigned char u[16];

	(void)inode;
	new_uuid(u);
	put_uuid(b, u);
	return 0;
}

static const struct synth_ops uuid_ops = { .show = uuid_show };

/* kernel/random/boot_id: one UUID for the sandbox's life. */
static int boot_id_show(struct inode *inode, struct synth_buf *b)
{
	static unsigned char id[16];
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static bool made;

	(void)inode;
	pthread_mutex_lock(&mu);
	if (!made) {
		new_uuid(id);
		made = true;
	}
	pthread_mutex_unlock(&mu);
	put_uuid(b, id);
	return 0;
}

static const struct synth_ops boot_id_ops = { .show = boot_id_show };

/* kernel/hostname and domainname: data selects which (0 = host, 1 = domain). */
static char *uts_field(const struct inode *inode)
{
	return synth_i(inode)->data ? procfs_kernel->domainname : procfs_kernel->hostname;
}

static int uts_show(struct inode *inode, struct synth_buf *b)
{
	pthread_mutex_lock(&procfs_kernel->lock);
	synth_printf(b, "%s\n", uts_field(inode));
	pthread_mutex_unlock(&procfs_kernel->lock);
	return 0;
}

static ssize_t uts_store(struct inode *inode, const char *buf, size_t len)
{
	struct task *t = task_current();
	size_t n = strcspn(buf, "\n");
	char *f = uts_field(inode);

	if (t && !cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (n > 64)
		return -EINVAL;
	pthread_mutex_lock(&procfs_kernel->lock);
	memcpy(f, buf, n);
	f[n] = '\0';
	pthread_mutex_unlock(&procfs_kernel->lock);
	return (ssize_t)len;
}

static const struct synth_ops uts_ops = { .show = uts_show, .store = uts_store };

#define SYSCTL_NUM(name, v)                                               \
	{                                                                 \
		name, S_IFREG | 0444, &sysctl_ops, &(const struct sysctl) \
		{                                                         \
			.value = (v)                                      \
		}                                                         \
	}
#define SYSCTL_STR(name, s)                                               \
	{                                                                 \
		name, S_IFREG | 0444, &sysctl_ops, &(const struct sysctl) \
		{                                                         \
			.str = (s)                                        \
		}                                                         \
	}
#define SYSCTL_FN(name, fn)                                               \
	{                                                                 \
		name, S_IFREG | 0444, &sysctl_ops, &(const struct sysctl) \
		{                                                         \
			.get = (fn)                                       \
		}                                                         \
	}
#define SUBDIR(name, table)                                          \
	{                                                            \
		name, S_IFDIR | 0555, &synth_table_dir_ops, &(table) \
	}

static const struct synth_entry random_entries[] = {
	{ "boot_id", S_IFREG | 0444, &boot_id_ops, NULL },
	SYSCTL_NUM("entropy_avail", 256),
	SYSCTL_NUM("poolsize", 256),
	{ "uuid", S_IFREG | 0444, &uuid_ops, NULL },
};
static const struct synth_table random_table = SYNTH_TABLE(random_entries);

static const struct synth_entry kernel_entries[] = {
	SYSCTL_NUM("cap_last_cap", SYSCTL_CAP_LAST),
	{ "domainname", S_IFREG | 0644, &uts_ops, (const void *)1 },
	{ "hostname", S_IFREG | 0644, &uts_ops, NULL },
	SYSCTL_NUM("msgmax", MSG_MAX),
	SYSCTL_NUM("msgmnb", MSG_MNB),
	SYSCTL_NUM("msgmni", IPC_MNI),
	SYSCTL_NUM("ngroups_max", CRED_MAX_GROUPS),
	SYSCTL_STR("osrelease", SYSCTL_OSRELEASE),
	SYSCTL_STR("ostype", "Linux"),
	SYSCTL_NUM("overflowgid", 65534),
	SYSCTL_NUM("overflowuid", 65534),
	SYSCTL_NUM("pid_max", KERNEL_MAX_PID),
	SUBDIR("random", random_table),
	SYSCTL_STR("sem", SEM_SYSCTL_STR),
	SYSCTL_STR("shmall", SHM_MAX_STR),
	SYSCTL_STR("shmmax", SHM_MAX_STR),
	SYSCTL_NUM("shmmni", SHM_MNI),
	SYSCTL_FN("threads-max", threads_max),
	SYSCTL_STR("version", "#1 SMP Warden " WARDEN_VERSION),
};
static const struct synth_table kernel_table = SYNTH_TABLE(kernel_entries);

static const struct synth_entry vm_entries[] = {
	SYSCTL_NUM("max_map_count", VMA_MAX_COUNT),
	SYSCTL_NUM("mmap_min_addr", SYSCTL_MMAP_MIN_ADDR),
	SYSCTL_NUM("overcommit_memory", 0),
	SYSCTL_NUM("overcommit_ratio", 50),
};
static const struct synth_table vm_table = SYNTH_TABLE(vm_entries);

static const struct synth_entry fs_entries[] = {
	SYSCTL_NUM("file-max", 9223372036854775807L),
	SYSCTL_NUM("nr_open", FDT_NR_OPEN),
	SYSCTL_NUM("pipe-max-size", PIPE_MAX_SIZE_DEFAULT),
};
static const struct synth_table fs_table = SYNTH_TABLE(fs_entries);

static const struct synth_entry net_core_entries[] = {
	SYSCTL_NUM("somaxconn", 4096),
};
static const struct synth_table net_core_table = SYNTH_TABLE(net_core_entries);

static const struct synth_entry net_entries[] = {
	SUBDIR("core", net_core_table),
};
static const struct synth_table net_table = SYNTH_TABLE(net_entries);

static const struct synth_entry sys_entries[] = {
	SUBDIR("fs", fs_table),
	SUBDIR("kernel", kernel_table),
	SUBDIR("net", net_table),
	SUBDIR("vm", vm_table),
};
const struct synth_table procfs_sys_table = SYNTH_TABLE(sys_entries);
