/* /proc/sysvipc: the reading task's IPC namespace, as Linux lists it. */
#include <errno.h>

#include "fs/synth/synth.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"

static int sysvipc_show(struct inode *inode, struct synth_buf *b)
{
	struct task *t = task_current();
	struct ipc_ns *ns = t ? ipc_ns_of(t) : NULL;
	long kind = (long)synth_i(inode)->data;

	if (!ns)
		return -ENOMEM;
	if (kind == 0)
		ipc_shm_proc_show(ns, b);
	else if (kind == 1)
		ipc_sem_proc_show(ns, b);
	else
		ipc_msg_proc_show(ns, b);
	return 0;
}

static const struct synth_ops sysvipc_file_ops = { .show = sysvipc_show };

static const struct synth_entry sysvipc_entries[] = {
	{ "msg", S_IFREG | 0444, &sysvipc_file_ops, (const void *)2 },
	{ "sem", S_IFREG | 0444, &sysvipc_file_ops, (const void *)1 },
	{ "shm", S_IFREG | 0444, &sysvipc_file_ops, (const void *)0 },
};

const struct synth_table ipc_sysvipc_table = SYNTH_TABLE(sysvipc_entries);
