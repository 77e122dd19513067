#!/bin/sh
# `warden do -- /bin/busybox echo hi` prints hi and exits 0.
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/busybox echo hi
expect_status 0 "warden do -- /bin/busybox echo hi"
printf 'hi\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "stdout of busybox echo hi"
finish
