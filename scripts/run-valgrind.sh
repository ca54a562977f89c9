#!/bin/sh
# Runs the end-to-end tests with the server under valgrind memcheck and prints
# a closing "N passed, N failed" line; any memcheck error (invalid access,
# uninitialised use, definite or indirect leak) fails the test that started
# that server (the server exits 99) and is listed at the end.
#   scripts/run-valgrind.sh build/rel [t_name ...]
# Without names it runs every tests/e2e test except t_crash (SIGKILL leaves
# nothing for memcheck to report). Slow: every request is ~30x slower, and
# each sign-in runs argon2id under valgrind.
b=${1:-build/rel}
[ $# -gt 0 ] && shift
root=$PWD
vg=$root/build/valgrind
rm -rf "$vg/logs"
mkdir -p "$vg/logs"
cat >"$vg/sanqu" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
    --num-callers=30 --log-file=$vg/logs/vg.%p.log $root/$b/sanqu "\$@"
WRAP
chmod +x "$vg/sanqu"
# the demo template, built natively (the harness reuses it while it is newer
# than the server binary it names)
if [ ! -s "$vg/sanqu.e2e-demo.db" ] || [ "$root/$b/sanqu" -nt "$vg/sanqu.e2e-demo.db" ]; then
    rm -f "$vg/sanqu.e2e-demo.db"
    "$root/$b/sanqu" demo --db "$vg/demo.tmp.db" >/dev/null && mv "$vg/demo.tmp.db" "$vg/sanqu.e2e-demo.db"
fi
touch "$vg/sanqu.e2e-demo.db"
export SANQU_BIN="$vg/sanqu"
pass=0
fail=0
if [ $# -gt 0 ]; then
    tests=""
    for n in "$@"; do tests="$tests $b/tests/e2e/$n"; done
else
    tests=$(ls "$b"/tests/e2e/t_* | grep -v '/t_crash$')
fi
for t in $tests; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    log="$vg/$name.log"
    start=$(date +%s)
    if "$t" >"$log" 2>&1; then
        pass=$((pass + 1))
        echo "ok   [valgrind] $name ($(( $(date +%s) - start ))s)"
    else
        fail=$((fail + 1))
        echo "FAIL [valgrind] $name (log: $log)"
        tail -n 30 "$log"
    fi
done
errs=$(cat "$vg"/logs/vg.*.log 2>/dev/null | grep -c '^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|definitely lost\|indirectly lost\|Mismatched\|overlap\)')
servers=$(ls "$vg"/logs/vg.*.log 2>/dev/null | wc -l)
echo "[valgrind] $servers server runs, $errs memcheck reports (logs in $vg/logs)"
if [ "$errs" -gt 0 ]; then
    grep -l 'Invalid\|uninitialised\|definitely lost\|indirectly lost' "$vg"/logs/vg.*.log | head -3 |
        while read -r f; do echo "--- $f"; head -n 60 "$f"; done
    fail=$((fail + 1))
fi
echo "[valgrind] $pass passed, $fail failed"
[ "$fail" -eq 0 ]
