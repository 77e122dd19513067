#!/bin/sh
# `warden do -- /no/such/file` prints one line naming the file and exits 127, as a shell
# does for a command that is not found.
. "$(dirname "$0")/lib.sh"

sandbox -- /no/such/file
expect_status 127 "warden do -- /no/such/file"
[ -s "$WORK/out" ] && { fail "something was printed on stdout"; show; }
n=$(wc -l <"$WORK/err")
[ "$n" -eq 1 ] || { fail "stderr has $n lines, expected exactly one"; show; }
grep -q '/no/such/file' "$WORK/err" || { fail "the message does not name /no/such/file"; show; }
finish
