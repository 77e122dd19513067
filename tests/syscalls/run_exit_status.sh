#!/bin/sh
# Runs the exit_status program (the command given as arguments: either the program itself
# or `warden do ... -- program`) once per way of ending, and checks each exit status as the
# starter sees it: N & 255 for an exit, 128 + signal for a kill. TAP output; exit 1 on any
# mismatch.
. "$(dirname "$0")/status_check.sh"

echo "1..15"
check 0 "$@" return 0
check 3 "$@" return 3
check 255 "$@" return 255
check 0 "$@" exit 0
check 42 "$@" exit 42
check 7 "$@" exit 263
check 5 "$@" exit_group 5
check 1 "$@" exit_group 257
check 9 "$@" sys_exit 9
check 137 "$@" kill 9
check 143 "$@" kill 15
check 129 "$@" kill 1
check 139 "$@" segv
check 134 "$@" abort
check 2 "$@"
exit $FAILED
