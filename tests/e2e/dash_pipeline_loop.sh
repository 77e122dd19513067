#!/bin/sh
# Issue 3: dash runs a loop of pipelines and a subshell's exit status.
. "$(dirname "$0")/lib.sh"

sandbox -- /bin/sh -c 'for i in 1 2 3; do echo $i | cat; done; (exit 7); echo $?'
expect_status 0 "dash pipeline loop"
printf '1\n2\n3\n7\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "dash pipeline loop output"
finish
