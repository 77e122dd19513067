#!/bin/sh
# procps works over the sandbox's /proc: top, free, uptime, pgrep and pkill.
. "$(dirname "$0")/lib.sh"

for t in top free uptime pgrep pkill; do
	command -v $t >/dev/null || { echo "SKIP: no $t (procps) on the host"; exit 77; }
done

sandbox -- /bin/sh -c 'top -bn1; exit 0'
expect_status 0 "top -bn1"
grep -q '^Tasks: *2 total' "$WORK/out" || { fail "top: not 2 tasks"; show; }
grep -Eq '^ *1 .* sh$' "$WORK/out" || { fail "top: no line for the shell (pid 1)"; show; }
grep -Eq '^ *2 .* top$' "$WORK/out" || { fail "top: no line for itself (pid 2)"; show; }

# free: the memory total is the host's (the sandbox reports the host's RAM, as sysinfo does).
sandbox -- free -k
expect_status 0 "free"
awk '/^Mem:/ { print $2 }' "$WORK/out" >"$WORK/got"
free -k | awk '/^Mem:/ { print $2 }' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/got" "free's total"

sandbox -- uptime
expect_status 0 "uptime"
grep -Eq ' up .*load average: ' "$WORK/out" || { fail "uptime output"; show; }

sandbox -- /bin/sh -c 'pgrep -x sh; exit 0'
expect_status 0 "pgrep -x sh"
printf '1\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "pgrep -x sh"

# pkill finds a sleep by name once it has exec'd (the loop waits for that) and kills it.
sandbox -- /bin/sh -c 'sleep 30 & while ! pgrep -x sleep >/dev/null; do :; done
pkill -x sleep; wait $!; echo "status $?"'
expect_status 0 "pkill -x sleep"
printf 'status 143\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "pkill -x sleep"
finish
