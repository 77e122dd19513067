#!/bin/sh
# events --stats ID: one JSON line {"type":"stats","id":ID,"data":{...}} with the container's
# cgroup statistics (memory usage and limit, pids current and limit, cpu usage).
. "$(dirname "$0")/oci_lib.sh"

B=$(mkbundle init /bin/wtest init)
bundle_edit "$B" 'c["linux"]["resources"] = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
ID=$(cid stats)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"

rt events --stats "$ID"
expect_status 0 "events --stats"
cp "$WORK/out" "$WORK/ev.json"
expect_eq 1 "$(wc -l <"$WORK/ev.json")" "lines of events --stats"
expect_eq stats "$(jget "$WORK/ev.json" 'd["type"]')" "events --stats: type"
expect_eq "$ID" "$(jget "$WORK/ev.json" 'd["id"]')" "events --stats: id"
expect_eq true "$(jget "$WORK/ev.json" 'type(d["data"]["memory"]["usage"]["usage"]) is int and d["data"]["memory"]["usage"]["usage"] > 0')" \
	"events --stats: data.memory.usage.usage is an int > 0"
expect_eq 67108864 "$(jget "$WORK/ev.json" 'd["data"]["memory"]["usage"]["limit"]')" \
	"events --stats: data.memory.usage.limit (linux.resources.memory.limit)"
expect_eq true "$(jget "$WORK/ev.json" 'type(d["data"]["pids"]["current"]) is int and d["data"]["pids"]["current"] >= 1')" \
	"events --stats: data.pids.current is an int >= 1"
expect_eq "$(host_pids 50)" "$(jget "$WORK/ev.json" 'd["data"]["pids"]["limit"]')" "events --stats: data.pids.limit (the host cgroup's)"
expect_eq true "$(jget "$WORK/ev.json" 'type(d["data"]["cpu"]["usage"]["total"]) is int')" \
	"events --stats: data.cpu.usage.total is an int"
if [ "$IS_WARDEN" -eq 0 ]; then
	# runc: the init is the cgroup's only process
	expect_eq 1 "$(jget "$WORK/ev.json" 'd["data"]["pids"]["current"]')" "events --stats: data.pids.current"
fi

# a paused container still has stats
rt pause "$ID"
expect_status 0 "pause"
rt events --stats "$ID"
expect_status 0 "events --stats of a paused container"
expect_eq stats "$(jget "$WORK/out" 'd["type"]')" "events --stats of a paused container: type"
rt resume "$ID"
expect_status 0 "resume"

rt events --stats nonexistent-id
expect_fail "events --stats of a container that does not exist"
expect_grep "$WORK/err" "does not exist" "events --stats of a missing container: message"

rt kill "$ID" KILL
wait_status "$ID" stopped "after kill KILL"
rt events --stats "$ID"
expect_fail "events --stats of a stopped container"
expect_grep "$WORK/err" "is not running" "events --stats of a stopped container: message"
finish
