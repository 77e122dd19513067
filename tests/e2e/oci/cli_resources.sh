#!/bin/sh
# linux.resources become cgroup limits around the container's processes as the host sees
# them (the pid in `state`): pids.max, the memory limit and the cpu quota/shares, in the
# cgroup named by linux.cgroupsPath; delete removes that cgroup. Under runc the pids limit
# also stops a fork loop inside (warden: the limit applies to the sandbox's host
# processes, so that part is runc's only).
. "$(dirname "$0")/oci_lib.sh"

# cgroup v2 (unified) or v1 (one hierarchy per controller)
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	CGV=2
else
	CGV=1
fi

# cgfile PID CONTROLLER FILE: the path of a cgroup file of PID's cgroup for CONTROLLER
cgfile() {
	if [ "$CGV" -eq 2 ]; then
		_p=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup$_p/$3"
	else
		_p=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup/$2$_p/$3"
	fi
}

# cgread PID CONTROLLER FILE: the content of that file ("<missing FILE>" if absent)
cgread() {
	_f=$(cgfile "$1" "$2" "$3")
	if [ -r "$_f" ]; then
		cat "$_f"
	else
		echo "<missing $_f>"
	fi
}

# A cgroupsPath of our own: /PARENT/LEAF. runc removes the leaf at delete but not the
# parent it created, so the test removes the parent (only that, only if empty) at the end.
PARENT=wt-$TEST-$$
CGPATH=/$PARENT/leaf
rm_parent() {
	for d in /sys/fs/cgroup/*/"$PARENT" /sys/fs/cgroup/"$PARENT"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
EXTRA_CLEANUP=rm_parent

B=$(mkbundle limits /bin/wtest init)
bundle_edit "$B" "
c['linux']['cgroupsPath'] = '$CGPATH'
c['linux']['resources'] = {'pids': {'limit': 100}, 'memory': {'limit': 268435456},
	'cpu': {'shares': 512, 'quota': 50000, 'period': 100000}}
"
ID=$(cid limits)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d with linux.resources"
wait_status "$ID" running "after run -d"
PID=$(jget "$WORK/state.json" 'd["pid"]')

if [ "$CGV" -eq 2 ]; then
	expect_eq "$CGPATH" "$(sed -n 's/^0:://p' "/proc/$PID/cgroup")" "the cgroup of the container's pid"
	expect_eq "$(host_pids 100)" "$(cgread "$PID" pids pids.max)" "pids.max"
	expect_eq 268435456 "$(cgread "$PID" memory memory.max)" "memory.max"
	expect_eq "50000 100000" "$(cgread "$PID" cpu cpu.max)" "cpu.max"
else
	for c in pids memory cpu; do
		expect_eq "$CGPATH" "$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$PID/cgroup")" \
			"the $c cgroup of the container's pid"
	done
	expect_eq "$(host_pids 100)" "$(cgread "$PID" pids pids.max)" "pids.max"
	expect_eq 268435456 "$(cgread "$PID" memory memory.limit_in_bytes)" "memory.limit_in_bytes"
	expect_eq 50000 "$(cgread "$PID" cpu cpu.cfs_quota_us)" "cpu.cfs_quota_us"
	expect_eq 100000 "$(cgread "$PID" cpu cpu.cfs_period_us)" "cpu.cfs_period_us"
	expect_eq 512 "$(cgread "$PID" cpu cpu.shares)" "cpu.shares"
fi
# every process of the container is in that cgroup
PROCS=$(cgfile "$PID" pids cgroup.procs)
grep -qx "$PID" "$PROCS" 2>/dev/null || fail "the container's pid $PID is not in $PROCS"
if [ "$IS_WARDEN" -eq 0 ]; then
	rt exec -d "$ID" wtest sleep 1000
	expect_status 0 "exec -d"
	expect_eq 2 "$(wc -l <"$PROCS")" "processes in the container's cgroup (init + exec'd)"
fi

LEAF=$(dirname "$PROCS")
rt delete --force "$ID"
expect_status 0 "delete --force"
[ -d "$LEAF" ] && fail "the container's cgroup $LEAF is left after delete"
rm_parent

# Without cgroupsPath the runtime picks a cgroup of its own; the limits still apply and
# delete removes it.
B=$(mkbundle default /bin/wtest init)
bundle_edit "$B" "c['linux']['resources'] = {'pids': {'limit': 100}}"
ID=$(cid default)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d without cgroupsPath"
wait_status "$ID" running "after run -d"
PID=$(jget "$WORK/state.json" 'd["pid"]')
expect_eq "$(host_pids 100)" "$(cgread "$PID" pids pids.max)" "pids.max without cgroupsPath"
LEAF=$(dirname "$(cgfile "$PID" pids pids.max)")
case "$LEAF" in
/sys/fs/cgroup | /sys/fs/cgroup/pids) fail "the container runs in the root cgroup" ;;
esac
rt delete --force "$ID"
expect_status 0 "delete --force"
[ -d "$LEAF" ] && fail "the container's cgroup $LEAF is left after delete"

# pids.limit 10 stops a fork loop inside the container with EAGAIN (runc: the pids
# cgroup; warden: the sentry's task limit)
if true; then
	B=$(mkbundle forks /bin/sh -c 'i=0; while [ $i -lt 20 ]; do wtest sleep 1000 & i=$((i+1)); done; echo all forked')
	bundle_edit "$B" "c['linux']['resources'] = {'pids': {'limit': 10}}"
	RT_ERR=$WORK/forks.err rt run --bundle "$B" "$(cid forks)"
	expect_status 2 "a fork loop past pids.limit 10 (busybox sh: can't fork -> 2)"
	expect_grep "$WORK/forks.err" "can't fork: Resource temporarily unavailable" "a fork loop past pids.limit: EAGAIN"
	[ -s "$WORK/out" ] && fail "the fork loop finished although pids.limit is 10: $(cat "$WORK/out")"
fi
finish
