#!/bin/sh
# `make soak`: a long mixed load (80% reads: queue, profile, stats, lists,
# full-text search and suggestions; 20% appeal intake, which the background
# indexer keeps making searchable; 64
# connections) against one server, checking that it keeps answering without
# errors, that its RSS grows by less than 10% after warm-up, and that its
# open file descriptors do not grow. Not part of `make test` (it takes
# SOAK_SECONDS, default 600). Loopback only; stops everything it starts.
set -eu
cd "$(dirname "$0")/.."
SECS=${SOAK_SECONDS:-600}
TMP=$(mktemp -d /tmp/sanqu-soak.XXXXXX)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
./sanqu demo --db "$TMP/soak.db" --appeals 20000 >/dev/null
# 1 MB page caches: SQLite's caches are bounded but fill as the database
# grows under intake (16 MB per connection by default, six connections),
# which is not a leak yet would swamp the RSS check; with small caches any
# growth left is the process's own
./sanqu serve --db "$TMP/soak.db" --listen 127.0.0.1:0 --port_file "$TMP/port" --quiet true \
    --db_cache_mb 1 &
PID=$!
for i in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
BASE="http://127.0.0.1:$(cat "$TMP/port")"
login() {
    curl -s -H 'Content-Type: application/json' -d "{\"login\":\"$1\",\"password\":\"sanqu-demo\"}" \
        "$BASE/api/v1/auth/login" | sed 's/.*"token":"\([^"]*\)".*/\1/'
}
HT=$(login community_handler)
RT=$(login resident)
UNIT=$(curl -s -H "Authorization: Bearer $HT" "$BASE/api/v1/me" | sed 's/.*"unit_id":\([0-9]*\).*/\1/')
CAT=$(curl -s "$BASE/api/v1/categories" | sed 's/.*"children":\[{"id":\([0-9]*\).*/\1/')
# intake spreads over every community, as a district's does (filing it all
# into the read handler's unit would grow one queue without bound)
UNITS=$(sqlite3 "$TMP/soak.db" "SELECT group_concat(id) FROM units WHERE kind = 'community'")
# the mix itself is bench/wrk/soak.lua (also a row of `make bench`)
export TOKEN_HANDLER="$HT" TOKEN_PUBLIC="$RT" UNIT CATEGORY="$CAT" UNITS
cat > "$TMP/mix.lua" <<'LUA'
dofile("bench/wrk/soak.lua")
local bad = 0
response = function(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("errors: %d non-2xx, %d socket\n", bad, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
rss() { awk '/VmRSS/ {print $2}' /proc/$PID/status; }
fds() { ls /proc/$PID/fd | wc -l; }
WARM=$((SECS / 5))
[ $WARM -lt 5 ] && WARM=5
wrk -t2 -c64 -d"${WARM}s" -s "$TMP/mix.lua" "$BASE" >/dev/null
FD0=$(fds)
# RSS every tenth of the run; the baseline is taken at 30%, after the
# warm-up and the first part of the run; growth after that would be a
# leak. The curve is printed.
wrk -t2 -c64 -d"${SECS}s" --timeout 5s -s "$TMP/mix.lua" "$BASE" >"$TMP/wrk.txt" &
WRK=$!
STEP=$((SECS / 10))
[ $STEP -lt 1 ] && STEP=1
i=0
RSS0=""
CURVE=""
while kill -0 $WRK 2>/dev/null && [ $i -lt 10 ]; do
    sleep $STEP
    i=$((i + 1))
    r=$(rss)
    CURVE="$CURVE $r"
    [ $i -eq 3 ] && RSS0=$r
done
wait $WRK || true
cat "$TMP/wrk.txt"
sleep 1
RSS1=$(rss); FD1=$(fds)
[ -n "$RSS0" ] || RSS0=$RSS1
echo "RSS (kB) every tenth of the run:$CURVE"
echo "RSS at 30% of the run ${RSS0} kB, at the end ${RSS1} kB; descriptors ${FD0} -> ${FD1}"
echo "appeals in the database at the end: $(sqlite3 "$TMP/soak.db" "SELECT count(*) FROM appeals")"
fail=0
grep -q "errors: 0 non-2xx, 0 socket" "$TMP/wrk.txt" || { echo "soak: requests failed"; fail=1; }
[ $((RSS1 * 100)) -le $((RSS0 * 110)) ] || { echo "soak: RSS grew more than 10%"; fail=1; }
[ "$FD1" -le $((FD0 + 2)) ] || { echo "soak: file descriptors grew"; fail=1; }
[ $fail -eq 0 ] && echo "soak: 1 passed, 0 failed" || echo "soak: 0 passed, 1 failed"
exit $fail
