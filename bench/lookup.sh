#!/bin/sh
# bench/lookup.sh BUILD_DIR [WARDEN...]: path lookup through the gofer, natively and under
# `warden do` (BUILD_DIR/warden, or each WARDEN binary given, e.g. an older build to compare
# with), best of RUNS (3) runs each, wall clock from the host, start to exit. Not part of
# ctest. BUILD_DIR must be visible in the sandbox (not under /tmp, which is its own).
#
#   ls_lR      ls -laR /usr/include >/dev/null: getdents, then lstat and two getxattrs per
#              entry (what the dentry cache and the attribute cache serve)
#   find_name  find /usr -name x: getdents and a walk into every directory
#   stat10k    one stat(1) of the first 10,000 regular files under /usr (the list is made
#              on the host beforehand, under BUILD_DIR so the sandbox sees it), cold
#   stat10k_x2 the same list stated twice in one sandbox: the second pass hits the cache
set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR [WARDEN...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
shift
[ $# -eq 0 ] && set -- "$build/warden"
RUNS=${RUNS:-3}
list="$build/bench-lookup-list"

find /usr -type f 2>/dev/null | sort | head -n 10000 >"$list"

# The best wall time, in ms, of RUNS runs of "$@" ("fail" if one fails).
best_ms() {
	best=
	i=0
	while [ $i -lt "$RUNS" ]; do
		a=$(date +%s%N)
		if ! "$@" >/dev/null 2>&1; then
			echo fail
			return
		fi
		b=$(date +%s%N)
		t=$(((b - a) / 1000000))
		if [ -z "$best" ] || [ $t -lt $best ]; then
			best=$t
		fi
		i=$((i + 1))
	done
	echo "$best"
}

workload() {
	case $1 in
	ls_lR) echo "ls -laR /usr/include" ;;
	find_name) echo "find /usr -name x" ;;
	stat10k) echo "stat -c %i \$(cat $list)" ;;
	stat10k_x2) echo "stat -c %i \$(cat $list); stat -c %i \$(cat $list)" ;;
	esac
}

printf '%-11s %9s' workload native
for w in "$@"; do
	printf ' %22s' "$(basename "$(dirname "$w")")/warden"
done
printf '\n'
for name in ls_lR find_name stat10k stat10k_x2; do
	cmd=$(workload $name)
	native=$(best_ms /bin/sh -c "$cmd")
	printf '%-11s %7sms' "$name" "$native"
	for w in "$@"; do
		t=$(best_ms "$w" do -- /bin/sh -c "$cmd")
		printf ' %9sms (%6sx)' "$t" "$(awk -v a="$t" -v b="$native" \
			'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')"
	done
	printf '\n'
done
rm -f "$list"
