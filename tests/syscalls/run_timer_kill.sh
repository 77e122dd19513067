#!/bin/sh
# Runs the timer_kill program (the command given as arguments: the program itself or
# `warden do ... -- program`) once per timer, and checks that each one's signal killed it:
# exit status 128 + signal. TAP output; exit 1 on any mismatch.
if [ $# -lt 1 ]; then
	echo "usage: $0 COMMAND..." >&2
	exit 2
fi
# shellcheck disable=SC3045 # dash and bash both have it; a core file would only litter
ulimit -c 0 2>/dev/null

n=0
failed=0
check() { # expected-status args...
	want=$1
	shift
	n=$((n + 1))
	timeout -k 5 30 "$@" </dev/null >/dev/null 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		echo "ok $n - $* -> $want"
	else
		echo "not ok $n - $*: exit status $got, expected $want"
		failed=1
	fi
}

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
exit $failed
