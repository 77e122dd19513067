# Sourced by bench/oci_*.sh: the OCI runtime workloads, `warden` against `runc`, each on the
# same bundle: the busybox test rootfs (BUILD_DIR/oci-rootfs, the oci_rootfs target) read-only,
# config.json from `runc spec` (or `warden spec` without runc) with the workload's command.
# $1 is BUILD_DIR. Needs root (runtimes make namespaces and cgroups). Environment: RUNC
# (default: runc on PATH), WARDEN_BENCH_RUNTIME (default BUILD_DIR/warden; runc's path checks
# the bench itself), OCI_RUNS, LIMIT. A runtime that cannot run the workload prints "n/a (reason)".
set -u
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
rootfs=$build/oci-rootfs
WARDEN=${WARDEN_BENCH_RUNTIME:-$build/warden}
RUNC=${RUNC:-$(command -v runc 2>/dev/null || true)}
LIMIT=${LIMIT:-90}

# can_bench: prints why the OCI workloads cannot run here, if they cannot
can_bench() {
	if [ "$(id -u)" != 0 ]; then
		echo "needs root"
	elif [ ! -f "$rootfs/.complete" ]; then
		echo "$rootfs not built (make -C $build oci_rootfs)"
	elif [ -z "$RUNC" ] && [ ! -x "$WARDEN" ]; then
		echo "neither runc nor $WARDEN found"
	fi
}

scratch=$(mktemp -d /tmp/wt-bench.XXXXXX) || exit 1
trap 'oci_cleanup; rm -rf --one-file-system "$scratch"' EXIT
trap 'exit 130' INT TERM
OCI_IDS="" # runtime:id of every container started, deleted at exit
oci_cleanup() {
	for ri in $OCI_IDS; do
		timeout 30 "${ri%%:*}" delete --force "${ri#*:}" >/dev/null 2>&1
	done
	OCI_IDS=""
}

# make_bundle DIR ARG...: a bundle in DIR whose process runs ARG... (no terminal, read-only
# root = the test rootfs)
make_bundle() {
	dir=$1
	shift
	mkdir -p "$dir" || return 1
	spec=$RUNC
	[ -n "$spec" ] || spec=$WARDEN
	(cd "$dir" && timeout 30 "$spec" spec) || return 1
	args=""
	for a in "$@"; do
		args="$args${args:+, }\"$a\""
	done
	sed -i -e "0,/\"sh\"/s||$args|" \
		-e 's/"terminal":\( *\)true/"terminal":\1false/' \
		-e "s|\"path\":\( *\)\"rootfs\"|\"path\":\1\"$rootfs\"|" "$dir/config.json"
	grep -q "\"path\": *\"$rootfs\"" "$dir/config.json" &&
		grep -q '"readonly": *true' "$dir/config.json"
}

# why STATUS: "n/a (...)" for a failed run: the first line of its output ($scratch/out), or
# its exit status when it printed nothing
why() {
	msg=$(head -n 1 "$scratch/out" 2>/dev/null | cut -c 1-60)
	echo "n/a (${msg:-exit status $1})"
}

# ratio A B: B/A as "N.Nx", or "-" when either is not a number
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a + 0 == 0) print "-"; else printf "%.1fx", b / a }'
}

# report LABEL RUNC_VALUE WARDEN_VALUE: one line in run.sh's style
report() {
	printf '%-36s %12s %12s %14s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"
}

header() {
	printf '%-36s %12s %12s %14s\n' "OCI runtime workload" runc warden warden/runc
}
