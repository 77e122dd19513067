#!/bin/sh
# `state` JSON, `list` (table, --format json, -q) and `ps` (table, --format json), with the
# fields and formats runc gives.
. "$(dirname "$0")/oci_lib.sh"

# An empty state root: the table header alone, `--format json` prints null (runc marshals
# a nil slice), -q prints nothing.
rt list
expect_status 0 "list with no containers"
expect_grep "$WORK/out" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$' "list header with no containers"
expect_eq 1 "$(wc -l <"$WORK/out")" "lines of list with no containers"
rt list --format json
expect_status 0 "list --format json with no containers"
expect_out null "list --format json with no containers (runc prints null)"
rt list -q
expect_status 0 "list -q with no containers"
expect_eq 0 "$(wc -c <"$WORK/out")" "bytes of list -q with no containers"

B=$(mkbundle ann /bin/sh -c 'wtest sleep 1000 & exec wtest init')
bundle_edit "$B" 'c["annotations"] = {"org.warden.test": "v1", "x": "y z"}'
ID=$(cid ann)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"

rt state "$ID"
expect_status 0 "state"
cp "$WORK/out" "$WORK/st.json"
# The keys runc writes (annotations only when the config has some; order does not matter
# to JSON readers, runc's is ociVersion id pid status bundle rootfs created annotations owner)
expect_eq '["annotations", "bundle", "created", "id", "ociVersion", "owner", "pid", "rootfs", "status"]' \
	"$(jget "$WORK/st.json" 'sorted(d.keys())')" "state's keys"
expect_eq true "$(jget "$WORK/st.json" 'isinstance(d["ociVersion"], str) and len(d["ociVersion"]) > 0')" \
	"state's ociVersion is a non-empty string"
expect_eq "$ID" "$(jget "$WORK/st.json" 'd["id"]')" "state's id"
expect_eq running "$(jget "$WORK/st.json" 'd["status"]')" "state's status"
PID=$(jget "$WORK/st.json" 'd["pid"]')
expect_eq true "$(jget "$WORK/st.json" 'type(d["pid"]) is int and d["pid"] > 0')" "state's pid is an int > 0 (got $PID)"
pid_alive "$PID" || fail "state's pid $PID is not a live process on the host"
expect_eq "$B" "$(jget "$WORK/st.json" 'd["bundle"]')" "state's bundle"
expect_eq "$ROOTFS" "$(jget "$WORK/st.json" 'd["rootfs"]')" "state's rootfs"
expect_eq true "$(jget "$WORK/st.json" '__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", d["created"]) is not None')" \
	"state's created is RFC 3339 UTC (got $(jget "$WORK/st.json" 'd["created"]'))"
expect_eq '{"org.warden.test": "v1", "x": "y z"}' "$(jget "$WORK/st.json" 'd["annotations"]')" "state's annotations"
# runc leaves owner empty in `state` (it fills it in `list` only)
expect_eq "" "$(jget "$WORK/st.json" 'd["owner"]')" "state's owner"
# runc prints state indented by two spaces, one key a line, no final newline
expect_eq 1 "$(grep -c '^  "id": ' "$WORK/st.json")" "state is indented JSON (two spaces, one key a line)"

# a second container: created, no annotations (the key is left out)
B2=$(mkbundle plain /bin/wtest init)
ID2=$(cid plain)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B2" "$ID2"
RT_ERR=$WORK/c.err expect_status 0 "create"
rt state "$ID2"
expect_status 0 "state of a created container"
expect_eq '["bundle", "created", "id", "ociVersion", "owner", "pid", "rootfs", "status"]' \
	"$(jget "$WORK/out" 'sorted(d.keys())')" "state's keys without annotations"
expect_eq created "$(jget "$WORK/out" 'd["status"]')" "status of a created container"
PID2=$(jget "$WORK/out" 'd["pid"]')

rt list
expect_status 0 "list"
expect_grep "$WORK/out" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$' "list header"
expect_eq 3 "$(wc -l <"$WORK/out")" "lines of list with two containers"
CREATED=$(jget "$WORK/st.json" 'd["created"]')
expect_grep "$WORK/out" "^$ID +$PID +running +$B +$CREATED +root\$" "list row of the running container"
expect_grep "$WORK/out" "^$ID2 +$PID2 +created +$B2 +[^ ]+ +root\$" "list row of the created container"

rt list --format json
expect_status 0 "list --format json"
cp "$WORK/out" "$WORK/list.json"
expect_eq 1 "$(wc -l <"$WORK/list.json")" "list --format json is one line"
expect_eq "[\"$ID\", \"$ID2\"]" "$(jget "$WORK/list.json" 'sorted(e["id"] for e in d)')" "ids in list --format json"
# each entry: the state's fields, with the owner filled in
expect_eq true "$("$PYTHON" -c '
import json, sys
st = json.load(open(sys.argv[1]))
e = [e for e in json.load(open(sys.argv[2])) if e["id"] == st["id"]][0]
st["owner"] = "root"
print(str(e == st).lower())' "$WORK/st.json" "$WORK/list.json")" \
	"list --format json entry == state with owner root (list: $(cat "$WORK/list.json"))"
expect_eq '["bundle", "created", "id", "ociVersion", "owner", "pid", "rootfs", "status"]' \
	"$(jget "$WORK/list.json" 'sorted([e for e in d if e["status"] == "created"][0].keys())')" \
	"keys of the created container in list --format json"

rt list -q
expect_status 0 "list -q"
printf '%s\n%s\n' "$ID" "$ID2" | sort >"$WORK/want"
sort "$WORK/out" >"$WORK/got"
cmp -s "$WORK/want" "$WORK/got" || fail "list -q: expected $ID and $ID2, got: $(cat "$WORK/out")"
rt list --format xml
expect_fail "list --format xml"
expect_grep "$WORK/err" "invalid format" "list --format xml: message"

# runc: the init's child may not have exec'd `wtest sleep` yet: wait for it (bounded).
i=0
while [ "$i" -lt "$WAIT_TRIES" ]; do
	rt ps "$ID"
	[ "$IS_WARDEN" -eq 1 ] && break # warden's host-side processes are the sandbox's
	grep -q 'wtest sleep 1000$' "$WORK/out" && break
	sleep 0.1
	i=$((i + 1))
done
expect_status 0 "ps"
cp "$WORK/out" "$WORK/ps.txt"
expect_grep "$WORK/ps.txt" '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$' "ps header"
head -n 1 "$WORK/ps.txt" | grep -q '^UID' || fail "ps: the header is not the first line"
rt ps --format json "$ID"
expect_status 0 "ps --format json"
cp "$WORK/out" "$WORK/ps.json"
expect_eq true "$(jget "$WORK/ps.json" 'isinstance(d, list) and all(type(p) is int for p in d)')" \
	"ps --format json is an array of ints (got $(cat "$WORK/ps.json"))"
expect_eq true "$(jget "$WORK/ps.json" "$PID in d")" "state's pid $PID in ps --format json"
if [ "$IS_WARDEN" -eq 0 ]; then
	# runc: the host sees the container's own processes: init and its sleeping child.
	# (warden: the host-side pids are the sandbox's, so only the checks above apply.)
	expect_eq 2 "$(jget "$WORK/ps.json" 'len(d)')" "pids in ps --format json"
	expect_eq 3 "$(wc -l <"$WORK/ps.txt")" "lines of ps (header + 2 processes)"
	expect_grep "$WORK/ps.txt" "^root +$PID +[0-9]+ .* wtest init\$" "ps row of the init"
	expect_grep "$WORK/ps.txt" "^root +[0-9]+ +$PID .* wtest sleep 1000\$" "ps row of the init's child"
fi
rt ps --format xml "$ID"
expect_fail "ps --format xml"
rt ps nonexistent-id
expect_fail "ps of a container that does not exist"
expect_grep "$WORK/err" "does not exist" "ps of a container that does not exist: message"

# ps of a stopped container: header only, and json null (runc marshals a nil slice)
rt kill "$ID" KILL
expect_status 0 "kill KILL"
wait_status "$ID" stopped "after kill KILL"
rt ps "$ID"
expect_status 0 "ps of a stopped container"
expect_eq 1 "$(wc -l <"$WORK/out")" "lines of ps of a stopped container (header only)"
rt ps --format json "$ID"
expect_status 0 "ps --format json of a stopped container"
expect_out null "ps --format json of a stopped container"
rt list --format json
expect_eq "stopped 0" "$(jget "$WORK/out" '" ".join(str(x) for e in d if e["id"] == "'"$ID"'" for x in (e["status"], e["pid"]))')" \
	"status and pid of the stopped container in list --format json"
finish
