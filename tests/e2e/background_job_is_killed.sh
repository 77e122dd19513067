#!/bin/sh
# Issue 3: a background job killed by job number; wait returns at once.
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/busybox sh -c 'sleep 5 & kill %1; wait; echo done'
expect_status 0 "busybox sleep & kill %1; wait"
printf 'done\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "background job output"
finish
