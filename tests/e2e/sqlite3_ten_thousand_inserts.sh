#!/bin/sh
# Issue 4 acceptance: sqlite3 creates a database in the sandbox's /tmp, inserts 10,000 rows
# in one transaction (rollback journal, fsync, byte-range locks on the database file) and
# reads them back: count, sum, an indexed lookup and an integrity check must be right.
# Then the same on a writable --volume (through its gofer), and the host reads the result.
. "$(dirname "$0")/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: sqlite3 is not installed (scripts/setup-deps.sh installs it): NOT TESTED"
	exit 77
fi

# The script lives in $WORK (the build tree), which the guest sees through the gofer.
{
	echo "CREATE TABLE t(x INTEGER PRIMARY KEY, s TEXT NOT NULL);"
	echo "BEGIN;"
	i=1
	while [ $i -le 10000 ]; do
		echo "INSERT INTO t VALUES($i, 'row $i');"
		i=$((i + 1))
	done
	echo "COMMIT;"
	echo "CREATE INDEX t_s ON t(s);"
	echo "SELECT count(*), sum(x) FROM t;"
	echo "SELECT x FROM t WHERE s = 'row 4711';"
	echo "PRAGMA integrity_check;"
} >"$WORK/inserts.sql"
# sum(1..10000) = 10000 * 10001 / 2
printf '10000|50005000\n4711\nok\n' >"$WORK/want"

sandbox -- /bin/sh -c "rm -f /tmp/t.db && sqlite3 -bail /tmp/t.db <'$WORK/inserts.sql' &&
	sqlite3 /tmp/t.db 'SELECT count(*) FROM t WHERE x % 2 = 0;'"
expect_status 0 "sqlite3 in the sandbox"
printf '5000\n' >>"$WORK/want"
expect_same_file "$WORK/want" "$WORK/out" "sqlite3's answers"

mkdir "$WORK/vol" || exit 1
db="$WORK/vol/t.db"
sandbox "--volume=$WORK/vol:$WORK/vol" -- /bin/sh -c "sqlite3 -bail '$db' <'$WORK/inserts.sql'"
expect_status 0 "sqlite3 on a writable volume"
head -n 3 "$WORK/want" >"$WORK/want-vol"
expect_same_file "$WORK/want-vol" "$WORK/out" "sqlite3's answers on a writable volume"
sqlite3 "$db" 'SELECT count(*), sum(x) FROM t;' >"$WORK/host" 2>&1
head -n 1 "$WORK/want" >"$WORK/want-host"
expect_same_file "$WORK/want-host" "$WORK/host" "the host's sqlite3 reading the volume's database"
finish
