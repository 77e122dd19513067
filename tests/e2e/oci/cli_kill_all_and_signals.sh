#!/bin/sh
# kill --all signals every process of the container; kill without --all only the init;
# signals the init traps are delivered to its handler; bad signals are errors.
. "$(dirname "$0")/oci_lib.sh"

# nprocs ID: how many processes the container's /proc lists, the exec'd wpids included
nprocs() {
	RT_OUT=$WORK/pids.out RT_ERR=$WORK/pids.err rt exec "$1" wpids
	wc -l <"$WORK/pids.out"
}

# wait_nprocs ID N WHAT: polls until the container has N processes (bounded: WAIT_TRIES)
wait_nprocs() {
	_i=0
	while [ "$_i" -lt "$WAIT_TRIES" ]; do
		_n=$(nprocs "$1")
		[ "$_n" -eq "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "$3: $_n processes in the container (wpids included), expected $2: $(tr '\n' ' ' <"$WORK/pids.out")"
	WAIT_TRIES=20
	return 1
}

# An init that traps TERM and exits 7; its child sleeps. kill --all TERM: both get TERM, the
# init's handler runs, run's status is 7. (The init loops on `wait` so it ends only
# through the trap, whatever order the two signals arrive in.)
B=$(mkbundle trap /bin/sh -c 'trap "exit 7" TERM; wtest sleep 1000 & while :; do wait; done')
ID=$(cid trap)
(
	RT_OUT=$WORK/trap.out RT_ERR=$WORK/trap.err rt run --bundle "$B" "$ID"
	echo "$STATUS" >"$WORK/trap.status"
) &
RUNPID=$!
if wait_status "$ID" running "run of the trapping init" && wait_nprocs "$ID" 3 "init + its child"; then
	rt kill --all "$ID" TERM
	expect_status 0 "kill --all ID TERM"
fi
wait "$RUNPID"
expect_eq 7 "$(cat "$WORK/trap.status")" "run's status when the init's TERM trap exits 7"
expect_gone "$ID" "after run returned"

# The same init, kill without --all: only the init gets TERM; still 7.
ID=$(cid trap1)
(
	RT_OUT=$WORK/trap1.out RT_ERR=$WORK/trap1.err rt run --bundle "$B" "$ID"
	echo "$STATUS" >"$WORK/trap1.status"
) &
RUNPID=$!
# (the child exists once the trap is set: TERM before that would be ignored by pid 1)
if wait_status "$ID" running "run of the trapping init" && wait_nprocs "$ID" 3 "init + its child"; then
	rt kill "$ID" TERM
	expect_status 0 "kill ID TERM"
fi
wait "$RUNPID"
expect_eq 7 "$(cat "$WORK/trap1.status")" "run's status when the init's TERM trap exits 7 (kill without --all)"

# wtest init has no handler for USR1: a pid-namespace init ignores it (only KILL and STOP
# are forced on it from outside), while its two children (wtest sleep) die of it. So
# kill --all USR1 leaves the init alone with nothing but the exec'd wpids.
B=$(mkbundle kids /bin/sh -c 'wtest sleep 1000 & wtest sleep 1000 & exec wtest init')
ID=$(cid kids)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"
wait_nprocs "$ID" 4 "init + 2 children + wpids"
rt kill "$ID" USR1
expect_status 0 "kill ID USR1"
expect_eq 4 "$(nprocs "$ID")" "processes after kill USR1 without --all (the children got nothing)"
rt kill --all "$ID" USR1
expect_status 0 "kill --all ID USR1"
wait_nprocs "$ID" 2 "after kill --all USR1: the init and wpids"
expect_state "$ID" running "after kill --all USR1 (the init ignores it)"
expect_eq "1" "$(sort -n "$WORK/pids.out" | head -n 1)" "the remaining process is pid 1"

# bad signals: unknown name -> "unknown signal", bad number -> error from kill(2)
rt kill "$ID" FOO
expect_fail "kill ID FOO"
expect_grep "$WORK/err" 'unknown signal [\\]?"FOO' "kill ID FOO: message"
rt kill --all "$ID" FOO
expect_fail "kill --all ID FOO"
expect_grep "$WORK/err" 'unknown signal [\\]?"FOO' "kill --all ID FOO: message"
rt kill "$ID" SIGFOO
expect_fail "kill ID SIGFOO"
rt kill "$ID" 99
expect_fail "kill ID 99"
expect_grep "$WORK/err" 'invalid argument' "kill ID 99: message"
expect_state "$ID" running "after the bad signals"

# signal 0 checks the container is alive
rt kill "$ID" 0
expect_status 0 "kill ID 0 of a running container"

rt kill --all "$ID" KILL
expect_status 0 "kill --all ID KILL"
wait_status "$ID" stopped "after kill --all KILL"
rt kill "$ID" 0
expect_fail "kill ID 0 of a stopped container"
expect_grep "$WORK/err" "not running" "kill of a stopped container: message"
# runc: kill --all does not check the state: of a stopped container it succeeds
rt kill --all "$ID" KILL
expect_status 0 "kill --all of a stopped container (runc: succeeds)"

# kill --all of a created (never started) container stops it
B=$(mkbundle init /bin/wtest init)
ID=$(cid created)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create"
rt kill --all "$ID" KILL
expect_status 0 "kill --all of a created container"
wait_status "$ID" stopped "after kill --all KILL of a created container"
finish
