/* Boots the sandbox kernel: memory file, platform, root mounts, the init process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bug.h"
#include "common/log.h"
#include "common/memfile.h"
#include "fs/gofer/pagecache.h"
#include "fs/vfs/vfs.h"
#include "sentry/filter/filter.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs.h"
#include "sentry/control.h"
#include "sentry/mounts.h"
#include "sentry/sentry.h"
#include "sentry/spawn.h"
#include "sentry/sysfs/sysfs.h"
#include "sentry/tty_jobctl.h"
#include "sentry/tty_relay.h"

#define MEMFILE_SIZE (64ULL << 30) /* address space only: pages are allocated on use */

static void *exit_at_once(void *arg)
{
	pthread_exit(arg);
}

/* glibc loads libgcc_s (for unwinding) the first time a thread calls pthread_exit; after
 * the seccomp filter that open would fail, so make it happen once before. */
static int warm_up_thread_exit(void)
{
	pthread_t th;
	int err = pthread_create(&th, NULL, exit_at_once, NULL);

	if (err)
		return -err;
	return -pthread_join(th, NULL);
}

static struct kernel *kernel_new(const struct sentry_config *cfg)
{
	struct kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->strace = cfg->strace;
	k->max_tasks = cfg->max_tasks > 0 ? cfg->max_tasks : KERNEL_MAX_TASKS;
	k->strace_fd = -1;
	snprintf(k->hostname, sizeof(k->hostname), "%s", cfg->hostname ? cfg->hostname : "warden");
	snprintf(k->domainname, sizeof(k->domainname), "%s",
		 cfg->domainname && *cfg->domainname ? cfg->domainname : "(none)");
	clock_gettime(CLOCK_MONOTONIC, &k->boot_time);
	return k;
}

/* Init's stdio is the sandbox process's own. */
static const int host_stdio[3] = { 0, 1, 2 };

int sentry_run(const struct sentry_config *cfg, int *wait_status, enum sentry_stage *stage)
{
	struct tty_relay *relay = NULL;
	struct kernel *k;
	struct task *t;
	int err;

	*stage = SENTRY_STAGE_SETUP;
	bug_install_crash_handlers();
	if (cfg->debug_log && log_open(cfg->debug_log) < 0)
		return -errno;
	err = memfile_init(MEMFILE_SIZE);
	if (err)
		return err;
	/* a shrinking goferfs file takes its pages out of the guests' mappings */
	vfs_set_unmap_hook(mm_zap_file_range);
	k = kernel_new(cfg);
	if (!k)
		return -ENOMEM;
	err = platform_create(cfg->platform, memfile_fd(), &k->platform);
	if (err)
		return err;
	tty_jobctl_register(k);
	err = procfs_init(k);
	if (!err)
		err = sysfs_init();
	if (!err)
		err = mounts_build(cfg, &k->container_root);
	if (err)
		return err;
	err = spawn_process(k, &cfg->init, k->container_root, host_stdio, &t, stage);
	if (err)
		return err;
	*stage = SENTRY_STAGE_SETUP;
	if (cfg->tty) {
		err = tty_relay_start(t, &relay);
		if (err && err != -ENOTTY) /* no terminal on stdin: plain stdio */
			return err;
	}
	/* From here on the host sees only the syscalls in sentry/filter/allowed.h. */
	err = warm_up_thread_exit();
	if (err)
		return err;
	err = filter_install();
	if (err)
		return err;
	if (cfg->control_fd >= 0) {
		err = control_serve(k, cfg->control_fd);
		if (err)
			return err;
	}
	if (cfg->on_ready)
		cfg->on_ready(cfg->ready_arg);
	if (!cfg->start_gate || cfg->control_fd < 0) {
		k->started = true;
		err = task_start(t);
		if (err)
			return err;
	}

	pthread_mutex_lock(&k->lock);
	while (!k->init_exited)
		pthread_cond_wait(&k->cond, &k->lock);
	*wait_status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	if (relay)
		tty_relay_stop(relay);
	timer_shutdown(); /* the timer thread ends with the sandbox */
	return 0;
}
