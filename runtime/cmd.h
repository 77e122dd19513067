/* The CLI's commands: one cmd_<verb>.c each, dispatched from main.c. Only this layer turns
 * -errno into messages for people. */
#ifndef RUNTIME_CMD_H
#define RUNTIME_CMD_H

#include <stdbool.h>
#include <sys/types.h>

#define EXIT_USAGE 2

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

int cmd_do(int argc, char **argv);
int cmd_gofer(int argc, char **argv);
/* Starts `warden gofer` on root with nchan channels: the sentry's ends (close-on-exec) go to
 * client_fds for gofer_client_new, the child to *pid (the CLI reaps it). 0 or -errno. */
int cmd_gofer_spawn(const char *root, bool readonly, int nchan, int *client_fds, pid_t *pid);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_syscalls(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_events(int argc, char **argv);

extern const struct cmd cmd_table[];

/* "warden: <msg>" on stderr. */
__attribute__((format(printf, 1, 2))) void cmd_error(const char *fmt, ...);
/* Prints the usage of one command (or all) to stderr and returns EXIT_USAGE. */
int cmd_usage(const char *name);

#endif
