#!/bin/sh
# Runs every unit and end-to-end test binary of one build mode and prints a
# closing "N passed, N failed" line. End-to-end tests get the server binary
# in SANQU_BIN. A test's output is shown only when it fails.
#
# With SANQU_TEST_ENGINE=postgres (make check-pg: SANQU_TEST_PG names a test
# cluster) the unit tests are only the store tests, the ones whose source uses
# tests/unit/testdb.h (the others do not touch the engine), and the logs are
# NAME.pg.log.
mode=$1
b=$2
pass=0
fail=0
failed=""
export SANQU_BIN="$PWD/$b/sanqu"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "$b"/tests/unit/test_* "$b"/tests/e2e/t_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    log="$b/tests/$name.log"
    if [ "$SANQU_TEST_ENGINE" = postgres ]; then
        case "$t" in
        */tests/unit/*) grep -q '"testdb.h"' "tests/unit/$name.c" 2>/dev/null || continue ;;
        esac
        log="$b/tests/$name.pg.log"
    fi
    start=$(date +%s)
    if "$t" >"$log" 2>&1; then
        pass=$((pass + 1))
        echo "ok   [$mode] $name ($(( $(date +%s) - start ))s)"
    else
        fail=$((fail + 1))
        failed="$failed $name"
        echo "FAIL [$mode] $name"
        tail -n 60 "$log"
    fi
done
echo "[$mode] $pass passed, $fail failed"
[ "$fail" -eq 0 ]
