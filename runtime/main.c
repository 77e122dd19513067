/* warden: the command-line entry point and its dispatch table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/oci_cli.h"

const struct cmd cmd_table[] = {
	{ "do", cmd_do,
	  "warden do [--platform=ptrace] [-t|--tty] [--strace] [--debug-log=FILE] [--volume HOST:GUEST[:ro|:rw]]... [--max-tasks N] [--overlay=memory|none] -- CMD [ARG...]",
	  "run CMD in a sandbox over the host's root (writes stay in memory; /tmp is private)" },
	{ "gofer", cmd_gofer, "warden gofer --root DIR --fd N [--fd N]... [--ro]",
	  "serve the files under DIR to a sentry over socket fds N (internal)" },
	{ "spec", cmd_spec, "warden spec [--bundle DIR] [--rootless]",
	  "write a starting config.json (OCI runtime spec) into the bundle" },
	{ "features", cmd_features, "warden features",
	  "print the OCI features document (what this runtime supports) as JSON" },
	{ "create", cmd_create,
	  "warden [GLOBAL FLAGS] create [--bundle DIR] [--pid-file F] [--console-socket S] ID",
	  "create a container from an OCI bundle: its init is loaded, not started" },
	{ "start", cmd_start, "warden start ID", "start a created container's process" },
	{ "run", cmd_run,
	  "warden run [--bundle DIR] [--detach] [--pid-file F] [--console-socket S] [--keep] ID",
	  "create and start a container; without --detach wait and exit with its status" },
	{ "state", cmd_state, "warden state ID", "print a container's state as JSON" },
	{ "list", cmd_list, "warden list [--format table|json] [--quiet]",
	  "list the containers under --root" },
	{ "kill", cmd_kill, "warden kill [--all] ID [SIGNAL]",
	  "send a signal (default TERM) to the container's init, or to all its processes" },
	{ "delete", cmd_delete, "warden delete [--force] ID",
	  "delete a stopped container (--force: a running one too)" },
	{ "exec", cmd_exec,
	  "warden exec [--process FILE] [--detach] [--pid-file F] [--console-socket S] [--tty] [--cwd DIR] [--env K=V]... [--user UID[:GID]] ID [CMD ARG...]",
	  "run a new process in a container" },
	{ "ps", cmd_ps, "warden ps [--format table|json] ID",
	  "the container's processes (json: the sandbox's host pids)" },
	{ "pause", cmd_pause, "warden pause ID", "freeze every process of a container" },
	{ "resume", cmd_resume, "warden resume ID", "thaw a paused container" },
	{ "events", cmd_events, "warden events [--stats] [--interval 5s] ID",
	  "print the container's resource usage as JSON (once with --stats)" },
	{ "syscalls", cmd_syscalls, "warden syscalls [--markdown]",
	  "print the syscall compatibility table" },
	{ "version", cmd_version, "warden version", "print the version" },
	{ "help", cmd_help, "warden help [COMMAND]", "show this help" },
	{ NULL, NULL, NULL, NULL },
};

/* One line on stderr, and into --log in its format, as runc reports errors (conmon and
 * containerd's shim show the last line of either). */
void cmd_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oci_log_stderr("error", msg);
	oci_log("error", msg);
}

int cmd_usage(const char *name)
{
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!name || !strcmp(c->name, name))
			fprintf(stderr, "usage: %s\n", c->usage);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int g = oci_globals_parse(argc, argv);

	if (g < 0)
		return cmd_usage(NULL);
	argc -= g;
	argv += g;
	if (oci_globals.debug && argc > 1)
		oci_debug_command(argc, argv);
	if (argc < 2)
		return cmd_usage(NULL);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	cmd_error("unknown command '%s' (see 'warden help')", argv[1]);
	return cmd_usage(NULL);
}
