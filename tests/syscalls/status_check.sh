# Sourced by the run_*.sh wrappers that check how a test program ends: `check WANT CMD...`
# runs CMD without stdin and prints a TAP line comparing its exit status with WANT (N & 255
# for an exit, 128 + signal for a kill). A run over CHECK_TIMEOUT seconds (default 20)
# stops the whole script. FAILED is 1 after any mismatch.
if [ $# -lt 1 ]; then
	echo "usage: $0 COMMAND..." >&2
	exit 2
fi
# shellcheck disable=SC3045 # dash and bash both have it; a core file would only litter
ulimit -c 0 2>/dev/null

n=0
FAILED=0
check() { # expected-status args...
	want=$1
	shift
	n=$((n + 1))
	timeout -k 5 "${CHECK_TIMEOUT:-20}" "$@" </dev/null >/dev/null 2>&1
	got=$?
	if [ "$got" -eq 124 ]; then
		echo "not ok $n - $*: did not finish within ${CHECK_TIMEOUT:-20} s; stopping"
		exit 1
	fi
	if [ "$got" -eq "$want" ]; then
		echo "ok $n - $* -> $want"
	else
		echo "not ok $n - $*: exit status $got, expected $want"
		FAILED=1
	fi
}
