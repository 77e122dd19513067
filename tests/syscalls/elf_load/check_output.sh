#!/bin/sh
# check_output.sh EXPECTED COMMAND...: runs COMMAND (natively, or as `warden do ... --
# COMMAND`) and checks that it exits 0 and prints exactly the line EXPECTED on stdout.
if [ $# -lt 2 ]; then
	echo "usage: $0 EXPECTED COMMAND..." >&2
	exit 2
fi
want=$1
shift
out=$(timeout -k 5 60 "$@" </dev/null)
status=$?
if [ "$status" -ne 0 ]; then
	echo "FAIL: $* exited with status $status, expected 0"
	echo "stdout was: $out"
	exit 1
fi
if [ "$out" != "$want" ]; then
	echo "FAIL: $* printed unexpected output"
	echo "expected: $want"
	echo "got:      $out"
	exit 1
fi
echo "ok: $* printed \"$want\""
