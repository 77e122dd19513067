// SPDX-License-Identifier: MIT
/* RLIMIT_NPROC: a fork bomb of an unprivileged user stops at its limit with EAGAIN. */
#include <signal.h>
#include <sys/resource.h>

#include "tests/syscalls/sysutil.h"

#define LIMIT 6
#define BOMB_UID 54321 /* a uid with no other processes on the host */

static void fork_bomb(void *arg)
{
	struct rlimit rl = { LIMIT, LIMIT };
	int p[2], n = 0;
	pid_t pid;

	if (pipe(p) || setrlimit(RLIMIT_NPROC, &rl) || setresgid(BOMB_UID, BOMB_UID, BOMB_UID) ||
	    setresuid(BOMB_UID, BOMB_UID, BOMB_UID))
		_exit(90);
	for (int i = 0; i < 4 * LIMIT; i++) {
		pid = fork();
		if (pid == 0) {
			char c;

			close(p[1]);
			while (read(p[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (pid < 0) {
			if (errno != EAGAIN)
				_exit(91);
			break;
		}
		n++;
	}
	close(p[1]);
	while (wait(NULL) > 0)
		;
	/* This process counts too. */
	_exit(n);
}

TEST(rlimit_nproc_stops_a_fork_bomb)
{
	int st;

	if (geteuid() != 0)
		SKIP("needs root");
	st = status_of_child(fork_bomb, NULL);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), LIMIT - 1);
}
