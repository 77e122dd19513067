# Sourced by every e2e script. $1 is the warden binary. Files the guest must see go in
# $WORK, a fresh directory under the test's working directory (the build tree): the sandbox
# has a private /tmp, so host files there are invisible to it.

WARDEN=$1
if [ -z "$WARDEN" ] || [ ! -x "$WARDEN" ]; then
	echo "FAIL: warden binary '$WARDEN' is missing or not executable (build the warden target)"
	exit 1
fi
WORK=$(mktemp -d "$PWD/e2e-$(basename "$0" .sh).XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
FAILED=0

fail() {
	echo "FAIL: $*"
	FAILED=1
}

# w ARGS...: runs `warden ARGS` with stdin from /dev/null; stdout goes to $WORK/out, stderr
# to $WORK/err, the exit status to $STATUS. A run that hangs for 30 s fails the whole script
# at once, so a broken warden fails the test instead of running into ctest's timeout.
w() {
	timeout -k 5 30 "$WARDEN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	STATUS=$?
	if [ "$STATUS" -eq 124 ]; then
		fail "'warden $*' did not finish within 30 s (killed)"
		show
		exit 1
	fi
	return 0
}

# sandbox ARGS...: `warden do ARGS...` through w.
# The sandbox's /tmp is private: a build tree under /tmp is handed in as a volume.
case "$PWD" in
/tmp/*) VOLUME="--volume=$PWD:$PWD:ro" ;;
*) VOLUME="" ;;
esac

sandbox() {
	w "do" $VOLUME "$@"
}

# show: prints what the last warden run wrote, for a failure report.
show() {
	echo "--- warden stdout (first 4 KiB):"
	head -c 4096 "$WORK/out"
	echo "--- warden stderr (first 4 KiB):"
	head -c 4096 "$WORK/err"
	echo "---"
}

# expect_status WANT WHAT: the last run's status must be WANT.
expect_status() {
	if [ "$STATUS" -ne "$1" ]; then
		fail "$2: exit status $STATUS, expected $1"
		show
	fi
}

# expect_same_file EXPECTED ACTUAL WHAT: the two files must be identical.
expect_same_file() {
	if ! cmp -s "$1" "$2"; then
		fail "$3: output differs from the expected (diff expected actual, first 60 lines):"
		diff "$1" "$2" | head -n 60
		show
	fi
}

finish() {
	[ "$FAILED" -eq 0 ] && echo "PASS: $(basename "$0" .sh)"
	exit "$FAILED"
}
