#!/bin/sh
# `ps` in the sandbox lists the sandbox's processes only, with sandbox pids: the shell is
# pid 1 and the ps it forks is pid 2, whatever runs on the host.
. "$(dirname "$0")/lib.sh"

command -v ps >/dev/null || { echo "SKIP: no ps (procps) on the host"; exit 77; }

sandbox -- /bin/sh -c 'ps -eo pid=,ppid=,comm=; exit 0'
expect_status 0 "ps -eo pid,ppid,comm"
printf '1 0 sh\n2 1 ps\n' >"$WORK/want"
sed 's/^ *//; s/  */ /g' "$WORK/out" >"$WORK/got"
expect_same_file "$WORK/want" "$WORK/got" "ps -eo pid,ppid,comm"

sandbox -- /bin/sh -c 'ps aux; exit 0'
expect_status 0 "ps aux"
head -n 1 "$WORK/out" | grep -q '^USER  *PID  *%CPU  *%MEM  *VSZ  *RSS  *TTY  *STAT  *START  *TIME  *COMMAND$' ||
	{ fail "ps aux: unexpected header"; show; }
[ "$(wc -l <"$WORK/out")" -eq 3 ] || { fail "ps aux: expected the header and 2 processes"; show; }
awk 'NR > 1 { print $2, $11 }' "$WORK/out" >"$WORK/got"
printf '1 /bin/sh\n2 ps\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/got" "ps aux pids and commands"
# The resident size of a running process is never 0, and its state letter is a real one.
awk 'NR > 1 && ($6 == 0 || $8 !~ /^[RSTZ]/) { exit 1 }' "$WORK/out" ||
	{ fail "ps aux: a zero RSS or an unknown state"; show; }
finish
