/* execve: replaces a task's image; shared by execve(2) and the sandbox's first process. */
#ifndef SENTRY_KERNEL_EXEC_H
#define SENTRY_KERNEL_EXEC_H

struct task;

/* Loads path with argv/envp (sentry copies, NULL-terminated) into a fresh mm and makes it
 * t's: registers reset to the new entry, close-on-exec fds closed, caught signals reset.
 * On failure t is unchanged. 0 or -errno (see loader_load). */
int task_execve(struct task *t, const char *path, char *const *argv, char *const *envp);
/* The same with execveat's lookup (la->start, name, nofollow, empty); la->fs and la->cred
 * are filled in here. In a multithreaded process the other threads die first. */
struct loader_args;
int task_execve_args(struct task *t, struct loader_args *la);

/* Frees a NULL-terminated string vector made by the sentry. */
void strv_free(char **v);

#endif
