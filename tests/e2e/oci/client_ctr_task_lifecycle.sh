#!/bin/sh
# A detached containerd task through the runtime: ctr run -d, task exec (output), task ps
# (the shim calls `RUNTIME ps --format json`), pause/resume, kill, and delete: the states
# containerd reports follow, and nothing is left in containerd or the runtime.
. "$(dirname "$0")/clients_lib.sh"
containerd_setup

id=wt-ctr-task-$$
if ! ctr_ run -d $CTR_RUN_FLAGS localhost/wardentest:latest "$id" sleep 100 >"$WT_TMP/out" 2>&1; then
	fail "ctr run -d ... sleep 100 failed"
	cat "$WT_TMP/out"
	finish
fi

# task_status: containerd's view of the task (RUNNING, PAUSED, STOPPED)
task_status() {
	ctr_ task ls | awk -v id="$id" '$1 == id { print $3 }'
}
expect_eq "task status after run -d" "$(task_status)" RUNNING

out=$(ctr_ task exec --exec-id e1 "$id" /bin/echo from-exec)
expect_eq "ctr task exec /bin/echo: exit status" "$?" 0
expect_eq "ctr task exec /bin/echo: output" "$out" from-exec
ctr_ task exec --exec-id e2 "$id" sh -c 'exit 4'
expect_eq "ctr task exec sh -c 'exit 4': exit status" "$?" 4

# task ps lists the task's host pid (what `RUNTIME ps --format json` returns)
pid=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
out=$(ctr_ task ps "$id" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')
case " $out" in
*" $pid "*) ;;
*) fail "ctr task ps lists '$out', which lacks the task's pid $pid" ;;
esac

# the task's pid (the runtime's pid file) as the host sees it: a sandbox, not the guest sleep
expect_guest_hidden "ctr run -d ... sleep 100" "$pid" sleep
expect_own_kernel "ctr task exec wuname-r" "$(ctr_ task exec --exec-id e3 "$id" wuname-r)"

ctr_ task pause "$id"
expect_eq "ctr task pause: exit status" "$?" 0
expect_eq "task status after pause" "$(task_status)" PAUSED
ctr_ task resume "$id"
expect_eq "ctr task resume: exit status" "$?" 0
expect_eq "task status after resume" "$(task_status)" RUNNING

ctr_ task kill -s SIGKILL "$id"
expect_eq "ctr task kill -s SIGKILL: exit status" "$?" 0
# the kill is asynchronous: wait (bounded) for containerd to see the task stop
i=0
while [ "$(task_status)" != STOPPED ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "task status after SIGKILL" "$(task_status)" STOPPED

ctr_ task rm "$id" >/dev/null
expect_eq "ctr task rm: exit status" "$?" 0
ctr_ container rm "$id"
expect_eq "ctr container rm: exit status" "$?" 0
out=$(ctr_ container ls -q)
expect_eq "containerd containers after rm" "$out" ""
out=$(timeout 30 "$RUNTIME" --root "$CD/runc-root/default" list -q)
expect_eq "runtime list (the shim's --root) after rm" "$out" ""
finish
