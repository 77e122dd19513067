#!/bin/sh
# Runs the timer_kill program (the command given as arguments: the program itself or
# `warden do ... -- program`) once per timer, and checks that each one's signal killed it:
# exit status 128 + signal. TAP output; exit 1 on any mismatch.
CHECK_TIMEOUT=30
. "$(dirname "$0")/status_check.sh"

echo "1..9"
check 142 "$@" alarm            # SIGALRM
check 142 "$@" alarm_spin
check 142 "$@" itimer_real
check 154 "$@" itimer_virtual   # SIGVTALRM
check 155 "$@" itimer_prof      # SIGPROF
check 142 "$@" posix_timer      # the default sigevent: SIGALRM
check 140 "$@" posix_cpu_timer  # SIGUSR2
check 152 "$@" rlimit_cpu_soft  # SIGXCPU
check 137 "$@" rlimit_cpu_hard  # SIGKILL at the hard limit
exit $FAILED
