#!/bin/sh
# bench/oci_idle_mem.sh BUILD_DIR: the memory one idle sandbox costs: a container running
# `sleep 1000` started with `RUNTIME run --detach --pid-file F`, then the PSS (KiB, from
# /proc/PID/smaps_rollup) summed over its host processes: the pid-file's process, all its
# descendants, and every process in that process's cgroup (a sandbox's helpers need not
# descend from the pid-file's process). runc's container is just the sleep; warden's is its
# sentry, gofer and stubs. Printed for runc and warden with the ratio; the container is
# deleted after. See oci_lib.sh.
. "$(dirname "$0")/oci_lib.sh"

# descendants PID: PID and every process below it
descendants() {
	echo "$1"
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		descendants "$c"
	done
}

# cgroup_procs PID: the processes sharing PID's cgroup (the pids controller's, or v2's)
cgroup_procs() {
	path=$(awk -F: '$2 == "pids" { print $3 }' /proc/"$1"/cgroup 2>/dev/null)
	if [ -n "$path" ] && [ "$path" != / ]; then
		cat "/sys/fs/cgroup/pids$path/cgroup.procs" 2>/dev/null
		return
	fi
	path=$(awk -F: '$1 == "0" { print $3 }' /proc/"$1"/cgroup 2>/dev/null)
	if [ -n "$path" ] && [ "$path" != / ]; then
		for v2 in /sys/fs/cgroup /sys/fs/cgroup/unified; do
			[ -f "$v2$path/cgroup.procs" ] && cat "$v2$path/cgroup.procs" && return
		done
	fi
}

# pss_kib PID...: the summed PSS of the (deduplicated) processes
pss_kib() {
	for p in $(printf '%s\n' "$@" | sort -un); do
		awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

# idle_kib RUNTIME: KiB of PSS for one idle container, or "n/a (why)"
idle_kib() {
	rt=$1
	[ -n "$rt" ] && [ -x "$rt" ] || { echo "n/a (not installed)"; return; }
	id=wt-bench-mem-$$
	OCI_IDS="$OCI_IDS $rt:$id"
	rm -f "$scratch/pid"
	timeout -k 5 "$LIMIT" "$rt" run --detach --pid-file "$scratch/pid" \
		--bundle "$scratch/sleep" "$id" </dev/null >"$scratch/out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		why $rc
		timeout 30 "$rt" delete --force "$id" >/dev/null 2>&1
		return
	fi
	pid=$(cat "$scratch/pid" 2>/dev/null)
	if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
		echo "n/a (no live pid in the pid file)"
	else
		# measured once the sandbox is idle: the container process is asleep
		pss_kib $(descendants "$pid") $(cgroup_procs "$pid")
	fi
	timeout 30 "$rt" delete --force "$id" >/dev/null 2>&1
}

why=$(can_bench)
if [ -n "$why" ]; then
	echo "note: OCI idle memory skipped: $why"
	exit 0
fi
make_bundle "$scratch/sleep" sleep 1000 || {
	echo "note: OCI idle memory skipped: could not make the bundle"
	exit 0
}
[ "${OCI_NO_HEADER:-}" ] || header
report "idle sandbox, sleep 1000: PSS (KiB)" "$(idle_kib "$RUNC")" "$(idle_kib "$WARDEN")"
