#!/bin/sh
# pause / resume: the state transitions, the errors in the wrong state, exec into a paused
# container failing, a signal to a paused container waiting for resume, and delete --force
# of a paused container.
. "$(dirname "$0")/oci_lib.sh"

SHARE=$(share share)
B=$(mkbundle init /bin/sh -c 'wtest sleep 1000 & exec wtest init /var/tmp/ready')
bundle_bind "$B" "$SHARE" /var/tmp
ID=$(cid p)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"
PID=$(jget "$WORK/state.json" 'd["pid"]')

rt resume "$ID"
expect_fail "resume of a running container"
expect_grep "$WORK/err" "not paused" "resume of a running container: message"

rt pause "$ID"
expect_status 0 "pause"
expect_state "$ID" paused "after pause"
expect_eq "$PID" "$(jget "$WORK/state.json" 'd["pid"]')" "state's pid while paused"
rt list --format json
expect_eq paused "$(jget "$WORK/out" '[e["status"] for e in d][0]')" "status in list --format json"
rt pause "$ID"
expect_fail "pause of a paused container"
expect_grep "$WORK/err" "not running" "pause of a paused container: message"
rt exec "$ID" /bin/echo hi
expect_status 255 "exec into a paused container"
expect_grep "$WORK/err" "paused" "exec into a paused container: message"
expect_eq 0 "$(wc -c <"$WORK/out")" "stdout of exec into a paused container"
rt delete "$ID"
expect_fail "delete of a paused container without --force"
expect_grep "$WORK/err" "not stopped" "delete of a paused container: message"
rt start "$ID"
expect_fail "start of a paused container"
expect_state "$ID" paused "after the failed commands"

rt resume "$ID"
expect_status 0 "resume"
expect_state "$ID" running "after resume"
rt exec "$ID" /bin/echo hi
expect_status 0 "exec after resume"
expect_out hi "exec after resume"

# A signal sent while paused is accepted and stays pending: wtest init exits on TERM only
# once resumed. (Its ready file says its TERM handler is in place.)
wait_file "$SHARE/ready" "wtest init's ready file"
rt pause "$ID"
expect_status 0 "pause (second time)"
rt kill "$ID" TERM
expect_status 0 "kill TERM of a paused container"
expect_state "$ID" paused "after kill TERM of a paused container"
rt resume "$ID"
expect_status 0 "resume with a pending TERM"
wait_status "$ID" stopped "after resume with a pending TERM"
rt pause "$ID"
expect_fail "pause of a stopped container"
expect_grep "$WORK/err" "not running" "pause of a stopped container: message"
rt resume "$ID"
expect_fail "resume of a stopped container"
expect_grep "$WORK/err" "not paused" "resume of a stopped container: message"
rt delete "$ID"
expect_status 0 "delete of the stopped container"

# delete --force of a paused container
ID=$(cid force)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"
PID=$(jget "$WORK/state.json" 'd["pid"]')
rt pause "$ID"
expect_status 0 "pause"
rt delete --force "$ID"
expect_status 0 "delete --force of a paused container"
expect_gone "$ID" "after delete --force of a paused container"
pid_alive "$PID" && fail "pid $PID of the force-deleted paused container still exists"

# runc pauses a created (never started) container too: it is "paused", start refuses it,
# resume brings it back to "created" (not "running"), and then start works.
ID=$(cid created)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create"
rt pause "$ID"
expect_status 0 "pause of a created container (runc allows it)"
expect_state "$ID" paused "after pause of a created container"
rt start "$ID"
expect_fail "start of a paused (created) container"
expect_grep "$WORK/err" "paused" "start of a paused container: message"
rt resume "$ID"
expect_status 0 "resume of a paused created container"
expect_state "$ID" created "after resume of a container paused before start"
rt start "$ID"
expect_status 0 "start after pause/resume"
wait_status "$ID" running "after start"
finish
