/* execve: a new address space from the loader, then the point of no return. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp)
{
	struct loader_result res;
	struct loader_args la;
	struct vfs_cred vc;
	struct mm *mm, *old;
	struct sighand *sh = t->tg->sighand;
	int err;

	err = mm_new(t->k->platform, &mm);
	if (err)
		return err;
	task_vfs_cred(t, &vc);
	memset(&la, 0, sizeof(la));
	la.path = path;
	la.dirfd_is_cwd = 1;
	la.argv = argv;
	la.envp = envp;
	la.fs = t->fs;
	la.cred = &vc;
	memset(&res, 0, sizeof(res));
	err = loader_load(mm, &la, &res);
	if (err) {
		mm_put(mm);
		return err;
	}
	/* Point of no return. */
	old = t->mm;
	t->mm = mm;
	if (old)
		mm_put(old);
	if (res.exe)
		file_put(res.exe);
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.rip = res.entry;
	t->regs.rsp = res.sp;
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->regs.eflags = 0x202;
	memcpy(t->comm, res.comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = 0;
	t->altstack.sp = 0;
	t->altstack.size = 0;
	t->altstack.flags = SS_DISABLE;
	t->robust_list = 0;
	t->clear_child_tid = 0;
	if (t->fdt)
		fdt_close_on_exec(t->fdt);
	/* Caught signals go back to their default action; ignored ones stay ignored. */
	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < LINUX_NSIG; i++) {
		if (sh->action[i].handler != (uint64_t)(uintptr_t)SIG_IGN)
			sh->action[i].handler = (uint64_t)(uintptr_t)SIG_DFL;
		sh->action[i].flags = 0;
		sh->action[i].mask = 0;
		sh->action[i].restorer = 0;
	}
	pthread_mutex_unlock(&sh->lock);
	return 0;
}
