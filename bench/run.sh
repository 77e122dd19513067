#!/bin/sh
# bench/run.sh BUILD_DIR: the same workloads natively, under `warden do` (BUILD_DIR/warden)
# and, when installed, under proot, in one run; prints one table. Installs nothing: a peer
# that is missing is skipped with a note. Compiles its own programs with cc into
# BUILD_DIR/bench-bin (not /tmp: the sandbox has a private /tmp and must see them).
# Not part of ctest. Environment: WARDEN_FLAGS (default --platform=ptrace), CC (default cc),
# FORK_N, EXEC_N, SH_N, PIPE_MIB, FILES_N (workload sizes, below), WORKLOADS (a subset to
# run, e.g. "stat10k tar_include"; default all).
#
#   getpid       100,000 raw getpid syscalls, timed by the program itself
#   true         /bin/true start to exit, mean of 50 runs, wall clock from the host
#   read         reading a 256 MiB /tmp file in 1 MiB blocks, timed by the program itself
#   fork         fork + _exit + waitpid, FORK_N (200) times, timed by the program itself
#   forkexec     fork + exec /bin/true + waitpid, EXEC_N (100) times, timed by the program
#   shloop       /bin/sh running `echo x | cat >/dev/null` SH_N (1000) times, start to exit
#   pipe         PIPE_MIB (1024) MiB from a child to its parent through a pipe, 1 MiB
#                writes and reads, timed by the reader
#   stat10k      stat(2) of FILES_N (10,000) empty files made beforehand (untimed) in a
#                tmpfs: the sandbox's /tmp, natively and under proot a directory in /dev/shm
#   stat10k_gofer  stat(2) of a fixed list of FILES_N existing host files (/usr/include,
#                then /usr/share, sorted), computed on the host up front: the gofer's walk
#   stat10k_gofer_warm  the same list stated twice in one process, the second pass timed
#   files10k_tmpfs  FILES_N times create + write 100 bytes + close + unlink, in the tmpfs
#   files10k_gofer  the same in a host directory under BUILD_DIR: under Warden a writable
#                --volume, served by its gofer
#   read1g_gofer  a 1 GiB host file under BUILD_DIR (made once, removed at the end) read in
#                1 MiB blocks, timed by the program; under Warden through the root's gofer
#   tar_include  `tar cf - -C / usr/include | cat >/dev/null`, start to exit (GNU tar skips
#                the reads when its output is /dev/null itself, hence the cat)
#   eventfd_pingpong  two threads passing a token through two eventfds, EVENTFD_N (100,000)
#                round trips, timed by the program
#   clock_gettime  CLOCK_N (10,000,000) glibc clock_gettime(CLOCK_MONOTONIC) calls (the vDSO),
#                timed by the program with the raw syscall
#   epoll_idle   epoll_wait over EPOLL_FDS (1,000) idle pipes and one active one, EPOLL_N
#                (100,000) times write + wait + read, timed by the program
# Workloads that need fork print "fail" until the kernel under test has it.
# Then, as root, the OCI runtime workloads in a table of their own, warden against runc
# (bench/oci_true.sh, bench/oci_idle_mem.sh; OCI=0 leaves them out):
#   run /bin/true  `RUNTIME run` of a busybox bundle running /bin/true, start to exit
#   idle PSS       PSS of one idle container's host processes (`run --detach` of sleep 1000)
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")" && pwd)
bin="$build/bench-bin"
warden="$build/warden"
CC=${CC:-cc}
WARDEN_FLAGS=${WARDEN_FLAGS:---platform=ptrace}
LIMIT=${LIMIT:-90} # seconds for any one measurement
TRUE_RUNS=50
FORK_N=${FORK_N:-200}
EXEC_N=${EXEC_N:-100}
SH_N=${SH_N:-1000}
PIPE_MIB=${PIPE_MIB:-1024}
FILES_N=${FILES_N:-10000}
EVENTFD_N=${EVENTFD_N:-100000}
EPOLL_N=${EPOLL_N:-100000}
CLOCK_N=${CLOCK_N:-10000000}
EPOLL_FDS=${EPOLL_FDS:-1000}
WORKLOADS=${WORKLOADS:-"getpid true read fork forkexec shloop pipe stat10k stat10k_gofer
	stat10k_gofer_warm files10k_tmpfs files10k_gofer read1g_gofer tar_include
	eventfd_pingpong epoll_idle clock_gettime"}

mkdir -p "$bin" || exit 1
for p in getpid_loop read_loop spawn_loop fork_loop pipe_loop stat_files files_loop read_path \
	eventfd_pingpong epoll_idle clock_gettime; do
	"$CC" -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o "$bin/$p" "$src/$p.c" || {
		echo "bench: could not compile $p.c" >&2
		exit 1
	}
done

# The sandbox's /tmp is private: a build tree under /tmp is handed in as a volume.
VOLUME=""
case "$build" in
/tmp/*) VOLUME="--volume=$build:$build:ro" ;;
esac

# Scratch space for the file workloads: $disk (under BUILD_DIR, a host file system the
# gofer serves to Warden) and $shm (a tmpfs for the native and proot runs of the tmpfs
# workloads; BUILD_DIR when /dev/shm is not a tmpfs). Removed however the run ends.
disk=$(mktemp -d "$build/bench-scratch.XXXXXX") || exit 1
shm=""
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	shm=$(mktemp -d /dev/shm/warden-bench.XXXXXX) || exit 1
fi
trap 'rm -rf "$disk" ${shm:+"$shm"}' EXIT
trap 'exit 130' INT TERM
[ -n "$shm" ] || shm=$(mktemp -d "$disk/shm.XXXXXX")
mkdir "$disk/vol" || exit 1
case " $WORKLOADS " in
*stat10k_gofer*)
	find /usr/include /usr/share -type f 2>/dev/null | LC_ALL=C sort | head -n "$FILES_N" \
		>"$disk/stat-list"
	;;
esac
case " $WORKLOADS " in
*read1g_gofer*)
	# written back and read once, so that every peer reads it from the host's page cache
	dd if=/dev/zero of="$disk/1g" bs=1M count=1024 conv=fsync status=none || exit 1
	cat "$disk/1g" >/dev/null
	;;
esac

peers="native"
if [ -x "$warden" ]; then
	peers="$peers warden"
else
	echo "note: $warden not built: skipping the warden column"
fi
if command -v proot >/dev/null 2>&1; then
	peers="$peers proot"
else
	echo "note: proot not installed (Debian package proot): skipping the proot column"
fi

# prefix PEER: the command words that run a program under PEER.
prefix() {
	case $1 in
	native) ;;
	warden) echo "$warden do $WARDEN_FLAGS $VOLUME --" ;;
	proot) echo "proot" ;;
	esac
}

# tmpdir PEER: where PEER's tmpfs workloads make their files.
tmpdir() {
	if [ "$1" = warden ]; then echo /tmp; else echo "$shm"; fi
}

# seconds_of CMD...: runs CMD, prints the value of its "seconds=" field, or "fail".
seconds_of() {
	out=$(timeout -k 5 $LIMIT "$@" </dev/null 2>/dev/null)
	s=$(printf '%s\n' "$out" | sed -n 's/^seconds=\([0-9.]*\).*/\1/p' | tail -n 1)
	if [ -n "$s" ]; then echo "$s"; else echo fail; fi
}

# measure WORKLOAD PEER: seconds for one workload under one peer.
measure() {
	# shellcheck disable=SC2046 # the prefix is meant to split into words
	case $1 in
	getpid) seconds_of $(prefix "$2") "$bin/getpid_loop" 100000 ;;
	true) seconds_of "$bin/spawn_loop" $TRUE_RUNS $(prefix "$2") /bin/true ;;
	read) seconds_of $(prefix "$2") "$bin/read_loop" 256 ;;
	fork) seconds_of $(prefix "$2") "$bin/fork_loop" "$FORK_N" ;;
	forkexec) seconds_of $(prefix "$2") "$bin/fork_loop" "$EXEC_N" /bin/true ;;
	shloop)
		seconds_of "$bin/spawn_loop" 1 $(prefix "$2") /bin/sh -c \
			"i=0; while [ \$i -lt $SH_N ]; do echo x | cat >/dev/null; i=\$((i+1)); done"
		;;
	pipe) seconds_of $(prefix "$2") "$bin/pipe_loop" "$PIPE_MIB" ;;
	stat10k)
		seconds_of $(prefix "$2") "$bin/stat_files" create "$(tmpdir "$2")/stat.$$" "$FILES_N"
		;;
	stat10k_gofer) seconds_of $(prefix "$2") "$bin/stat_files" list "$disk/stat-list" ;;
	stat10k_gofer_warm) seconds_of $(prefix "$2") "$bin/stat_files" list "$disk/stat-list" 2 ;;
	files10k_tmpfs) seconds_of $(prefix "$2") "$bin/files_loop" "$(tmpdir "$2")" "$FILES_N" ;;
	files10k_gofer)
		if [ "$2" = warden ]; then
			seconds_of "$warden" "do" $WARDEN_FLAGS $VOLUME "--volume=$disk/vol:$disk/vol" -- \
				"$bin/files_loop" "$disk/vol" "$FILES_N"
		else
			seconds_of $(prefix "$2") "$bin/files_loop" "$disk/vol" "$FILES_N"
		fi
		;;
	read1g_gofer) seconds_of $(prefix "$2") "$bin/read_path" "$disk/1g" ;;
	tar_include)
		seconds_of "$bin/spawn_loop" 1 $(prefix "$2") /bin/sh -c \
			"tar cf - -C / usr/include | cat >/dev/null"
		;;
	eventfd_pingpong) seconds_of $(prefix "$2") "$bin/eventfd_pingpong" "$EVENTFD_N" ;;
	epoll_idle) seconds_of $(prefix "$2") "$bin/epoll_idle" "$EPOLL_N" "$EPOLL_FDS" ;;
	clock_gettime) seconds_of $(prefix "$2") "$bin/clock_gettime" "$CLOCK_N" ;;
	esac
}

ratio() { # a b: b/a formatted, or "-"
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "fail" || b == "fail" || a + 0 == 0) print "-"; else printf "%.1fx", b / a }'
}

label() {
	case $1 in
	getpid) echo "getpid x100000 (s)" ;;
	true) echo "/bin/true start-to-exit (s/run)" ;;
	read) echo "read 256 MiB, 1 MiB blocks (s)" ;;
	fork) echo "fork+exit+wait x$FORK_N (s)" ;;
	forkexec) echo "fork+exec true+wait x$EXEC_N (s)" ;;
	shloop) echo "sh 'echo x | cat' loop x$SH_N (s)" ;;
	pipe) echo "pipe $PIPE_MIB MiB, 1 MiB blocks (s)" ;;
	stat10k) echo "stat $FILES_N tmpfs files (s)" ;;
	stat10k_gofer) echo "stat $FILES_N host files, gofer (s)" ;;
	stat10k_gofer_warm) echo "  the same, second pass (s)" ;;
	files10k_tmpfs) echo "create+write+unlink x$FILES_N tmpfs (s)" ;;
	files10k_gofer) echo "create+write+unlink x$FILES_N gofer (s)" ;;
	read1g_gofer) echo "read 1 GiB host file, gofer (s)" ;;
	tar_include) echo "tar cf - /usr/include | cat (s)" ;;
	eventfd_pingpong) echo "eventfd ping-pong x$EVENTFD_N (s)" ;;
	epoll_idle) echo "epoll_wait, $EPOLL_FDS idle fds x$EPOLL_N (s)" ;;
	clock_gettime) echo "clock_gettime x$CLOCK_N (s)" ;;
	esac
}

started=$(date +%s)
printf '%-36s' workload
for p in $peers; do
	printf ' %12s' "$p"
	[ "$p" != native ] && printf ' %14s' "$p/native"
done
echo
for wl in $WORKLOADS; do
	printf '%-36s' "$(label $wl)"
	base=""
	for p in $peers; do
		t=$(measure $wl "$p")
		printf ' %12s' "$t"
		if [ "$p" = native ]; then
			base=$t
		else
			printf ' %14s' "$(ratio "$base" "$t")"
		fi
	done
	echo
done
echo "(total bench time: $(($(date +%s) - started)) s; 'fail' = the run failed or took over ${LIMIT} s)"

if [ "${OCI:-1}" != 0 ]; then
	echo
	printf '%-36s %12s %12s %14s\n' "OCI runtime workload" runc warden warden/runc
	OCI_NO_HEADER=1 LIMIT=$LIMIT sh "$src/oci_true.sh" "$build"
	OCI_NO_HEADER=1 LIMIT=$LIMIT sh "$src/oci_idle_mem.sh" "$build"
fi
