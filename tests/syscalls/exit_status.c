// SPDX-License-Identifier: MIT
/*
 * Ends itself the way argv says, so run_exit_status.sh can check the status that reaches
 * whoever started it (the host shell natively, `warden do`'s own exit status in a
 * sandbox: 128 + signal when killed):
 *	return N | exit N | exit_group N | sys_exit N | kill SIG | segv | abort
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s return|exit|exit_group|sys_exit|kill|segv|abort [N]\n",
			argv[0]);
		return 2;
	}
	setrlimit(RLIMIT_CORE, &no_core);
	if (!strcmp(argv[1], "return"))
		return n;
	if (!strcmp(argv[1], "exit"))
		exit(n);
	if (!strcmp(argv[1], "exit_group"))
		syscall(SYS_exit_group, n);
	if (!strcmp(argv[1], "sys_exit")) /* the only thread: ends the process */
		syscall(SYS_exit, n);
	if (!strcmp(argv[1], "kill"))
		kill(getpid(), n);
	if (!strcmp(argv[1], "segv")) {
		volatile uintptr_t bad = 8; /* hidden from the compiler's bounds checks */

		*(volatile int *)bad = 1;
	}
	if (!strcmp(argv[1], "abort"))
		abort();
	fprintf(stderr, "%s: still alive after \"%s\"\n", argv[0], argv[1]);
	return 99;
}
