# Sourced by oci_lib.sh and clients_lib.sh after their root check: whether this host can
# run containers at all, asked of the host itself (never of the runtime under test, whose
# failures must fail the tests). Prints why not and exits 77 (skipped) when it cannot:
# no namespaces (a locked-down container), or no writable cgroupfs.
oci_host_check() {
	if ! unshare --pid --mount --uts --ipc --net --fork true 2>/dev/null; then
		echo "SKIP: $1: this host cannot make pid/mount/uts/ipc/net namespaces (unshare failed)"
		echo "SKIP: $1: this host cannot make pid/mount/uts/ipc/net namespaces" >&2
		exit 77
	fi
	_cg=""
	for _d in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -d "$_d" ] && [ -z "$_cg" ] && [ -e "$_d/cgroup.procs" ] && _cg=$_d
	done
	_probe=${_cg:-/sys/fs/cgroup}/wardenprobe-$$
	if [ -z "$_cg" ] || ! mkdir "$_probe" 2>/dev/null; then
		echo "SKIP: $1: no writable cgroup filesystem under /sys/fs/cgroup"
		echo "SKIP: $1: no writable cgroup filesystem under /sys/fs/cgroup" >&2
		exit 77
	fi
	rmdir "$_probe"
}
