#!/bin/sh
# `warden help` exits 0 and prints a usage text that mentions the do command.
. "$(dirname "$0")/lib.sh"

w help
expect_status 0 "warden help"
grep -qi 'usage' "$WORK/out" || { fail "warden help prints no usage line on stdout"; show; }
grep -qw 'do' "$WORK/out" || { fail "warden help does not mention 'do'"; show; }
finish
