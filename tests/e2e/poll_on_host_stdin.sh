#!/bin/sh
# A guest poll/select on host stdio waits in the host's poll(2): xargs polls its stdin
# (a host pipe), which once killed the sentry with SIGSYS (poll was not in its filter).
. "$(dirname "$0")/lib.sh"

printf 'a b\n' >"$WORK/want"
# shellcheck disable=SC2016 # $1 expands in the inner shell
timeout -k 5 30 sh -c 'printf "a\nb\n" | "$1" do -- /bin/sh -c "xargs echo"' sh "$WARDEN" \
	>"$WORK/out" 2>"$WORK/err"
STATUS=$?
expect_status 0 "printf ... | warden do -- xargs echo"
expect_same_file "$WORK/want" "$WORK/out" "xargs read its stdin"
finish
