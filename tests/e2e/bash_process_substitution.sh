#!/bin/sh
# bash's <(cmd) hands its reader /dev/fd/63, a pipe reopened through /proc/self/fd.
. "$(dirname "$0")/lib.sh"

printf 'sub\nhi\n' >"$WORK/want"
timeout -k 5 30 "$WARDEN" do -- /bin/bash -c 'cat <(echo sub); echo hi | cat /dev/stdin' \
	>"$WORK/out" 2>"$WORK/err"
STATUS=$?
expect_status 0 "warden do -- bash -c 'cat <(echo sub); echo hi | cat /dev/stdin'"
expect_same_file "$WORK/want" "$WORK/out" "both pipes were read through their links"
finish
