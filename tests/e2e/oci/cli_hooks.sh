#!/bin/sh
# OCI hooks: prestart, createRuntime, createContainer, poststart and poststop run at their
# lifecycle points with the state on stdin, their args and env; a failing or timed-out
# createRuntime hook fails create and leaves nothing; a failing poststop hook does not
# change run's status.
. "$(dirname "$0")/oci_lib.sh"

LOG=$WORK/hooks.log
: >"$LOG"
# hook.sh STAGE: appends "STAGE STATUS ID PID>0 HOOKENV" from the state JSON on stdin
cat >"$WORK/hook.sh" <<'H'
#!/bin/sh
python3 -c '
import json, os, sys
d = json.load(sys.stdin)
print(sys.argv[1], d["status"], d["id"], str(d.get("pid", 0) > 0).lower(),
      os.environ.get("HOOKENV", "-"), d["bundle"] == os.environ.get("WANT_BUNDLE"))' "$1" >>"$2"
H
chmod 755 "$WORK/hook.sh"

B=$(mkbundle hooks /bin/wtest init)
bundle_edit "$B" "
c['hooks'] = {s: [{'path': '$WORK/hook.sh', 'args': ['hook.sh', s, '$LOG'],
	'env': ['HOOKENV=' + s + '-env', 'WANT_BUNDLE=$B']}]
	for s in ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']}
"
ID=$(cid hooks)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_status 0 "create with hooks"
# The first three at create, in this order, with the state "creating" and the init's pid
printf '%s\n' "prestart creating $ID true prestart-env True" \
	"createRuntime creating $ID true createRuntime-env True" \
	"createContainer creating $ID true createContainer-env True" >"$WORK/want"
head -n 3 "$LOG" >"$WORK/got"
cmp -s "$WORK/want" "$WORK/got" || fail "hooks run by create: expected
$(cat "$WORK/want")
got
$(cat "$LOG")"
if [ "$IS_WARDEN" -eq 1 ]; then
	# OCI: poststart runs after the start operation. runc 1.1 runs it during create (with
	# status "created"), so this is checked for warden only.
	expect_eq 3 "$(wc -l <"$LOG")" "hooks run by create (poststart must wait for start)"
fi

rt start "$ID"
expect_status 0 "start with hooks"
wait_status "$ID" running "after start"
expect_eq 4 "$(wc -l <"$LOG")" "hooks run by create and start"
expect_grep "$LOG" "^poststart (created|running) $ID true poststart-env True\$" "the poststart hook"
expect_eq poststart "$(sed -n 4p "$LOG" | cut -d' ' -f1)" "the fourth hook"

rt kill "$ID" KILL
expect_status 0 "kill KILL"
wait_status "$ID" stopped "after kill KILL"
expect_eq 4 "$(wc -l <"$LOG")" "hooks run before delete (poststop runs at delete)"
rt delete "$ID"
expect_status 0 "delete"
expect_eq 5 "$(wc -l <"$LOG")" "hooks run in all"
expect_eq "poststop stopped $ID false poststop-env True" "$(sed -n 5p "$LOG")" "the poststop hook (last; pid 0)"

# A failing createRuntime hook: create fails, nothing is left
B=$(mkbundle fail /bin/wtest init)
bundle_edit "$B" "c['hooks'] = {'createRuntime': [{'path': '/bin/false'}]}"
ID=$(cid fail)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_fail "create with a failing createRuntime hook"
expect_grep "$WORK/c.err" "hook" "create with a failing hook: message"
expect_gone "$ID" "after create with a failing createRuntime hook"
expect_state_dir_empty "after create with a failing createRuntime hook"

# A createRuntime hook that outlives its timeout (1 s; it would sleep 20): create fails
# after about a second, nothing is left
B=$(mkbundle timeout /bin/wtest init)
bundle_edit "$B" "c['hooks'] = {'createRuntime': [{'path': '/bin/sleep', 'args': ['sleep', '20'], 'timeout': 1}]}"
ID=$(cid timeout)
RT_OUT=$WORK/c.out RT_ERR=$WORK/c.err rt create --bundle "$B" "$ID"
RT_ERR=$WORK/c.err expect_fail "create with a createRuntime hook past its timeout"
expect_grep "$WORK/c.err" "timeout|timed out" "create with a hook past its timeout: message"
expect_gone "$ID" "after create with a timed-out hook"
expect_state_dir_empty "after create with a timed-out hook"

# A failing prestart hook fails run, nothing is left, the process never ran
SHARE=$(share share)
B=$(mkbundle prestart /bin/sh -c 'echo ran >/var/tmp/marker')
bundle_bind "$B" "$SHARE" /var/tmp
bundle_edit "$B" "c['hooks'] = {'prestart': [{'path': '/bin/false'}]}"
ID=$(cid prestart)
rt run --bundle "$B" "$ID"
expect_fail "run with a failing prestart hook"
expect_gone "$ID" "after run with a failing prestart hook"
[ -e "$SHARE/marker" ] && fail "the process ran although its prestart hook failed"

# A failing poststop hook is reported but run's status stays the process's (OCI: poststop
# errors are logged and ignored)
B=$(mkbundle poststop /bin/sh -c 'echo hi; exit 4')
bundle_edit "$B" "c['hooks'] = {'poststop': [{'path': '/bin/false'}]}"
ID=$(cid poststop)
rt run --bundle "$B" "$ID"
expect_status 4 "run with a failing poststop hook"
expect_out hi "run with a failing poststop hook"
expect_gone "$ID" "after run with a failing poststop hook"
finish
