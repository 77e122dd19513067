#!/bin/sh
# A guest killed by a signal makes warden exit 128 + the signal number (as a shell reports
# it), without warden itself dying of that signal.
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/busybox sh -c 'kill -9 $$'
expect_status 137 "guest killed by SIGKILL"
sandbox -- /bin/busybox sh -c 'kill -TERM $$'
expect_status 143 "guest killed by SIGTERM"
finish
