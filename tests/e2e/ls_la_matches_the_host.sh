#!/bin/sh
# `warden do -- /bin/ls -la /usr/bin` prints exactly what the host's ls prints (same
# environment, run back to back): names, modes, link counts, owners, sizes, times, totals.
. "$(dirname "$0")/lib.sh"

/bin/ls -la /usr/bin >"$WORK/host" 2>&1
host_status=$?
sandbox -- /bin/ls -la /usr/bin
expect_status "$host_status" "warden do -- /bin/ls -la /usr/bin"
expect_same_file "$WORK/host" "$WORK/out" "ls -la /usr/bin, host vs warden"
finish
