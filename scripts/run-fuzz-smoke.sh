#!/bin/sh
# Runs every libFuzzer target in build/fuzz/tests/fuzz/ and prints a closing
# "N passed, N failed" line.
#   run-fuzz-smoke.sh              smoke (make test): replay the committed
#                                  corpus tests/fuzz/corpus/<target>/, then
#                                  FUZZ_RUNS (default 3000) new inputs
#   run-fuzz-smoke.sh --seconds S  real fuzzing (make fuzz): S seconds each
# New interesting inputs go to build/fuzz/corpus/<target>/ (copy the good ones
# into tests/fuzz/corpus/ to keep them); crashes to build/fuzz/crash-<target>-*.
# A target's output is shown only when it fails.
seconds=""
[ "$1" = "--seconds" ] && seconds=$2
runs=${FUZZ_RUNS:-3000}
b=build/fuzz
pass=0
fail=0
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "$b"/tests/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    seeds="tests/fuzz/corpus/$name"
    work="$b/corpus/$name"
    log="$b/$name.log"
    mkdir -p "$seeds" "$work"
    start=$(date +%s)
    extra=""
    # the in-process server keeps allocations across inputs: no per-input leak check
    [ "$name" = fuzz_http ] && extra="-detect_leaks=0"
    if [ -n "$seconds" ]; then
        set -- -max_total_time="$seconds"
    else
        set -- -runs="$runs" -max_total_time=4
    fi
    # -runs=0 first: every committed input must pass on its own
    if "$t" -runs=0 $extra -artifact_prefix="$b/crash-$name-" "$seeds" >"$log" 2>&1 &&
        "$t" "$@" $extra -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$b/crash-$name-" "$work" "$seeds" >>"$log" 2>&1; then
        pass=$((pass + 1))
        execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
        [ -z "$execs" ] && execs=$(grep -o '#[0-9]*' "$log" | tail -1 | tr -d '#')
        echo "ok   [fuzz] $name ($(( $(date +%s) - start ))s, ${execs:-?} inputs, corpus $(ls "$seeds" | wc -l)+$(ls "$work" | wc -l))"
    else
        fail=$((fail + 1))
        echo "FAIL [fuzz] $name (log: $log)"
        tail -n 60 "$log"
    fi
done
echo "[fuzz] $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
