#!/bin/sh
# Issue 3: make -j2 builds a small multi-file C project with the host's gcc (read-only
# root), writing its output in the sandbox's /tmp.
. "$(dirname "$0")/lib.sh"

command -v gcc >/dev/null && command -v make >/dev/null || { echo "SKIP: no gcc/make"; exit 77; }
cat >"$WORK/build.sh" <<'SH'
set -e
mkdir -p /tmp/proj && cd /tmp/proj
for i in 1 2 3 4; do printf 'int f%d(void) { return %d; }\n' $i $i > f$i.c; done
printf 'int f1(void); int f2(void); int f3(void); int f4(void);\n#include <stdio.h>\nint main(void) { printf("sum=%%d\\n", f1() + f2() + f3() + f4()); return 0; }\n' > main.c
printf 'OBJS=main.o f1.o f2.o f3.o f4.o\nprog: $(OBJS)\n\tgcc -o $@ $(OBJS)\n%%.o: %%.c\n\tgcc -O2 -c $< -o $@\n' > Makefile
make -j2 -s
./prog
SH
sandbox -- /bin/sh "$WORK/build.sh"
expect_status 0 "make -j2 in the sandbox"
printf 'sum=10\n' >"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "the built program's output"
finish
