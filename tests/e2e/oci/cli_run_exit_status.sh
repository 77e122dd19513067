#!/bin/sh
# `run` of a bundle: stdio passes through, the container process's exit status is run's,
# `run --detach` returns with the container running, and every bad bundle or id fails with
# status 1, a one-line error and no state left under --root.
. "$(dirname "$0")/oci_lib.sh"

# stdout and stderr pass through; exit 3 -> 3
B=$(mkbundle exit3 /bin/sh -c 'echo out; echo err >&2; exit 3')
RT_ERR=$WORK/run.err rt run --bundle "$B" "$(cid exit3)"
expect_status 3 "run of 'exit 3'"
expect_out "out" "run's stdout"
printf 'err\n' >"$WORK/want"
cmp -s "$WORK/want" "$WORK/run.err" || fail "run's stderr: expected 'err', got '$(cat "$WORK/run.err")'"
expect_gone "$(cid exit3)" "run deletes the container after it exits"

# exit 0 -> 0, output through
B=$(mkbundle hi /bin/echo hi)
rt run --bundle "$B" "$(cid hi)"
expect_status 0 "run of /bin/echo hi"
expect_out "hi" "run of /bin/echo hi"

# stdin passes through too
printf 'from stdin\n' >"$WORK/in"
B=$(mkbundle cat /bin/wtest cat)
RT_IN=$WORK/in rt run --bundle "$B" "$(cid cat)"
expect_status 0 "run of wtest cat"
expect_out "from stdin" "run of wtest cat with stdin"

# The init killed by SIGKILL from outside: run exits 128+9. (A pid-namespace init cannot
# kill itself with `kill -9 $$`: the kernel drops signals to it that it has no handler
# for, even SIGKILL, so that is not a way to test this.)
B=$(mkbundle killed /bin/wtest sleep 1000)
ID=$(cid killed)
(
	RT_OUT=$WORK/killed.out RT_ERR=$WORK/killed.err rt run --bundle "$B" "$ID"
	echo "$STATUS" >"$WORK/killed.status"
) &
RUNPID=$!
if wait_status "$ID" running "run of wtest sleep"; then
	rt kill "$ID" KILL
	expect_status 0 "kill ID KILL"
fi
wait "$RUNPID"
expect_eq 137 "$(cat "$WORK/killed.status")" "status of run when the init is killed by SIGKILL"
expect_gone "$ID" "run deletes a killed container"

# run --detach returns at once (the init sleeps forever) with the container running
B=$(mkbundle detach /bin/wtest init)
ID=$(cid detach)
rt run --detach --bundle "$B" "$ID"
expect_status 0 "run --detach"
expect_state "$ID" running "after run --detach"
rt run -d --bundle "$B" "$ID"
expect_fail "run -d of an id that exists"
expect_grep "$WORK/err" "already exists" "duplicate id error"
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_fail "create of an id that exists"
expect_grep "$WORK/c.err" "already exists" "duplicate id error (create)"
expect_state "$ID" running "the first container after the duplicate attempts"
rt delete --force "$ID"
expect_status 0 "delete --force"

# bad_run NAME BUNDLE ID WHAT REGEX: run must fail with a one-line error matching REGEX and
# leave nothing under --root.
bad_run() {
	rt run --bundle "$2" "$3"
	expect_fail "$4"
	expect_grep "$WORK/err" "$5" "$4: error message"
	[ -n "$3" ] && expect_gone "$3" "$4"
	expect_state_dir_empty "$4"
}

mkdir "$WORK/noconfig"
bad_run noconfig "$WORK/noconfig" "$(cid noconfig)" "bundle without config.json" "config.json"
mkdir "$WORK/badjson"
echo '{bad' >"$WORK/badjson/config.json"
bad_run badjson "$WORK/badjson" "$(cid badjson)" "config.json with bad JSON" "."
B=$(mkbundle noargs x)
bundle_edit "$B" 'del c["process"]["args"]'
bad_run noargs "$B" "$(cid noargs)" "config.json without process.args" "args"
B=$(mkbundle norootfs /bin/true)
bundle_edit "$B" 'c["root"]["path"] = "/nonexistent/rootfs"'
bad_run norootfs "$B" "$(cid norootfs)" "nonexistent root.path" "rootfs|/nonexistent"
B=$(mkbundle okbundle /bin/true)
bad_run badid1 "$B" "a/b" "container id a/b" "invalid container ID"
bad_run badid2 "$B" ".." "container id .." "invalid container ID"
bad_run badid3 "$B" "." "container id ." "invalid container ID"
bad_run badid4 "$B" "" "empty container id" "empty"
[ -e "$WORK/a" ] && fail "container id a/b created $WORK/a"

# A missing id is a usage error: runc exits 1 (usage on stdout); warden's convention for
# usage errors is 2 (tests/e2e/bad_usage_exits_2.sh).
rt run --bundle "$B"
if [ "$IS_WARDEN" -eq 0 ]; then
	expect_status 1 "run without an id"
else
	[ "$STATUS" -ne 0 ] || fail "run without an id: exit status 0"
fi
expect_state_dir_empty "run without an id"
finish
