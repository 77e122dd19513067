/* warden version / help. */
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"

int cmd_version(int argc, char **argv)
{
	printf("warden version %s\n", WARDEN_VERSION);
	printf("spec: 1.2.0\n"); /* the OCI runtime spec version it implements */
	printf("platforms: ptrace\n");
	return 0;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		for (const struct cmd *c = cmd_table; c->name; c++) {
			if (!strcmp(c->name, argv[1])) {
				printf("usage: %s\n\n%s\n", c->usage, c->summary);
				return 0;
			}
		}
		cmd_error("unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	printf("warden: a sandboxing application kernel\n\nusage: warden COMMAND [ARG...]\n\n"
	       "commands:\n");
	for (const struct cmd *c = cmd_table; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\n'warden help COMMAND' shows a command's flags.\n");
	return 0;
}
