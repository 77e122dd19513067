#!/bin/sh
# --debug-log=FILE writes the sentry's log to FILE (on the host) and keeps it off the
# guest's stdout.
. "$(dirname "$0")/lib.sh"

sandbox --debug-log="$WORK/debug.log" -- /bin/busybox echo hi
expect_status 0 "warden do --debug-log=FILE -- busybox echo hi"
printf 'hi\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "stdout with --debug-log"
[ -s "$WORK/debug.log" ] || fail "--debug-log file is missing or empty"
finish
