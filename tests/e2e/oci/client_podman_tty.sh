#!/bin/sh
# podman run -t: the container gets a terminal through the runtime's --console-socket (conmon
# receives the pty master). No terminal is needed on our side: podman allows -t with stdin
# from /dev/null, and the output shows the tty's ONLCR (hi\r\n).
. "$(dirname "$0")/clients_lib.sh"
podman_setup

pm run --rm -t --cidfile "$WT_TMP/cid" $PM_RUN_FLAGS localhost/wardentest /bin/echo tty-hi </dev/null >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
expect_eq "podman run -t ... echo: exit status" "$rc" 0
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"
expect_eq "podman run -t ... echo: output (od -c)" "$(od -An -c "$WT_TMP/out" | tr -s ' ')" \
	" t t y - h i \r \n"
# and the process sees a terminal on stdin and stdout
out=$(pm run --rm -t $PM_RUN_FLAGS localhost/wardentest sh -c '[ -t 0 ] && [ -t 1 ] && echo tty' </dev/null | tr -d '\r')
expect_eq "test -t 0 and -t 1 in a -t container" "$out" tty
wait_runtime_forgets "$(cat "$WT_TMP/cid")"
finish
