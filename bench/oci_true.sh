#!/bin/sh
# bench/oci_true.sh BUILD_DIR: `RUNTIME run` of a busybox bundle whose process is /bin/true,
# start to exit (create, start, wait, delete: what `run` does), wall clock from the host, in
# ms per run, for runc and for warden, and the ratio. Three rounds of OCI_RUNS (20) runs per
# runtime, the runtimes alternating (runc first, then warden first, ...) so that neither is
# always the colder one; the best round's mean is printed (the machine is shared: the least
# disturbed round). A runtime whose run fails prints "n/a (reason)". See oci_lib.sh.
. "$(dirname "$0")/oci_lib.sh"
RUNS=${OCI_RUNS:-20}

# mean_ms RUNTIME: the mean ms per run of one round, or "n/a (why)"
mean_ms() {
	rt=$1
	[ -n "$rt" ] && [ -x "$rt" ] || { echo "n/a (not installed)"; return; }
	id=wt-bench-true-$$
	OCI_IDS="$OCI_IDS $rt:$id"
	# one untimed run: page cache, and the reason if it fails
	timeout -k 5 "$LIMIT" "$rt" run --bundle "$scratch/true" "$id" </dev/null >"$scratch/out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		why $rc
		return
	fi
	a=$(date +%s%N)
	i=0
	while [ $i -lt "$RUNS" ]; do
		if ! timeout -k 5 "$LIMIT" "$rt" run --bundle "$scratch/true" "$id" </dev/null \
			>/dev/null 2>&1; then
			echo "n/a (run $i failed)"
			return
		fi
		i=$((i + 1))
	done
	b=$(date +%s%N)
	awk -v ns=$((b - a)) -v n="$RUNS" 'BEGIN { printf "%.1f", ns / n / 1e6 }'
}

why=$(can_bench)
if [ -n "$why" ]; then
	echo "note: OCI run /bin/true skipped: $why"
	exit 0
fi
make_bundle "$scratch/true" /bin/true || {
	echo "note: OCI run /bin/true skipped: could not make the bundle"
	exit 0
}
[ "${OCI_NO_HEADER:-}" ] || header
# best A B: the smaller number; an "n/a (why)" sticks (A is "" before the first round)
best() {
	case "$1" in
	"") echo "$2"; return ;;
	n/a*) echo "$1"; return ;;
	esac
	case "$2" in n/a*) echo "$2"; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 < a + 0) ? b : a }'
}
r=""
w=""
for round in 1 2 3; do
	if [ $round = 2 ]; then
		w=$(best "$w" "$(mean_ms "$WARDEN")")
		r=$(best "$r" "$(mean_ms "$RUNC")")
	else
		r=$(best "$r" "$(mean_ms "$RUNC")")
		w=$(best "$w" "$(mean_ms "$WARDEN")")
	fi
done
report "run /bin/true start-to-exit (ms/run)" "$r" "$w"
