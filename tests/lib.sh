# lib.sh - helpers for shell tests (sourced).  Each test script prints TAP:
# "ok N - what" or "not ok N - what", and may print "# notes".
#
#   check "what" cmd args...        passes when cmd exits 0
#   check_fail CODE "what" cmd ...  passes when cmd exits with CODE
#   check_grep "what" PATTERN FILE  passes when FILE matches the ERE
#   run cmd args...                 runs it, output in $OUT_F / $ERR_F, rc in $RC
#   mktmp                           a fresh directory under the test's tmp
#   done_testing                    ends the script (exit 1 if anything failed)
# Every wait in a test is bounded: use wait_for "what" SECONDS cmd...
set -u
T_N=0
T_FAILS=0
GGEN=${GGEN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/ggen}
SHARED=${SHARED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared}
TMPDIR_BASE=${TMPDIR_BASE:-$(mktemp -d)}
OUT_F=$TMPDIR_BASE/out.$$
ERR_F=$TMPDIR_BASE/err.$$
RC=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
not_ok() {
	T_N=$((T_N + 1)); T_FAILS=$((T_FAILS + 1))
	echo "not ok $T_N - $1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	[ "${T_SHOW:-0}" = 1 ] || return 0
	if [ -s "$OUT_F" ]; then echo "#   stdout:"; head -20 "$OUT_F" | sed 's/^/#     /'; fi
	if [ -s "$ERR_F" ]; then echo "#   stderr:"; head -20 "$ERR_F" | sed 's/^/#     /'; fi
	return 0
}
run() { "$@" >"$OUT_F" 2>"$ERR_F"; RC=$?; return 0; }
check() {
	local what=$1; shift
	run "$@"
	if [ "$RC" -eq 0 ]; then ok "$what"; else T_SHOW=1 not_ok "$what" "exit $RC: $*"; fi
}
check_fail() {
	local code=$1 what=$2; shift 2
	run "$@"
	if [ "$RC" -eq "$code" ]; then ok "$what"; else T_SHOW=1 not_ok "$what" "exit $RC, wanted $code: $*"; fi
}
check_grep() { # what PATTERN FILE
	if grep -Eq -- "$2" "$3"; then ok "$1"; else not_ok "$1" "no match for /$2/ in $3"; fi
}
check_nogrep() {
	if grep -Eq -- "$2" "$3"; then not_ok "$1" "unexpected match /$2/ in $3"; else ok "$1"; fi
}
check_eq() { # what GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
mktmp() { mktemp -d "$TMPDIR_BASE/t.XXXXXX"; }
wait_for() { # what SECONDS cmd... ; polls every 0.1 s
	local what=$1 secs=$2 i; shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# timed out after ${secs}s waiting for: $what"
	return 1
}
# The first address a `p2p start` printed to FILE ("listening: MA"), and
# whether there is one yet.
addr_of() { awk '/^listening: /{print $2; exit}' "$1"; }
has_addr() { [ -n "$(addr_of "$1")" ]; }
done_testing() {
	echo "1..$T_N"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}
