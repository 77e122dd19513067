#!/bin/sh
# create -> start -> kill -> delete, the pid file, the state at each step, and the errors
# for commands in the wrong state (statuses and messages as runc gives them).
. "$(dirname "$0")/oci_lib.sh"

SHARE=$(share share)
# The process writes a marker file (in a bind-mounted host dir) first thing. (Not a fifo:
# this test is about the lifecycle, not about host fifos seen through a bind mount.)
B=$(mkbundle life /bin/sh -c 'echo ran >/var/tmp/marker; exec wtest init /var/tmp/ready')
bundle_bind "$B" "$SHARE" /var/tmp
ID=$(cid life)

RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" --pid-file "$WORK/pid" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create"
expect_state "$ID" created "after create"
PID=$(jget "$WORK/state.json" 'd["pid"]')
[ "$PID" -gt 0 ] 2>/dev/null || fail "state pid after create: expected > 0, got '$PID'"
expect_eq "$PID" "$(cat "$WORK/pid" 2>/dev/null)" "--pid-file content vs state's pid"
pid_alive "$PID" || fail "the created container's pid $PID does not exist on the host"
# `create` returned; the process must not have run (it writes the marker first thing).
[ -e "$SHARE/marker" ] && fail "the process ran before start (marker written after create)"
RT_OUT=$WORK/l.out rt list -q
expect_grep "$WORK/l.out" "^$ID\$" "list -q after create"

rt start "$ID"
expect_status 0 "start"
wait_status "$ID" running "after start"
i=0
while [ ! -s "$SHARE/marker" ] && [ "$i" -lt "$WAIT_TRIES" ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq ran "$(cat "$SHARE/marker" 2>/dev/null)" "the marker the started process writes"
expect_eq "$PID" "$(jget "$WORK/state.json" 'd["pid"]')" "state's pid after start vs after create"

rt start "$ID"
expect_fail "start of a running container"
expect_grep "$WORK/err" "already running" "start of a running container: message"

rt delete "$ID"
expect_fail "delete of a running container without --force"
expect_grep "$WORK/err" "not stopped" "delete of a running container: message"
expect_state "$ID" running "after a failed delete"

# kill with the default signal (SIGTERM): wtest init exits on it, once its handler is in
# place (a pid-namespace init ignores TERM without one)
wait_file "$SHARE/ready" "wtest init's ready file"
rt kill "$ID"
expect_status 0 "kill (default signal SIGTERM)"
wait_status "$ID" stopped "after kill with the default signal"
expect_eq 0 "$(jget "$WORK/state.json" 'd["pid"]')" "state's pid of a stopped container"

rt kill "$ID" KILL
expect_fail "kill of a stopped container"
expect_grep "$WORK/err" "not running" "kill of a stopped container: message"
rt start "$ID"
expect_fail "start of a stopped container"
expect_grep "$WORK/err" "stopped" "start of a stopped container: message"

rt delete "$ID"
expect_status 0 "delete of a stopped container"
expect_gone "$ID" "after delete"
rt state "$ID"
expect_fail "state after delete"
expect_grep "$WORK/err" "does not exist" "state after delete: message"
for cmd in start kill delete pause resume; do
	rt "$cmd" "$ID"
	expect_fail "$cmd of a deleted container"
	expect_grep "$WORK/err" "does not exist" "$cmd of a deleted container: message"
done
# runc: delete --force of an id that does not exist succeeds (containerd relies on it)
rt delete --force "$ID"
expect_status 0 "delete --force of a container that does not exist"

# Each way to name a signal stops a container whose init (wtest init) has no handler for
# it (KILL) or exits on it (TERM); names are case-insensitive, with or without SIG.
B=$(mkbundle init /bin/wtest init)
bundle_bind "$B" "$SHARE" /var/tmp
n=0
for sig in TERM SIGTERM KILL SIGKILL 9 15 sigkill term; do
	n=$((n + 1))
	ID=$(cid "sig$n")
	bundle_args "$B" /bin/wtest init "/var/tmp/ready$n"
	rt run -d --bundle "$B" "$ID"
	expect_status 0 "run -d (for kill $sig)"
	wait_file "$SHARE/ready$n" "wtest init's ready file (for kill $sig)"
	rt kill "$ID" "$sig"
	expect_status 0 "kill ID $sig"
	wait_status "$ID" stopped "after kill $sig"
	rt delete "$ID"
	expect_status 0 "delete after kill $sig"
	expect_gone "$ID" "delete after kill $sig"
done

# delete --force of a running container works and leaves nothing
ID=$(cid force)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"
PID=$(jget "$WORK/state.json" 'd["pid"]')
rt delete --force "$ID"
expect_status 0 "delete --force of a running container"
expect_gone "$ID" "after delete --force"
pid_alive "$PID" && fail "pid $PID of the force-deleted container still exists"

# delete --force of a created (never started) container
ID=$(cid created)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create"
rt delete --force "$ID"
expect_status 0 "delete --force of a created container"
expect_gone "$ID" "after delete --force of a created container"
finish
