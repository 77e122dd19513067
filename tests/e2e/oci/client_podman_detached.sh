#!/bin/sh
# The podman lifecycle of a detached container: run -d, exec (output and exit status), the
# container's pid 1 is its own init, ps lists it, stop (SIGTERM ignored by pid 1, then
# SIGKILL) leaves it exited, rm removes it from podman and from the runtime's state; and
# `run --rm ... sh -c 'exit 3'` returns 3.
. "$(dirname "$0")/clients_lib.sh"
podman_setup

name=wt-detached-$$
cid=$(pm run -d --name "$name" $PM_RUN_FLAGS localhost/wardentest sleep 100 2>"$WT_TMP/err")
rc=$?
if [ "$rc" -ne 0 ] || [ -z "$cid" ]; then
	fail "podman run -d ... sleep 100: exit status $rc, id '$cid'"
	cat "$WT_TMP/err"
	finish
fi

out=$(pm exec "$cid" /bin/echo from-exec)
expect_eq "podman exec /bin/echo: exit status" "$?" 0
expect_eq "podman exec /bin/echo: output" "$out" from-exec

pm exec "$cid" sh -c 'exit 5'
expect_eq "podman exec sh -c 'exit 5': exit status" "$?" 5

# stdin reaches an exec'd process (-i)
out=$(echo through-stdin | pm exec -i "$cid" cat)
expect_eq "podman exec -i cat: output" "$out" through-stdin

# pid 1 in the container is the container's init (sleep 100), not a host process
out=$(pm exec "$cid" cat /proc/1/cmdline | tr '\0' ' ')
expect_eq "container's /proc/1/cmdline" "$out" "sleep 100 "
# an exec'd process is another process of the container's pid namespace: not pid 1
set -- $(pm exec "$cid" wgetpid)
case "$1" in
1 | "" | *[!0-9]*) fail "wgetpid in an exec'd process printed '$*' (want its pid, not 1)" ;;
esac
# and the container's /proc shows only its own processes: pid 1 and the exec'd wpids
out=$(pm exec "$cid" wpids | tr '\n' ' ')
case "$out" in
"1 "[0-9]*" ") ;;
*) fail "/proc of the container lists '$out', expected pid 1 and wpids itself" ;;
esac

# the sandbox as the host sees it: below conmon only the runtime's processes, no guest sleep;
# and the kernel release the container sees is the sandbox's
conmon=$(pm inspect -f '{{.State.ConmonPid}}' "$cid")
expect_guest_hidden "podman run -d ... sleep 100" "$conmon" sleep
expect_own_kernel "podman exec wuname-r" "$(pm exec "$cid" wuname-r)"

out=$(pm ps -q --no-trunc --filter "name=$name")
expect_eq "podman ps lists the running container" "$out" "$cid"
out=$(pm inspect -f '{{.State.Status}}' "$cid")
expect_eq "state after run -d" "$out" running

# pid 1 has no SIGTERM handler, so SIGTERM does nothing (pid-namespace init rule) and podman
# falls back to SIGKILL after -t 2: what counts is that stop succeeds and the container exits
pm stop -t 2 "$cid" >/dev/null 2>"$WT_TMP/err"
rc=$?
expect_eq "podman stop -t 2: exit status" "$rc" 0
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"
out=$(pm inspect -f '{{.State.Status}}' "$cid")
expect_eq "state after stop" "$out" exited
out=$(pm ps -q --no-trunc --filter "name=$name")
expect_eq "podman ps after stop (running only)" "$out" ""

pm rm "$cid" >/dev/null 2>"$WT_TMP/err"
rc=$?
expect_eq "podman rm: exit status" "$rc" 0
[ "$rc" -eq 0 ] || cat "$WT_TMP/err"
out=$(pm ps -a -q)
expect_eq "podman ps -a after rm" "$out" ""
wait_runtime_forgets "$cid"

pm run --rm --cidfile "$WT_TMP/cid3" $PM_RUN_FLAGS localhost/wardentest sh -c 'exit 3'
expect_eq "podman run --rm sh -c 'exit 3': exit status" "$?" 3
wait_runtime_forgets "$(cat "$WT_TMP/cid3")"
finish
