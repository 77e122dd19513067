#!/bin/sh
# Bad usage exits 2 with a usage line on stderr: an unknown command, an unknown flag, and
# `do` without a command.
. "$(dirname "$0")/lib.sh"

check() {
	w "$@"
	expect_status 2 "warden $*"
	grep -qi 'usage' "$WORK/err" || { fail "warden $*: no usage line on stderr"; show; }
}
check no-such-command
check --no-such-flag
check "do" --no-such-flag -- /bin/true
check "do"
check "do" --
finish
