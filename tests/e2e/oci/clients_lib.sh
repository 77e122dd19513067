# Sourced by the client_*.sh e2e tests, which drive an OCI runtime through the clients users
# have (podman + conmon, containerd + ctr) and a Debian rootfs. $1 is the warden binary, $2 the
# busybox test rootfs (the oci_rootfs target). WARDEN_E2E_RUNTIME, if set, replaces the runtime
# binary (e.g. /usr/sbin/runc, to check the tests themselves against the reference runtime).
#
# Everything a test makes lives in $WT_TMP (/tmp/wt-TEST.XXXXXX: the clients put unix sockets
# there, which must stay short) and container ids start with "wt-", so client_no_leftovers can
# find whatever a test failed to remove. At exit the registered cleanups run (newest first),
# then anything still mounted under $WT_TMP is unmounted and $WT_TMP removed.
# Exit status: 0 pass, 1 fail (FAIL: lines), 77 skip (SKIP: line saying why).

WARDEN=$1
ROOTFS=$2
RUNTIME=${WARDEN_E2E_RUNTIME:-$WARDEN}
TEST=$(basename "$0" .sh)
FAILED=0
WT_TMP=""
CLEANUPS=""

fail() {
	echo "FAIL: $*"
	FAILED=1
}

skip() {
	echo "SKIP: $TEST: $*"
	echo "SKIP: $TEST: $*" >&2
	exit 77
}

# need_cmd CMD...: skips the test when a client is not installed.
need_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			skip "'$c' is not installed (scripts/setup-deps.sh e2e installs the client packages)"
	done
}

# at_exit FUNC: FUNC runs when the script exits, before the ones registered earlier.
at_exit() {
	CLEANUPS="$1 $CLEANUPS"
}

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r
}

# pids_mentioning STRING: processes (not this shell) whose command line contains STRING.
# The clients' helpers (conmon, containerd-shim) carry our temp dir in their arguments.
pids_mentioning() {
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" = "$$" ] && continue
		tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -- "$1" && echo "$p"
	done
}

# kill_pids_mentioning STRING: TERM, then KILL after 5 s, the processes pids_mentioning finds.
kill_pids_mentioning() {
	pids=$(pids_mentioning "$1")
	[ -n "$pids" ] || return 0
	echo "cleanup: killing leftover processes mentioning $1: $pids"
	kill $pids 2>/dev/null
	i=0
	while [ $i -lt 50 ] && [ -n "$(pids_mentioning "$1")" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pids=$(pids_mentioning "$1")
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	return 0
}

lib_exit() {
	status=$?
	set +e
	# a signal now must not cut the cleanup short (every step in it is time-bounded)
	trap - EXIT
	trap '' HUP INT TERM
	for f in $CLEANUPS; do
		$f
	done
	if [ -n "$WT_TMP" ] && [ -d "$WT_TMP" ]; then
		kill_pids_mentioning "$WT_TMP"
		for m in $(mounts_under "$WT_TMP"); do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
		if [ -n "$(mounts_under "$WT_TMP")" ]; then
			echo "FAIL: still mounted under $WT_TMP, left in place: $(mounts_under "$WT_TMP")"
			status=1
		else
			# --one-file-system: never follow a mount we failed to see into its source
			rm -rf --one-file-system "$WT_TMP"
		fi
	fi
	# a cleanup that found something left fails a test that had passed
	[ "$status" -eq 0 ] && [ "$FAILED" -ne 0 ] && status=1
	[ "$status" -eq 0 ] && echo "PASS: $TEST (runtime $RUNTIME)"
	exit $status
}

if [ "$(id -u)" != 0 ]; then
	skip "needs root (the runtime makes namespaces, cgroups and mounts; the clients run as root)"
fi
. "$(dirname "$0")/host_check.sh"
oci_host_check "$TEST"
if [ -z "$RUNTIME" ] || [ ! -x "$RUNTIME" ]; then
	echo "FAIL: runtime binary '$RUNTIME' is missing or not executable (build the warden target)"
	exit 1
fi
case "$RUNTIME" in
/*) ;;
*) RUNTIME=$(cd "$(dirname "$RUNTIME")" && pwd)/$(basename "$RUNTIME") ;;
esac
if [ ! -f "$ROOTFS/.complete" ]; then
	echo "FAIL: test rootfs '$ROOTFS' is not built (build the oci_rootfs target)"
	exit 1
fi
ROOTFS=$(cd "$ROOTFS" && pwd)

trap lib_exit EXIT
trap 'echo "FAIL: $TEST: interrupted by a signal"; exit 1' HUP INT TERM
WT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-$TEST.XXXXXX") || exit 1
chmod 755 "$WT_TMP"

# run_to SECONDS CMD...: CMD with a time bound; a hang is a failure, not a ctest timeout.
run_to() {
	t=$1
	shift
	timeout -k 5 "$t" "$@"
	rc=$?
	[ $rc -eq 124 ] && echo "FAIL: '$*' did not finish within $t s (killed)" && FAILED=1
	return $rc
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', expected '$3'"
	fi
}

# SANDBOXED is 1 when the runtime under test is warden: its guest processes are not host
# processes and its kernel release is its own. With a reference runtime (runc) it is 0 and
# the same probes must see the opposite, which shows that they can tell.
SANDBOXED=1
if [ -n "${WARDEN_E2E_RUNTIME:-}" ] && [ "$WARDEN_E2E_RUNTIME" != "$WARDEN" ]; then
	SANDBOXED=0
fi

# host_tree PID: "PID COMM" for PID and every process below it, as the host sees them
host_tree() {
	[ -r "/proc/$1/comm" ] || return 0
	echo "$1 $(cat "/proc/$1/comm" 2>/dev/null)"
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		host_tree "$c"
	done
}

# expect_guest_hidden WHAT PID COMM: the host's process tree below PID (conmon, the shim,
# the pid-file's process) holds no process named COMM, a guest program, when SANDBOXED; with
# a reference runtime it does
expect_guest_hidden() {
	tree=$(host_tree "$2")
	if printf '%s\n' "$tree" | awk -v c="$3" '$2 == c { f = 1 } END { exit !f }'; then
		[ "$SANDBOXED" = 1 ] &&
			fail "$1: the guest's $3 is a host process below pid $2: $(echo $tree)"
	else
		[ "$SANDBOXED" = 0 ] &&
			fail "$1: no host process $3 below pid $2 with a non-sandboxing runtime: $(echo $tree)"
	fi
	return 0
}

# expect_own_kernel WHAT RELEASE: RELEASE (uname -r in the container) is not the host's when
# SANDBOXED, and is the host's with a reference runtime
expect_own_kernel() {
	host=$(uname -r)
	if [ -z "$2" ]; then
		fail "$1: uname -r printed nothing"
	elif [ "$SANDBOXED" = 1 ] && [ "$2" = "$host" ]; then
		fail "$1: uname -r is the host's ($host): not sandboxed"
	elif [ "$SANDBOXED" = 0 ] && [ "$2" != "$host" ]; then
		fail "$1: uname -r is '$2', the host's is $host, with a non-sandboxing runtime"
	fi
}

# finish: the test's verdict (PASS is printed after the cleanups, which can still fail it).
finish() {
	exit "$FAILED"
}

# ---- podman -------------------------------------------------------------------------------
# podman_setup: a podman whose every piece of state lives in $WT_TMP/podman (vfs storage,
# cgroupfs, events in a file, private config files so the machine's containers.conf and
# storage.conf do not apply) with the runtime under test. The runtime keeps its state in its
# default root, as for any podman user: podman passes no --root (`--runtime-flag root=DIR`
# would, but podman 4.3's exit command, which deletes a --rm container, does not forward
# it). Imports the test rootfs as localhost/wardentest. Sets PODMAN (a command line) and
# PM_RUN_FLAGS.
podman_setup() {
	need_cmd podman conmon
	PM=$WT_TMP/podman
	mkdir -p "$PM/storage" "$PM/run" "$PM/tmp" "$PM/net"
	# the machine's /etc/containers/{containers,storage}.conf must not change what we test
	printf '[containers]\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
		>"$PM/containers.conf"
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		"$PM/run" "$PM/storage" >"$PM/storage.conf"
	export CONTAINERS_CONF="$PM/containers.conf"
	export CONTAINERS_STORAGE_CONF="$PM/storage.conf"
	PODMAN="podman --root $PM/storage --runroot $PM/run --tmpdir $PM/tmp
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file
		--network-config-dir $PM/net --runtime $RUNTIME"
	# This machine's root lacks CAP_SYS_RESOURCE: a container rlimit above the current hard
	# limit fails (podman's defaults for nofile and nproc are higher), so ask for less.
	nofile=$(ulimit -Hn)
	case "$nofile" in unlimited) nofile=20000 ;; esac
	[ "$nofile" -gt 20000 ] && nofile=20000
	PM_RUN_FLAGS="--network none --ulimit nofile=$nofile:$nofile --ulimit nproc=1024:1024"
	at_exit podman_teardown
	if ! tar -C "$ROOTFS" --exclude=./.complete -cf "$PM/rootfs.tar" . ||
		! run_to 120 $PODMAN import -q "$PM/rootfs.tar" localhost/wardentest >"$PM/import.out" 2>&1; then
		echo "FAIL: podman import of the test rootfs failed:"
		cat "$PM/import.out"
		exit 1
	fi
	rm -f "$PM/rootfs.tar"
}

# runtime_has ID [ROOT]: the runtime's list (in its default root, or ROOT) shows ID.
runtime_has() {
	if [ -n "$2" ]; then
		timeout 30 "$RUNTIME" --root "$2" list -q 2>/dev/null | grep -qxF -- "$1"
	else
		timeout 30 "$RUNTIME" list -q 2>/dev/null | grep -qxF -- "$1"
	fi
}

# wait_runtime_forgets ID [ROOT]: polls (bounded: 30 s) until the runtime no longer lists ID;
# podman deletes the runtime's container from its exit command, which may still be running
# when `podman run --rm` or `podman rm` returns. Fails the test if ID stays.
wait_runtime_forgets() {
	i=0
	while runtime_has "$1" "$2"; do
		if [ $i -ge 300 ]; then
			fail "the runtime still lists container $1 30 s after the client removed it"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# pm ARGS...: podman with our private setup, bounded to 120 s.
pm() {
	run_to 120 $PODMAN "$@"
}

podman_teardown() {
	[ -n "$PODMAN" ] || return 0
	timeout -k 5 60 $PODMAN rm -a -f -t 0 >/dev/null 2>&1
	# every container this podman made, removed or not: its events file has their create
	ids=$(sed -n 's/.*"ID":"\([0-9a-f]*\)".*"Status":"create".*"Type":"container".*/\1/p' \
		"$PM/tmp/events/events.log" 2>/dev/null | sort -u)
	# runtime state podman failed to delete (podman's ids are unique: these are ours)
	for id in $ids; do
		if runtime_has "$id"; then
			echo "cleanup: runtime container $id left by podman, deleting"
			timeout 30 "$RUNTIME" delete --force "$id"
		fi
	done
	# conmon and podman's exit command (which deletes the runtime's container of a --rm
	# run) carry $PM in their arguments: let them finish (bounded), then kill what is left
	i=0
	while [ -n "$(pids_mentioning "$PM")" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill_pids_mentioning "$PM"
	# the runtime removes a container's cgroup (podman's cgroupfs path: libpod-ID) at delete
	for id in $ids; do
		for cg in /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id"; do
			[ -d "$cg" ] && fail "cgroup of podman container $id left: $cg" && rmdir "$cg" 2>/dev/null
		done
	done
	# vfs storage has no mounts, but shm bind mounts live under the storage dir
	for m in $(mounts_under "$PM"); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	PODMAN=""
}

# ---- containerd ---------------------------------------------------------------------------
# containerd_setup: a private containerd (root, state, sockets in $WT_TMP/containerd; only
# the native snapshotter, so no host overlay mounts; CRI and the other unneeded plugins off),
# waits for its socket, imports the test rootfs (an OCI image layout we build here) as
# localhost/wardentest:latest. Sets CTR (a command line) and CTR_RUN_FLAGS.
containerd_setup() {
	need_cmd containerd ctr containerd-shim-runc-v2 sha256sum
	CD=$WT_TMP/containerd
	mkdir -p "$CD/root" "$CD/state" "$CD/fifo" "$CD/runc-root" "$CD/opt"
	# containerd 1.6 keeps shim sockets in /run/containerd/s whatever the config says; if we
	# are the ones creating /run/containerd, we remove its empty dirs afterwards
	CD_MADE_RUN=0
	[ -e /run/containerd ] || CD_MADE_RUN=1
	cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
	"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
	"io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.overlayfs",
	"io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CD/sock"

[ttrpc]
  address = "$CD/sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"
EOF
	at_exit containerd_teardown
	containerd --config "$CD/config.toml" >"$CD/log" 2>&1 &
	CD_PID=$!
	# poll with a bound: the socket appears once containerd serves
	i=0
	while ! [ -S "$CD/sock" ]; do
		if ! kill -0 "$CD_PID" 2>/dev/null || [ $i -ge 300 ]; then
			echo "FAIL: private containerd did not come up (log follows)"
			tail -20 "$CD/log"
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	CTR="ctr --address $CD/sock"
	CTR_RUN_FLAGS="--snapshotter native --runtime io.containerd.runc.v2 --runc-binary $RUNTIME
		--runc-root $CD/runc-root --fifo-dir $CD/fifo"
	oci_image_tar "$ROOTFS" "$CD/image.tar" localhost/wardentest:latest || exit 1
	if ! run_to 120 $CTR image import --snapshotter native "$CD/image.tar" >"$CD/import.out" 2>&1; then
		echo "FAIL: ctr image import failed:"
		cat "$CD/import.out"
		exit 1
	fi
	rm -f "$CD/image.tar"
}

# ctr_ ARGS...: ctr against our containerd, bounded to 120 s.
ctr_() {
	run_to 120 $CTR "$@"
}

containerd_teardown() {
	[ -n "$CD_PID" ] || return 0
	for t in $(timeout 30 $CTR task ls -q 2>/dev/null); do
		timeout 30 $CTR task kill -s KILL "$t" >/dev/null 2>&1
		timeout 30 $CTR task rm -f "$t" >/dev/null 2>&1
	done
	for c in $(timeout 30 $CTR container ls -q 2>/dev/null); do
		timeout 30 $CTR container rm "$c" >/dev/null 2>&1
	done
	kill "$CD_PID" 2>/dev/null
	i=0
	while kill -0 "$CD_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	CD_PID=""
	# shims outlive containerd; they carry our socket path in their arguments
	kill_pids_mentioning "$CD/sock"
	# the runtime removes a container's cgroup (containerd's path: /default/ID) at delete;
	# the tests' container ids end in -$$
	for cg in /sys/fs/cgroup/*/default/wt-*-$$ /sys/fs/cgroup/default/wt-*-$$; do
		[ -d "$cg" ] && fail "cgroup of containerd container left: $cg" && rmdir "$cg" 2>/dev/null
	done
	for id in $(timeout 30 "$RUNTIME" --root "$CD/runc-root/default" list -q 2>/dev/null); do
		echo "cleanup: runtime container $id left by containerd, deleting"
		timeout 30 "$RUNTIME" --root "$CD/runc-root/default" delete --force "$id"
	done
	for m in $(mounts_under "$CD"); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if [ "$CD_MADE_RUN" = 1 ]; then
		# only empty dirs go; a containerd started meanwhile by someone else keeps its files
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/default \
			/run/containerd/runc /run/containerd 2>/dev/null
	fi
	return 0
}

# oci_image_tar ROOTFS OUT NAME: an OCI image layout tarball (one uncompressed layer) that
# `ctr image import` reads, made with tar and sha256sum.
oci_image_tar() {
	d=$(mktemp -d "$WT_TMP/image.XXXXXX") || return 1
	mkdir -p "$d/blobs/sha256"
	tar --numeric-owner --exclude=./.complete -C "$1" -cf "$d/layer" . || return 1
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	layer=$(blob "$d" "$d/layer") || return 1
	layer_size=$(stat -c %s "$d/blobs/sha256/$layer")
	printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$arch" "$layer" >"$d/config"
	config=$(blob "$d" "$d/config") || return 1
	config_size=$(stat -c %s "$d/blobs/sha256/$config")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$config" "$config_size" "$layer" "$layer_size" >"$d/manifest"
	manifest=$(blob "$d" "$d/manifest") || return 1
	manifest_size=$(stat -c %s "$d/blobs/sha256/$manifest")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
		"$manifest" "$manifest_size" "$arch" "$3" >"$d/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$2" oci-layout index.json blobs || return 1
	rm -rf "$d"
}

# blob DIR FILE: moves FILE into DIR/blobs/sha256/ under its digest and prints the digest.
blob() {
	sum=$(sha256sum "$2" | cut -d' ' -f1) || return 1
	mv "$2" "$1/blobs/sha256/$sum" || return 1
	echo "$sum"
}
