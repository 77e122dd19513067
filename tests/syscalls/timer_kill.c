// SPDX-License-Identifier: MIT
/*
 * Timer signals' default actions, one way per argument; run_timer_kill.sh checks the
 * exit status (128 + the signal). Without fork in the sandbox yet, the program itself is
 * what gets killed. Each mode spins or sleeps for at most ~10 s, then exits 0 (a failure).
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

/* Burns CPU for about 10 s of wall time. */
static void spin(void)
{
	time_t end = time(NULL) + 10;

	while (time(NULL) < end)
		for (int i = 0; i < 1000000; i++)
			sink += (unsigned long)i;
}

int main(int argc, char **argv)
{
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	const char *m = argc > 1 ? argv[1] : "";

	if (!strcmp(m, "alarm")) {
		alarm(1);
		sleep(10);
	} else if (!strcmp(m, "alarm_spin")) {
		alarm(1);
		spin();
	} else if (!strcmp(m, "itimer_real")) {
		setitimer(ITIMER_REAL, &it, NULL);
		spin();
	} else if (!strcmp(m, "itimer_virtual")) {
		setitimer(ITIMER_VIRTUAL, &it, NULL);
		spin();
	} else if (!strcmp(m, "itimer_prof")) {
		setitimer(ITIMER_PROF, &it, NULL);
		spin();
	} else if (!strcmp(m, "posix_timer")) {
		struct itimerspec ts = { { 0, 0 }, { 0, 100000000 } };
		timer_t id;

		if (timer_create(CLOCK_MONOTONIC, NULL, &id))
			return 2;
		timer_settime(id, 0, &ts, NULL);
		sleep(10);
	} else if (!strcmp(m, "posix_cpu_timer")) {
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
		struct itimerspec ts = { { 0, 0 }, { 0, 100000000 } };
		timer_t id;

		if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &id))
			return 2;
		timer_settime(id, 0, &ts, NULL);
		spin();
	} else if (!strcmp(m, "rlimit_cpu_soft")) {
		struct rlimit rl = { 1, 5 };

		setrlimit(RLIMIT_CPU, &rl);
		spin();
	} else if (!strcmp(m, "rlimit_cpu_hard")) {
		struct rlimit rl = { 1, 2 };

		signal(SIGXCPU, SIG_IGN);
		setrlimit(RLIMIT_CPU, &rl);
		spin();
	} else {
		return 3;
	}
	return 0;
}
