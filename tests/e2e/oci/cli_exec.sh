#!/bin/sh
# exec into a container: output and exit status, --env, --cwd, --user, --process,
# --detach --pid-file, the shared pid namespace, and the errors (runc: exec's own errors
# exit 255, "exec failed: ...").
. "$(dirname "$0")/oci_lib.sh"

B=$(mkbundle init /bin/wtest init)
ID=$(cid init)
rt run -d --bundle "$B" "$ID"
expect_status 0 "run -d"
wait_status "$ID" running "after run -d"

rt exec "$ID" /bin/echo hi
expect_status 0 "exec echo hi"
expect_out hi "exec echo hi"
RT_ERR=$WORK/e.err rt exec "$ID" sh -c 'echo to-err >&2; exit 5'
expect_status 5 "exec of 'exit 5'"
expect_eq to-err "$(cat "$WORK/e.err")" "exec's stderr"
# not pid 1: an exec'd process can kill itself, and exec reports 128+9
rt exec "$ID" sh -c 'kill -9 $$'
expect_status 137 "exec of a process that SIGKILLs itself"
printf 'through stdin\n' >"$WORK/in"
RT_IN=$WORK/in rt exec "$ID" wtest cat
expect_out "through stdin" "exec's stdin"

# the same pid namespace as the init: pid 1 is the container's init
rt exec "$ID" cat /proc/1/cmdline
expect_status 0 "exec cat /proc/1/cmdline"
expect_eq "/bin/wtest init" "$(tr '\0' ' ' <"$WORK/out" | sed 's/ $//')" "/proc/1/cmdline seen by exec"

# environment: the config's env plus --env (runc adds HOME). (runc refuses mixing -e and
# --env in one command: "Cannot use two forms of the same flag".)
rt exec --env FOO=bar --env A=b "$ID" wtest env
expect_status 0 "exec --env"
expect_grep "$WORK/out" '^FOO=bar$' "exec --env FOO=bar"
expect_grep "$WORK/out" '^A=b$' "exec --env A=b (a second --env)"
expect_grep "$WORK/out" '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "exec keeps the config's PATH"
expect_grep "$WORK/out" '^HOME=/root$' "exec sets HOME from /etc/passwd"

rt exec --cwd /tmp "$ID" pwd
expect_out /tmp "exec --cwd /tmp; pwd"
rt exec "$ID" wcwd
expect_out / "exec without --cwd: the config's cwd"

rt exec --user 65534:65534 "$ID" wids
expect_status 0 "exec --user 65534:65534"
expect_out "uid=65534 gid=65534 euid=65534 egid=65534 groups=" "exec --user 65534:65534"
rt exec --user 65534:65534 "$ID" id -u
expect_out 65534 "exec --user 65534:65534 id -u"
rt exec "$ID" wids
expect_out "uid=0 gid=0 euid=0 egid=0 groups=" "exec as the config's user"

# --process: the whole process from a JSON file (args, env, cwd, user)
cat >"$WORK/proc.json" <<'J'
{"args": ["/bin/sh", "-c", "echo X=$X; pwd; wids; exit 4"], "env": ["X=1", "PATH=/bin"],
 "cwd": "/var", "user": {"uid": 65534, "gid": 65534}}
J
rt exec --process "$WORK/proc.json" "$ID"
expect_status 4 "exec --process"
printf 'X=1\n/var\nuid=65534 gid=65534 euid=65534 egid=65534 groups=\n' >"$WORK/want"
cmp -s "$WORK/want" "$WORK/out" || fail "exec --process output: expected '$(cat "$WORK/want")', got '$(cat "$WORK/out")'"

# --detach --pid-file returns at once (the process sleeps forever); the pid is the host's
# view of the exec'd process (warden: of the sandbox, so only checked to be a live pid)
rt exec --detach --pid-file "$WORK/epid" "$ID" wtest sleep 1000
expect_status 0 "exec --detach --pid-file"
EPID=$(cat "$WORK/epid" 2>/dev/null)
[ "$EPID" -gt 0 ] 2>/dev/null || fail "exec --pid-file: expected a pid, got '$EPID'"
pid_alive "$EPID" || fail "exec --pid-file: pid $EPID is not a live host process"
if [ "$IS_WARDEN" -eq 0 ]; then
	expect_eq "wtest sleep 1000" "$(tr '\0' ' ' <"/proc/$EPID/cmdline" | sed 's/ $//')" "cmdline of the exec --detach pid"
fi
rt exec "$ID" sh -c 'ps -o args | grep -c "^wtest sleep 1000"'
expect_out 1 "the detached exec'd process seen inside the container"

# exec's own errors: status 255, one line
rt exec "$ID" /nonexistent
expect_status 255 "exec of a missing binary"
expect_grep "$WORK/err" 'exec failed: .*/nonexistent' "exec of a missing binary: message"
expect_eq 1 "$(grep -c . "$WORK/err")" "exec of a missing binary: lines on stderr"
rt exec --cwd /nonexistent "$ID" pwd
expect_status 255 "exec --cwd of a missing dir"
rt exec --process "$WORK/nonexistent.json" "$ID"
expect_status 255 "exec --process of a missing file"
rt exec "$ID"
expect_status 255 "exec without args"
rt exec --tty "$ID" /bin/echo hi
expect_status 255 "exec --tty without a terminal or --console-socket"
rt exec nonexistent-id /bin/echo hi
expect_status 255 "exec into a container that does not exist"
expect_grep "$WORK/err" "does not exist" "exec into a container that does not exist: message"

# runc allows exec into a created (not yet started) container; the init stays created
ID2=$(cid created)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID2"
RT_ERR=$WORK/c.err expect_status 0 "create"
rt exec "$ID2" /bin/echo hi
expect_status 0 "exec into a created container (runc allows it)"
expect_out hi "exec into a created container"
expect_state "$ID2" created "after exec into a created container"

# a stopped container: exec fails
rt kill "$ID" KILL
wait_status "$ID" stopped "after kill KILL"
rt exec "$ID" /bin/echo hi
expect_status 255 "exec into a stopped container"
expect_grep "$WORK/err" "stopped" "exec into a stopped container: message"
expect_eq 0 "$(wc -c <"$WORK/out")" "stdout of exec into a stopped container"
finish
