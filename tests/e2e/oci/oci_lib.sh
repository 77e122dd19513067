# Sourced by every tests/e2e/oci/cli_*.sh script, run as `sh SCRIPT WARDEN ROOTFS` from the
# build directory tests/e2e/oci/. The scripts check the runtime's CLI against runc's
# behaviour (Linux + runc is the specification): set WARDEN_E2E_RUNTIME=/usr/sbin/runc to
# run the same script against runc. Exit 0 pass, 1 fail (FAIL: lines), 77 skip.
#
# Every runtime call goes through rt(), which passes a private state root (--root
# $WORK/state) and a timeout, so a hang fails the test instead of reaching ctest's timeout.
# Every container id comes from cid(); the EXIT trap `delete --force`s each of them and
# removes $WORK.

WARDEN=$1
ROOTFS_ARG=$2
TEST=$(basename "$0" .sh)
RUNTIME=${WARDEN_E2E_RUNTIME:-$WARDEN}
FAILED=0

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: $TEST needs root (namespaces, cgroups, mounts): run ctest as root" >&2
	echo "SKIP: $TEST needs root (namespaces, cgroups, mounts): run ctest as root"
	exit 77
fi
. "$(dirname "$0")/host_check.sh"
oci_host_check "$TEST"
if [ -z "$RUNTIME" ] || [ ! -x "$RUNTIME" ]; then
	echo "FAIL: runtime binary '$RUNTIME' is missing or not executable (build the warden target)"
	exit 1
fi
if [ -z "$ROOTFS_ARG" ] || [ ! -x "$ROOTFS_ARG/bin/wtest" ] || [ ! -x "$ROOTFS_ARG/bin/busybox" ]; then
	echo "FAIL: rootfs '$ROOTFS_ARG' has no bin/wtest or bin/busybox (build the oci_rootfs target)"
	exit 1
fi
ROOTFS=$(cd "$ROOTFS_ARG" && pwd -P)

# warden or runc: a few checks differ by design (uname -r, the host view of the sandbox).
case "$("$RUNTIME" --version 2>/dev/null)" in
*warden* | *Warden*) IS_WARDEN=1 ;;
*) IS_WARDEN=0 ;;
esac

# The system python3 (a pyenv shim on PATH costs a bash per call; jget runs often).
if [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
else
	PYTHON=python3
fi
# host_pids N: the host cgroup's pids.max for pids.limit N. Warden enforces N on the guest's
# tasks itself and sizes the host's limit as a backstop (each guest task costs a stub
# process and a sentry thread: runtime/oci_sandbox.h, OCI_HOST_PIDS); runc sets N.
host_pids() {
	if [ "$IS_WARDEN" -eq 1 ]; then
		echo $((2 * $1 + 64))
	else
		echo "$1"
	fi
}

EXTRA_CLEANUP=""
WORK=$(mktemp -d "$PWD/oci-$TEST.XXXXXX") || exit 1
chmod 755 "$WORK"
STATE=$WORK/state
: >"$WORK/ids"

# cleanup: force-deletes every container this test made, then removes $WORK. A container
# left behind is reported (it would leak processes, cgroups and mounts).
cleanup() {
	trap - EXIT INT TERM HUP
	while read -r id; do
		[ -n "$id" ] || continue
		timeout -k 5 30 "$RUNTIME" --root "$STATE" delete --force "$id" \
			</dev/null >/dev/null 2>&1 && continue
		# delete --force failed: report it, and end the container's process (its pid from
		# state) so a broken runtime does not leave it running after $WORK is gone
		timeout -k 5 30 "$RUNTIME" --root "$STATE" state "$id" </dev/null \
			>"$WORK/left.json" 2>/dev/null || continue
		echo "FAIL: delete --force $id failed; killing its pid"
		FAILED=1
		_p=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' \
			"$WORK/left.json" 2>/dev/null)
		[ -n "$_p" ] && [ "$_p" -gt 1 ] && kill -KILL "$_p" 2>/dev/null
	done <"$WORK/ids"
	# a test's own extra cleanup (after its containers are gone)
	[ -n "$EXTRA_CLEANUP" ] && eval "$EXTRA_CLEANUP"
	if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE" 2>/dev/null)" ]; then
		echo "FAIL: state left under --root after delete --force of every container:"
		ls -la "$STATE"
		FAILED=1
	fi
	rm -rf "$WORK"
}
trap 'cleanup; exit $FAILED' EXIT
trap 'FAILED=1; exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	FAILED=1
}

# cid NAME: a unique container id for this test, remembered for the cleanup.
cid() {
	echo "wt-$TEST-$$-$1" | tr '_' '-' | tee -a "$WORK/ids"
}

# rt ARGS...: runs `$RUNTIME --root $STATE ARGS...` with stdin from /dev/null, stdout to
# $WORK/out, stderr to $WORK/err, the exit status in $STATUS. RT_OUT / RT_ERR / RT_IN
# override the files (a created container's process inherits create's stdio, so give it
# files of its own). A call that hangs for 30 s fails the test at once.
rt() {
	timeout -k 5 30 "$RUNTIME" --root "$STATE" "$@" <"${RT_IN:-/dev/null}" \
		>"${RT_OUT:-$WORK/out}" 2>"${RT_ERR:-$WORK/err}"
	STATUS=$?
	if [ "$STATUS" -eq 124 ]; then
		fail "'$(basename "$RUNTIME") $*' did not finish within 30 s (killed)"
		show
		exit 1
	fi
	return 0
}

# rt_global FLAGS... -- ARGS...: like rt, with global flags before --root.
rt_global() {
	_g=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		_g="$_g $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	timeout -k 5 30 "$RUNTIME" $_g --root "$STATE" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	STATUS=$?
	if [ "$STATUS" -eq 124 ]; then
		fail "'$(basename "$RUNTIME")$_g $*' did not finish within 30 s (killed)"
		show
		exit 1
	fi
	return 0
}

# show: what the last rt call wrote, for a failure report.
show() {
	echo "--- stdout (first 2 KiB):"
	head -c 2048 "${RT_OUT:-$WORK/out}"
	echo "--- stderr (first 2 KiB):"
	head -c 2048 "${RT_ERR:-$WORK/err}"
	echo "---"
}

# expect_status WANT WHAT: the last rt call's status must be WANT.
expect_status() {
	if [ "$STATUS" -ne "$1" ]; then
		fail "$2: exit status $STATUS, expected $1"
		show
	fi
}

# expect_fail WHAT: the last call must fail with exit status 1 (runc's status for every
# command error) and exactly one non-empty line on stderr.
expect_fail() {
	if [ "$STATUS" -ne 1 ]; then
		fail "$1: exit status $STATUS, expected 1"
		show
	fi
	_n=$(grep -c . "${RT_ERR:-$WORK/err}")
	if [ "$_n" -ne 1 ]; then
		fail "$1: expected a one-line error on stderr, got $_n lines"
		show
	fi
}

# expect_eq WANT GOT WHAT
expect_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: expected '$1', got '$2'"
	fi
}

# expect_out WANT WHAT: the last call's stdout must be exactly WANT (plus a newline).
expect_out() {
	printf '%s\n' "$1" >"$WORK/want"
	if ! cmp -s "$WORK/want" "${RT_OUT:-$WORK/out}"; then
		fail "$2: stdout differs (diff expected actual):"
		diff "$WORK/want" "${RT_OUT:-$WORK/out}" | head -n 30
		show
	fi
}

# expect_grep FILE REGEX WHAT: FILE must have a line matching the extended REGEX.
expect_grep() {
	if ! grep -Eq -- "$2" "$1"; then
		fail "$3: no line matching '$2' in $(basename "$1"):"
		head -c 512 "$1"
		echo "---"
	fi
}

# jget FILE EXPR: prints the Python expression EXPR over the JSON document d in FILE
# (True/False print as true/false, None as null, lists/dicts as JSON).
jget() {
	"$PYTHON" -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    v = eval(sys.argv[2])
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

# state_of ID: prints the container's status from `state` ("" when state fails).
state_of() {
	RT_OUT=$WORK/state.json RT_ERR=$WORK/state.err rt state "$1"
	if [ "$STATUS" -ne 0 ]; then
		echo ""
		return 0
	fi
	jget "$WORK/state.json" 'd["status"]'
}

# WAIT_TRIES: how many 0.1 s polls a wait may take: 30 s, and 2 s once a wait has failed,
# so that a broken runtime fails the test well before ctest's timeout.
WAIT_TRIES=300

# wait_status ID WANT WHAT: polls `state` until the status is WANT (bounded by WAIT_TRIES;
# the bound only catches a hang, a passing run never waits that long).
wait_status() {
	_i=0
	while [ "$_i" -lt "$WAIT_TRIES" ]; do
		_s=$(state_of "$1")
		[ "$_s" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "$3: container $1 status '$_s', expected '$2' (waited $((WAIT_TRIES / 10)) s)"
	WAIT_TRIES=20
	return 1
}

# wait_file FILE WHAT: polls until FILE exists (bounded by WAIT_TRIES). `wtest init READY`
# creates READY once its SIGTERM handler is installed: a pid-namespace init ignores a TERM
# sent before that, so a test waits for READY before relying on TERM.
wait_file() {
	_i=0
	while [ ! -e "$1" ] && [ "$_i" -lt "$WAIT_TRIES" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$1" ] && return 0
	fail "$2: $1 did not appear (waited $((WAIT_TRIES / 10)) s)"
	WAIT_TRIES=20
	return 1
}

# expect_state ID WANT WHAT: the status now (no waiting) must be WANT.
expect_state() {
	_s=$(state_of "$1")
	expect_eq "$2" "$_s" "$3: status of $1"
}

# expect_gone ID WHAT: no container ID in `list -q` and no state dir under --root.
expect_gone() {
	RT_OUT=$WORK/list.out RT_ERR=$WORK/list.err rt list -q
	if grep -qx -- "$1" "$WORK/list.out"; then
		fail "$2: container $1 still in 'list -q'"
	fi
	case "$1" in
	. | .. | */*) return 0 ;; # not a name in $STATE: expect_state_dir_empty checks those
	esac
	if [ -e "$STATE/$1" ]; then
		fail "$2: state dir $STATE/$1 left behind"
	fi
}

# expect_state_dir_empty WHAT: nothing at all under --root (or no --root dir).
expect_state_dir_empty() {
	if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE")" ]; then
		fail "$1: state root not empty: $(ls -A "$STATE" | tr '\n' ' ')"
	fi
}

# pid_alive PID: true if PID exists on the host and is not a zombie (a dead container init
# waits as a zombie until its host parent reaps it).
pid_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# mkbundle NAME ARGS...: makes the bundle $WORK/NAME (config.json only: root.path is the
# test rootfs, absolute, read-only; terminal false; process.args ARGS) from `spec`, and
# prints its path.
mkbundle() {
	_b=$WORK/$1
	shift
	mkdir -p "$_b"
	RT_OUT=$WORK/spec.out RT_ERR=$WORK/spec.err rt spec --bundle "$_b"
	if [ "$STATUS" -ne 0 ] || [ ! -s "$_b/config.json" ]; then
		echo "FAIL: '$RUNTIME spec --bundle $_b' failed ($STATUS): $(cat "$WORK/spec.err")" >&2
		exit 1
	fi
	"$PYTHON" - "$_b/config.json" "$ROOTFS" "$@" <<'EOF'
import json, sys
path, rootfs, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = args
json.dump(c, open(path, "w"), indent=2)
EOF
	echo "$_b"
}

# bundle_edit BUNDLE PYTHON: runs the Python statements on c, the bundle's config.json.
bundle_edit() {
	"$PYTHON" - "$1/config.json" "$2" <<'EOF'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
exec(sys.argv[2])
json.dump(c, open(path, "w"), indent=2)
EOF
}

# bundle_args BUNDLE ARGS...: sets process.args.
bundle_args() {
	"$PYTHON" - "$@" <<'EOF2'
import json, sys
path = sys.argv[1] + "/config.json"
c = json.load(open(path))
c["process"]["args"] = sys.argv[2:]
json.dump(c, open(path, "w"), indent=2)
EOF2
}

# bundle_bind BUNDLE HOSTDIR DEST [ro]: adds a bind mount of HOSTDIR at DEST. DEST must
# exist in the rootfs (runc would create a missing mountpoint in the shared rootfs dir).
bundle_bind() {
	bundle_edit "$1" "c['mounts'].append({'destination': '$3', 'type': 'bind',
	'source': '$2', 'options': ['rbind', '${4:-rw}']})"
}

# share NAME: a host directory the container may write (bind it with bundle_bind).
share() {
	mkdir -p "$WORK/$1"
	chmod 777 "$WORK/$1"
	echo "$WORK/$1"
}

# finish: cleans up (which may still fail the test), then reports.
finish() {
	cleanup
	[ "$FAILED" -eq 0 ] && echo "PASS: $TEST ($(basename "$RUNTIME"))"
	exit "$FAILED"
}
