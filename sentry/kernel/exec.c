/* execve: a new address space from the loader, then the point of no return. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/fdtable.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/signal.h"
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

int proc_exec_dethread(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct kernel *k = t->k;
	struct task *o, *old;
	uint64_t gen;
	bool alone;

	pthread_mutex_lock(&tg->lock);
	if (tg->exiting || tg->exec_task) {
		/* Another thread's exit_group or execve has already doomed this one. */
		pthread_mutex_unlock(&tg->lock);
		return -EINTR;
	}
	if (tg->ntasks == 1 && tg->leader == t) {
		pthread_mutex_unlock(&tg->lock);
		return 0;
	}
	tg->exec_task = t;
	list_for_each_entry(o, &tg->tasks, tg_node) {
		if (o != t) {
			o->exiting = true;
			task_interrupt(o);
		}
	}
	pthread_mutex_unlock(&tg->lock);
	for (;;) {
		pthread_mutex_lock(&proc_wait_lock);
		gen = tg->child_gen;
		pthread_mutex_unlock(&proc_wait_lock);
		pthread_mutex_lock(&tg->lock);
		alone = tg->ntasks == 1;
		pthread_mutex_unlock(&tg->lock);
		if (alone)
			break;
		if (proc_wait_gen(t, tg, gen, true)) {
			tg->exec_task = NULL;
			return -EINTR;
		}
	}
	/* The exec'ing thread becomes the leader, under the group's pid. */
	pthread_mutex_lock(&k->lock);
	old = tg->leader;
	if (old != t) {
		struct thread_group *c;

		list_for_each_entry(c, &tg->children, sibling)
			if (c->parent_thread == t->tid)
				c->parent_thread = tg->tgid;
		if (k->pid_table[t->tid] == t) {
			k->pid_table[t->tid] = NULL;
			k->ntasks--;
		}
		k->pid_table[tg->tgid] = t;
		t->tid = tg->tgid;
		tg->leader = t;
		sig_task_release(old);
		cred_put(old->cred);
		pthread_mutex_destroy(&old->lock);
		free(old);
	}
	tg->exec_task = NULL;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp)
{
	struct loader_args la;

	memset(&la, 0, sizeof(la));
	la.path = path;
	la.dirfd_is_cwd = 1;
	la.argv = argv;
	la.envp = envp;
	return task_execve_args(t, &la);
}

/*
 * A set-user-ID (set-group-ID with group execute) file runs with its owner's
 * effective (and saved, fs) ids, unless its mount is nosuid or the task has
 * no_new_privs, as Linux's bprm_fill_uid. The capabilities follow Linux's rules for
 * root (cap_bprm_creds_from_file without file capabilities): a real or effective uid
 * of 0 gets the bounding set as permitted, and only an effective 0 makes them
 * effective; anyone else has none.
 */
static void exec_setid(struct task *t, struct file *exe)
{
	const struct cred *o = t->cred;
	uint32_t mode, uid, gid;
	struct cred *n;

	if (!exe || !exe->path.mnt || (exe->path.mnt->flags & MS_NOSUID) || t->no_new_privs)
		return;
	pthread_mutex_lock(&exe->inode->lock);
	mode = exe->inode->mode;
	uid = exe->inode->uid;
	gid = exe->inode->gid;
	pthread_mutex_unlock(&exe->inode->lock);
	if (!(mode & S_ISUID))
		uid = o->euid;
	if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP))
		gid = o->egid;
	if (uid == o->euid && gid == o->egid)
		return;
	n = cred_dup(o, o->ngroups);
	if (!n)
		return; /* past the point of no return: the program runs unprivileged */
	n->euid = n->suid = n->fsuid = uid;
	n->egid = n->sgid = n->fsgid = gid;
	if (n->uid == 0 || n->euid == 0)
		n->cap_permitted = n->cap_bounding | n->cap_inheritable;
	else
		n->cap_permitted = 0;
	n->cap_effective = n->euid == 0 ? n->cap_permitted : 0;
	task_commit_cred(t, n, false);
}

int task_execve_args(struct task *t, struct loader_args *la)
{
	struct loader_result res;
	struct vfs_cred vc;
	struct mm *mm, *old;
	struct sighand *sh;
	int err;

	err = mm_new(t->k->platform, &mm);
	if (err)
		return err;
	task_vfs_cred(t, &vc);
	la->fs = t->fs;
	la->cred = &vc;
	pthread_mutex_lock(&t->tg->lock);
	la->stack_limit = t->tg->rlimits[RLIMIT_STACK].rlim_cur;
	pthread_mutex_unlock(&t->tg->lock);
	memset(&res, 0, sizeof(res));
	err = loader_load(mm, la, &res);
	/* The fd table after exec is the process's own (CLONE_FILES without CLONE_THREAD). */
	if (!err && t->fdt)
		err = task_unshare_files(t);
	if (!err)
		err = proc_exec_dethread(t);
	if (!err)
		err = proc_unshare_sighand(t->tg);
	if (err) {
		if (res.exe)
			file_put(res.exe);
		mm_put(mm);
		return err;
	}
	/* Point of no return. */
	pthread_mutex_lock(&t->lock); /* procfs takes t->mm references under it */
	old = t->mm;
	t->mm = mm;
	pthread_mutex_unlock(&t->lock);
	t->tg->did_exec = true;
	if (old) {
		rusage_exec(t, old);
		mm_put(old);
	}
	proc_vfork_release(t);
	exec_setid(t, res.exe);
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
	sh = t->tg->sighand;
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
