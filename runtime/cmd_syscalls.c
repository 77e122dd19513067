/* warden syscalls: the compatibility table, straight from sentry/syscalls/table.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"
#include "sentry/syscalls/syscalls.h"

static const char *const level_name[] = { "unsupported (ENOSYS)", "partial", "full" };

int cmd_syscalls(int argc, char **argv)
{
	bool md = argc > 1 && !strcmp(argv[1], "--markdown");
	int count[3] = { 0, 0, 0 };

	if (argc > 1 && !md)
		return cmd_usage("syscalls");
	if (md)
		printf("| nr | syscall | support |\n|---:|---|---|\n");
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		count[d->support]++;
		if (md)
			printf("| %d | %s | %s |\n", nr, d->name, level_name[d->support]);
		else
			printf("%4d %-24s %s\n", nr, d->name, level_name[d->support]);
	}
	printf("%s%d full, %d partial, %d unsupported\n", md ? "\n" : "", count[SYS_FULL],
	       count[SYS_PARTIAL], count[SYS_UNIMPL]);
	return 0;
}
