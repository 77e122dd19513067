#!/bin/sh
# The guest's stdin is warden's: a host pipe feeds `cat` in the sandbox.
. "$(dirname "$0")/lib.sh"

printf 'line one\nline two\n' >"$WORK/want"
# shellcheck disable=SC2016 # $1 and $2 expand in the inner shell
timeout -k 5 30 sh -c 'cat "$1" | "$2" do -- /bin/cat' sh "$WORK/want" "$WARDEN" \
	>"$WORK/out" 2>"$WORK/err"
STATUS=$?
expect_status 0 "printf ... | warden do -- /bin/cat"
expect_same_file "$WORK/want" "$WORK/out" "stdin passed through"
finish
