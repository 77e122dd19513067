#!/bin/sh
# Runs after every OCI e2e test (a fixture cleanup): nothing they made is left.
# - no process runs the warden binary (by /proc/PID/exe, or a command line starting with it);
# - no process mentions an e2e temp dir (/tmp/wt-*: conmon, containerd, its shims, podman's
#   exit commands all carry it in their arguments);
# - no mount below an e2e temp dir or this build directory;
# - no cgroup directory for a test container (test container ids start with "wt-", so do the
#   cgroups the runtime or containerd make for them);
# - no state dir for a test container in the runtime's default root (RUNTIME list, and
#   /run/warden/wt-*), nor in containerd's default runc root;
# - no e2e temp dir.
. "$(dirname "$0")/clients_lib.sh"
TMPBASE=${TMPDIR:-/tmp}

warden_exe=$(readlink -f "$WARDEN")
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ "$p" = "$$" ] && continue
	exe=$(readlink "$d/exe" 2>/dev/null) || continue
	cmd=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")
	case "$exe" in
	"$warden_exe" | "$warden_exe (deleted)")
		fail "warden process left: pid $p: $cmd"
		continue
		;;
	esac
	case "$cmd" in
	"$WARDEN "* | "$warden_exe "*) fail "warden process left: pid $p: $cmd" ;;
	*"$TMPBASE/wt-"*)
		case "$cmd" in
		*"$WT_TMP"*) ;; # this test's own
		*) fail "process from an e2e temp dir left: pid $p: $cmd" ;;
		esac
		;;
	esac
done

for m in $(awk '{ print $5 }' /proc/self/mountinfo); do
	case "$m" in
	"$TMPBASE/wt-"* | "$PWD/"*) fail "mount left: $m" ;;
	esac
done

for cg in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name '*wt-*' 2>/dev/null); do
	fail "cgroup of a test container left: $cg"
done

for id in $(timeout 30 "$RUNTIME" list -q 2>/dev/null); do
	case "$id" in
	wt-*) fail "container $id left in $RUNTIME's default state root" ;;
	esac
done
for d in /run/warden/wt-* /run/containerd/runc/default/wt-*; do
	[ -e "$d" ] && fail "state dir of a test container left: $d"
done

for d in "$TMPBASE"/wt-*; do
	[ -e "$d" ] || continue
	[ "$d" = "$WT_TMP" ] && continue
	fail "e2e temp dir left: $d"
done
finish
