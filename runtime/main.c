/* warden: the command-line entry point and its dispatch table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"

const struct cmd cmd_table[] = {
	{ "do", cmd_do,
	  "warden do [--platform=ptrace] [--strace] [--debug-log=FILE] [--volume HOST:GUEST[:ro|:rw]]... [--max-tasks N] [--overlay=memory|none] -- CMD [ARG...]",
	  "run CMD in a sandbox over the host's root (writes stay in memory; /tmp is private)" },
	{ "gofer", cmd_gofer, "warden gofer --root DIR --fd N [--fd N]... [--ro]",
	  "serve the files under DIR to a sentry over socket fds N (internal)" },
	{ "spec", cmd_spec, "warden spec [--bundle DIR] [--rootless]",
	  "write a starting config.json (OCI runtime spec) into the bundle" },
	{ "features", cmd_features, "warden features",
	  "print the OCI features document (what this runtime supports) as JSON" },
	{ "syscalls", cmd_syscalls, "warden syscalls [--markdown]",
	  "print the syscall compatibility table" },
	{ "version", cmd_version, "warden version", "print the version" },
	{ "help", cmd_help, "warden help [COMMAND]", "show this help" },
	{ NULL, NULL, NULL, NULL },
};

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("warden: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
