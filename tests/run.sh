#!/usr/bin/env bash
# run.sh - the whole test suite, as `make test` runs it.
#
# Builds ggen twice (plain in build/, ASan+UBSan in build-san/) and runs
# every test against each build, then builds the fuzz targets and runs each
# briefly over its corpus.  Every test program speaks TAP ("ok N - ...",
# "not ok N - ..."); a program that exits non-zero without a "not ok" line
# counts as one failure, and so does any sanitizer report (reports go to
# files, so a crash inside an expected-to-fail command is still seen).
# The last line is "N passed, N failed"; the exit status is non-zero
# exactly when something failed.
#
# Environment: JOBS (parallel test programs, default nproc), FUZZ_SECONDS
# (per target, default 10), ONLY (a regex over test names), MODES
# ("plain san" by default).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
MODES=${MODES:-plain san}
ONLY=${ONLY:-}
# A subset run (ONLY) gets its own results dir, so runs can overlap.
if [ -n "$ONLY" ]; then OUT=${TEST_RESULTS:-$ROOT/build/test-results-$$}
else OUT=${TEST_RESULTS:-$ROOT/build/test-results}; fi
rm -rf "$OUT"
mkdir -p "$OUT"
export SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
TOTAL_PASS=0
TOTAL_FAIL=0
FAILED_NAMES=()

note() { printf '%s\n' "$*"; }

build() { # build DIR [make args...]
	local dir=$1; shift
	if ! make -s -j"$JOBS" BUILD="$dir" "$@" all tests-bins >"$OUT/make-$dir.log" 2>&1; then
		note "BUILD FAILED ($dir):"; tail -40 "$OUT/make-$dir.log"
		return 1
	fi
}

# The list of test programs: unit binaries and scripts, one per line.
list_tests() { # list_tests BUILDDIR
	local b=$1 f
	for f in "$b"/tests/test_*; do [ -x "$f" ] && echo "unit:$f"; done
	for f in tests/suites/*.sh tests/integration/*.sh tests/interop/*.sh; do
		[ -f "$f" ] && echo "script:$f"
	done
}

# Run one test; write its log and "pass fail" counts.
run_one() { # run_one MODE SPEC
	local mode=$1 spec=$2 kind=${2%%:*} path=${2#*:} name log rc san
	name="$mode/$(basename "$path")"
	log="$OUT/$mode-$(basename "$path").log"
	san="$OUT/san-$mode-$(basename "$path")"
	mkdir -p "$san"
	(
		export ASAN_OPTIONS="log_path=$san/asan:detect_leaks=1:abort_on_error=0:exitcode=86"
		export UBSAN_OPTIONS="log_path=$san/ubsan:print_stacktrace=1:halt_on_error=1"
		export LSAN_OPTIONS="log_path=$san/lsan"
		export CMOCKA_MESSAGE_OUTPUT=TAP
		export GGEN="$ROOT/$BUILDDIR/ggen" GGEN_BUILD="$ROOT/$BUILDDIR" GGEN_ROOT="$ROOT"
		export GGEN_TEST_MODE=$mode
		export TMPDIR_BASE="$OUT/tmp-$mode-$(basename "$path")"
		mkdir -p "$TMPDIR_BASE"
		cd "$ROOT"
		if [ "$kind" = unit ]; then
			timeout 600 "$path"
		else
			timeout 1800 bash "$path"
		fi
	) >"$log" 2>&1
	rc=$?
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ -n "$(ls -A "$san" 2>/dev/null)" ]; then
		f=$((f + 1))
		{ echo "not ok - sanitizer report:"; cat "$san"/*; } >>"$log"
	fi
	echo "$p $f" >"$log.counts"
}

report_one() { # report_one MODE SPEC
	local mode=$1 path=${2#*:} log p f
	log="$OUT/$mode-$(basename "$path").log"
	read -r p f <"$log.counts"
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	if [ "$f" -eq 0 ]; then
		note "PASS $mode/$(basename "$path") ($p)"
	else
		note "FAIL $mode/$(basename "$path") ($p passed, $f failed)"
		grep -E '^not ok|^#' "$log" | grep -v '^# *$' | head -30 | sed 's/^/    /'
		tail -15 "$log" | sed 's/^/    | /'
		FAILED_NAMES+=("$mode/$(basename "$path")")
	fi
}

run_mode() { # run_mode MODE BUILDDIR [make args]
	local mode=$1 spec running=0
	BUILDDIR=$2; shift 2
	note "== $mode build ($BUILDDIR)"
	if ! build "$BUILDDIR" "$@"; then
		TOTAL_FAIL=$((TOTAL_FAIL + 1)); FAILED_NAMES+=("$mode/build")
		return
	fi
	mapfile -t specs < <(list_tests "$BUILDDIR" | { if [ -n "$ONLY" ]; then grep -E "$ONLY"; else cat; fi; })
	for spec in "${specs[@]}"; do
		run_one "$mode" "$spec" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
	done
	wait
	for spec in "${specs[@]}"; do report_one "$mode" "$spec"; done
}

run_fuzz() {
	local t name corpus log
	note "== fuzz smoke (${FUZZ_SECONDS}s per target)"
	if ! make -s -j"$JOBS" fuzz >"$OUT/make-fuzz.log" 2>&1; then
		note "FUZZ BUILD FAILED:"; tail -30 "$OUT/make-fuzz.log"
		TOTAL_FAIL=$((TOTAL_FAIL + 1)); FAILED_NAMES+=("fuzz/build")
		return
	fi
	for t in build-fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=${t#build-fuzz/fuzz_}
		corpus=fuzz/corpus/$name
		mkdir -p "$OUT/fuzz-$name"
		log="$OUT/fuzz-$name.log"
		if [ -d "$corpus" ]; then
			cp -r "$corpus"/. "$OUT/fuzz-$name/" 2>/dev/null
		fi
		if timeout $((FUZZ_SECONDS + 60)) "$t" -max_total_time="$FUZZ_SECONDS" \
			-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$OUT/fuzz-$name-" \
			"$OUT/fuzz-$name" >"$log" 2>&1; then
			TOTAL_PASS=$((TOTAL_PASS + 1))
			note "PASS fuzz/$name ($(grep -o 'Done [0-9]* runs' "$log" | head -1))"
		else
			TOTAL_FAIL=$((TOTAL_FAIL + 1)); FAILED_NAMES+=("fuzz/$name")
			note "FAIL fuzz/$name"; tail -30 "$log" | sed 's/^/    | /'
		fi
	done
}

for m in $MODES; do
	case $m in
	plain) run_mode plain build ;;
	san) run_mode san build-san SANITIZE=address,undefined ;;
	esac
done
[ -z "$ONLY" ] && [ "${SKIP_FUZZ:-0}" != 1 ] && run_fuzz

if [ "${#FAILED_NAMES[@]}" -gt 0 ]; then
	note "failed: ${FAILED_NAMES[*]}"
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
