#!/bin/sh
# selftest.sh SAMPLE WITHOUT_FORK: checks the harness's TAP lines and exit statuses
# against sample.c's known outcomes, with fork, with HARNESS_NOFORK=1 and with fork
# failing with ENOSYS.
sample=$1
without_fork=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

fail() {
	echo "FAIL: $*"
	echo "--- output was:"
	cat "$out"
	echo "---"
	failed=1
}

# expect STATUS PATTERN... -- COMMAND...: runs COMMAND, checks its status and that each
# pattern (a grep -E regex) matches a line of its output.
expect() {
	want=$1
	shift
	pats=""
	while [ "$1" != "--" ]; do
		pats="$pats
$1"
		shift
	done
	shift
	"$@" >"$out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || fail "$*: exit status $got, expected $want"
	echo "$pats" | while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -Eq -- "$p" "$out" || { echo "missing: $p"; exit 1; }
	done || fail "$*: output lacks a line"
}

expect 1 '^1\.\.8$' '^ok 1 - passes$' \
	'^# .*sample\.c:[0-9]+: expected 1 == 2: 1 = 1 \(0x1\), 2 = 2 \(0x2\)$' \
	'expected close\(-1\) to fail with ENOENT: returned -1, errno EBADF' \
	'first difference at offset 2' '^# still running after four failures$' \
	'^not ok 2 - expect_failure_goes_on$' '^not ok 3 - assert_failure_stops_the_case$' \
	'^ok 4 - skips # SKIP not here: 42$' \
	'^not ok 5 - crashes_leaving_a_tmpdir # killed by signal 11 \(SEGV\)$' \
	'^not ok 6 - hangs # timed out after 1 s$' \
	'^not ok 7 - exits_without_reporting # exited with status 0 without reporting' \
	'^ok 8 - skips_too # SKIP also not here$' '^# 1 passed, 5 failed, 2 skipped$' \
	-- "$sample"
grep -q 'must not be printed' "$out" && fail "an ASSERT did not stop its case"
dir=$(sed -n 's/^# tmpdir \(.*\)$/\1/p' "$out")
if [ -z "$dir" ] || [ -e "$dir" ]; then
	fail "tmpdir '$dir' of a crashed case was not removed"
fi

expect 0 '^1\.\.1$' '^ok 1 - passes$' -- "$sample" passes
expect 77 '^1\.\.2$' '^ok 1 - skips # SKIP' '^ok 2 - skips_too # SKIP' -- "$sample" skips
expect 0 '^1\.\.3$' -- "$sample" passes skips

expect 1 '^# HARNESS_NOFORK: running cases in-process$' '^ok 1 - passes$' \
	'^not ok 2 - expect_failure_goes_on$' '^not ok 3 - assert_failure_stops_the_case$' \
	'^ok 4 - skips # SKIP not here: 42$' '^# 1 passed, 2 failed, 2 skipped$' \
	-- env HARNESS_NOFORK=1 "$sample" passes failure skips
grep -q 'must not be printed' "$out" && fail "an in-process ASSERT did not stop its case"
expect 1 '^not ok 1 - hangs # timed out' -- env HARNESS_NOFORK=1 "$sample" hangs

expect 1 '^# fork: ENOSYS: running this and later cases in-process$' '^ok 1 - passes$' \
	'^not ok 2 - expect_failure_goes_on$' '^ok 4 - skips # SKIP not here: 42$' \
	-- "$without_fork" "$sample" passes failure skips
expect 77 '^ok 1 - skips # SKIP' -- "$without_fork" "$sample" skips

[ "$failed" -eq 0 ] && echo "harness selftest: all checks passed"
exit $failed
