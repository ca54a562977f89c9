#!/bin/sh
# bench/run.sh - `make bench`: the numbers of BENCHMARKS.md, in one run.
#
#  1. the raw storage limit (bench/raw_insert.c): intake's writes straight
#     into SQLite, one transaction per appeal (FULL, NORMAL) and 32 per
#     transaction;
#  2. a demo database of BENCH_APPEALS appeals (default 1,000,000) and
#     BENCH_ANSWERS knowledge-base answers (default 10,000), built
#     once into bench/tmp and copied for each run, so runs start equal;
#  3. the server on loopback, cold start timed, then wrk scenarios of
#     BENCH_SECONDS each (GET /healthz as the ceiling, intake, the handler's
#     queue, one appeal, the stats query when main serves it, full-text
#     search and similar-case suggestions (each also with one client, for
#     latency without queueing), an 80/20 read/write mix, a scenario of
#     writes only (intake, accept, note, resolve, rate: writes.lua) and the
#     mix of `make soak` (soak.lua)), with the
#     server's CPU and RSS read from /proc; then intake again on a server
#     without the full-text indexer, for the ratio the indexing must keep.
#
# Prints one table (also written to bench/tmp/results.md). Loopback only;
# everything it starts it stops. Knobs (environment): BENCH_APPEALS,
# BENCH_ANSWERS, BENCH_SECONDS, BENCH_RAW_SECONDS, BENCH_CONNECTIONS, BENCH_WRK_THREADS,
# BENCH_SERVER_THREADS, BENCH_KEEP (keep the working copy).
set -eu
cd "$(dirname "$0")/.."

N=${BENCH_APPEALS:-1000000}
NA=${BENCH_ANSWERS:-10000}
DUR=${BENCH_SECONDS:-10}
RAW_DUR=${BENCH_RAW_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
TMP=bench/tmp
BIN=./sanqu
# the cached database is only as good as the schema and generators it came from
KEY=$(cat migrations/*.sql src/demo/*.c src/demo/*.h src/kb/demo*.c 2>/dev/null | sha256sum | cut -c1-12)
CACHE=$TMP/demo-$N-$NA-$KEY.db
WORK=$TMP/work.db
OUT=$TMP/results.md
mkdir -p "$TMP" build/bench

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (make bench installs it)" >&2; exit 1; }; }
need wrk
need curl
need sqlite3
[ -x "$BIN" ] || { echo "bench: build ./sanqu first (make bench does)" >&2; exit 1; }

now_ms() { date +%s%3N; }
# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
hwm_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
TCK=$(getconf CLK_TCK)

cc -O2 -Wall -Wextra -o build/bench/raw_insert bench/raw_insert.c \
    $(pkg-config --cflags --libs sqlite3)

# ---- the machine ----
{
    echo "machine: $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
    echo "disk: $(df -hT "$TMP" | awk 'NR==2 {print $2 " on " $1}'); sqlite $(sqlite3 --version | cut -d' ' -f1); libmicrohttpd $(pkg-config --modversion libmicrohttpd); wrk $(wrk -v 2>&1 | head -n1 | cut -d' ' -f2)"
    echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)$( [ -r /proc/pressure/cpu ] && echo "; cpu pressure avg60 $(sed -n 's/^some .*avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)%")"
} >"$TMP/machine.txt"
cat "$TMP/machine.txt"

# ---- the database ----
if [ ! -f "$CACHE" ]; then
    echo "building the demo database ($N appeals, $NA answers) into $CACHE ..."
    rm -rf "$TMP/demo-"*
    t0=$(now_ms)
    "$BIN" demo --db "$CACHE.tmp" --appeals "$N" --answers "$NA" | sed -n '1,6p'
    t1=$(now_ms)
    echo "$(( t1 - t0 ))" >"$CACHE.ms"
    # the server's full-text indexer (kb) catches up on every demo appeal
    # in the background; do it once here so the scenarios do not pay for it
    if sqlite3 "$CACHE.tmp" "SELECT 1 FROM kb_index_state" >/dev/null 2>&1; then
        echo "indexing the appeals for full-text search ..."
        "$BIN" serve --db "$CACHE.tmp" --listen 127.0.0.1:0 --quiet true >"$TMP/index.log" 2>&1 &
        ipid=$!
        max=$(sqlite3 "$CACHE.tmp" "SELECT max(id) FROM appeals")
        while [ "$(sqlite3 "$CACHE.tmp" "SELECT last_id FROM kb_index_state WHERE name = 'appeals'" 2>/dev/null)" != "$max" ]; do
            kill -0 "$ipid" 2>/dev/null || { echo "bench: the indexing server died" >&2; cat "$TMP/index.log" >&2; exit 1; }
            sleep 1
        done
        kill "$ipid"
        wait "$ipid" 2>/dev/null || true
        echo "$(( $(now_ms) - t1 ))" >"$CACHE.index.ms"
    fi
    sqlite3 "$CACHE.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$CACHE.tmp" "$CACHE"
fi
index_ms=$(cat "$CACHE.index.ms" 2>/dev/null || echo 0)
demo_ms=$(cat "$CACHE.ms" 2>/dev/null || echo 0)
db_bytes=$(stat -c %s "$CACHE")
appeals=$(sqlite3 "$CACHE" "SELECT count(*) FROM appeals")
max_id=$(sqlite3 "$CACHE" "SELECT max(id) FROM appeals")
answers=$(sqlite3 "$CACHE" "SELECT count(*) FROM kb_answers")
cp "$CACHE" "$WORK"
rm -f "$WORK-wal" "$WORK-shm"

# ---- raw storage ----
echo "raw storage: intake's inserts straight into SQLite, ${RAW_DUR}s per mode ..."
# on the big copy, so the indexes have their real depth
# ... on its own copy: its tens of thousands of rows would otherwise sit in the
# measured handler's queue
cp "$WORK" "$TMP/raw.db"
build/bench/raw_insert "$TMP/raw.db" "$RAW_DUR" | tee "$TMP/raw.txt"
rm -f "$TMP/raw.db" "$TMP/raw.db-wal" "$TMP/raw.db-shm"
raw_full=$(awk '$2 == "full" {print $3}' "$TMP/raw.txt")
raw_normal=$(awk '$2 == "normal" {print $3}' "$TMP/raw.txt")
raw_batch=$(awk '$2 == "batch32" {print $3}' "$TMP/raw.txt")

category=$(sqlite3 "$WORK" "SELECT id FROM categories WHERE code = 'DL02'")
unit=$(sqlite3 "$WORK" "SELECT g.unit_id FROM grants g JOIN users u ON u.id = g.user_id WHERE u.login = 'community_handler'")

# ---- the server ----
threads_flag=""
[ -n "${BENCH_SERVER_THREADS:-}" ] && threads_flag="--threads $BENCH_SERVER_THREADS"
# Starts the server on the working copy with extra flags ($@); sets PID and
# URL once /healthz answers.
start_server() {
    rm -f "$TMP/port"
    # shellcheck disable=SC2086
    "$BIN" serve --db "$WORK" --listen 127.0.0.1:0 --port_file "$TMP/port" --quiet true \
        $threads_flag "$@" >"$TMP/server.log" 2>&1 &
    PID=$!
    while :; do
        if [ -s "$TMP/port" ]; then
            URL="http://127.0.0.1:$(cat "$TMP/port")"
            curl -fs -o /dev/null "$URL/healthz" && break
        fi
        kill -0 "$PID" 2>/dev/null || { echo "bench: the server died:" >&2; cat "$TMP/server.log" >&2; exit 1; }
        sleep 0.005
    done
}
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true' EXIT INT TERM
t0=$(now_ms)
start_server
t1=$(now_ms)
cold_ms=$(( t1 - t0 ))
echo "server up at $URL in ${cold_ms} ms (pid $PID, RSS $(rss_mb "$PID") MB)"

login() {
    curl -fs -H 'Content-Type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"sanqu-demo\"}" "$URL/api/v1/auth/login" |
        sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
}
TOKEN_ADMIN=$(login admin)
TOKEN_HANDLER=$(login community_handler)
TOKEN_PUBLIC=$(login resident)
[ -n "$TOKEN_ADMIN" ] && [ -n "$TOKEN_HANDLER" ] && [ -n "$TOKEN_PUBLIC" ] ||
    { echo "bench: cannot sign in the demo accounts" >&2; exit 1; }
WITH_STATS=0
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN_ADMIN" \
    "$URL/api/v1/stats/appeals?group_by=unit" && WITH_STATS=1
units=$(sqlite3 "$WORK" "SELECT group_concat(id) FROM units WHERE kind = 'community'")
export TOKEN_ADMIN TOKEN_HANDLER TOKEN_PUBLIC MAX_ID="$max_id" CATEGORY="$category" UNIT="$unit" UNITS="$units" WITH_STATS

# Waits (up to 2 minutes) until the server has finished the requests a
# scenario left in flight: wrk stops sending at the deadline, but a slow
# endpoint may still hold every worker, and the next scenario would measure
# that backlog instead of itself.
settle() {
    i=0
    while [ $i -lt 120 ]; do
        a=$(cpu_ticks "$PID")
        sleep 1
        b=$(cpu_ticks "$PID")
        [ $(( (b - a) * 100 / TCK )) -lt 5 ] && return 0
        i=$(( i + 1 ))
    done
    echo "bench: the server stayed busy for 2 minutes after a scenario" >&2
}

ROWS=""
ceiling=""
# scenario name, script, path, connections; one connection runs one wrk
# thread (a latency row: one client, no queueing behind others)
scenario() {
    name=$1 script=$2 path=$3 conns=$4
    threads=$WRK_THREADS
    [ "$conns" -lt "$threads" ] && threads=$conns
    c0=$(cpu_ticks "$PID")
    res=$(wrk -t"$threads" -c"$conns" -d"${DUR}s" --timeout 5s -s "bench/wrk/$script" "$URL$path" |
        sed -n 's/^RESULT //p')
    c1=$(cpu_ticks "$PID")
    rss=$(rss_mb "$PID")
    settle
    [ -n "$res" ] || { echo "bench: wrk gave no result for $name" >&2; res="0 0 0 0 0 0"; }
    set -- $res
    rps=$1 p50=$2 p99=$3 bad=$4 sock=$5
    [ -z "$ceiling" ] && ceiling=$rps
    ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    cpu=$(awk -v d="$(( c1 - c0 ))" -v t="$TCK" -v s="$DUR" 'BEGIN { printf "%.0f", 100 * d / t / s }')
    row=$(printf '| %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s |' "$name" "$conns" "$rps" "$p50" "$p99" "$ratio" \
        "$(( bad + sock ))" "$cpu" "$rss")
    echo "$row"
    ROWS="$ROWS$row
"
    eval "RPS_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')=$rps"
    eval "P99_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')_$conns=$p99"
}

echo "| scenario | conns | req/s | p50 ms | p99 ms | / ceiling | errors | server CPU % | RSS MB |"
scenario "GET /healthz (ceiling)" healthz.lua /healthz "$CONNS"
scenario "POST /api/v1/appeals" create.lua /api/v1/appeals "$CONNS"
scenario "GET queue=unit (handler)" queue.lua "/api/v1/appeals?queue=unit&limit=20" "$CONNS"
scenario "GET /api/v1/appeals/{id}" detail.lua /api/v1/appeals/1 "$CONNS"
if [ "$WITH_STATS" = 1 ]; then
    scenario "GET stats group_by=unit" stats.lua "/api/v1/stats/appeals?group_by=unit" "$CONNS"
    scenario "GET stats group_by=unit" stats.lua "/api/v1/stats/appeals?group_by=unit" 1
fi
scenario "GET /api/v1/search" search.lua /api/v1/search "$CONNS"
scenario "GET /api/v1/search" search.lua /api/v1/search 1
scenario "GET /api/v1/suggest" suggest.lua /api/v1/suggest "$CONNS"
scenario "GET /api/v1/suggest" suggest.lua /api/v1/suggest 1
scenario "mixed 80/20 read/write" mixed.lua / 64
# every request a write: intake, accept, note, resolve, rate (writes.lua)
scenario "mixed writes (intake accept note resolve rate)" writes.lua / "$CONNS"
# the mix of `make soak` (soak.lua) on this database
scenario "soak mix (make soak)" soak.lua / "$CONNS"
peak=$(hwm_mb "$PID")
kill "$PID"
wait "$PID" 2>/dev/null || true

# ---- intake without the full-text indexer ----
# The same intake scenario on a server that does not index new appeals
# (--kb_index false): the indexing issue asks that intake keep at least 80%
# of this rate with the indexer running.
start_server --kb_index false
TOKEN_PUBLIC=$(login resident)
export TOKEN_PUBLIC
RPS_WITH_INDEX=$(eval echo "\${RPS_POST__api_v1_appeals:-0}")
scenario "POST /api/v1/appeals, no indexer" create.lua /api/v1/appeals "$CONNS"
kill "$PID"
wait "$PID" 2>/dev/null || true

# ---- suggestions and search with the answers cache off ----
# The bench's texts repeat, so the rows above are served from the cached
# answers (src/kb/search_sqlite.c) after the first round; these rows pay for
# the answers query every time, as text nobody typed before does.
SANQU_KB_ANSWER_CACHE=0
export SANQU_KB_ANSWER_CACHE
start_server
unset SANQU_KB_ANSWER_CACHE
TOKEN_ADMIN=$(login admin)
TOKEN_PUBLIC=$(login resident)
export TOKEN_ADMIN TOKEN_PUBLIC
scenario "GET /api/v1/search, answers uncached" search.lua /api/v1/search 1
scenario "GET /api/v1/suggest, answers uncached" suggest.lua /api/v1/suggest 1
kill "$PID"
wait "$PID" 2>/dev/null || true
trap - EXIT INT TERM

intake=$RPS_WITH_INDEX
intake_plain=$(eval echo "\${RPS_POST__api_v1_appeals__no_indexer:-0}")
{
    echo "### Results ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
    echo
    sed 's/^/    /' "$TMP/machine.txt"
    echo
    echo "wrk: ${WRK_THREADS} threads on the same 2 cores as the server, ${DUR} s per scenario, keep-alive, loopback."
    echo
    echo "| scenario | conns | req/s | p50 ms | p99 ms | / ceiling | errors | server CPU % | RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s' "$ROWS"
    [ "$WITH_STATS" = 1 ] || echo "| GET stats group_by=unit | - | - | - | - | - | - | - | not served by this build: skipped |"
    echo
    echo "| storage and start-up | value |"
    echo "|---|---:|"
    echo "| raw insert, 1 appeal per transaction, synchronous=FULL | $raw_full appeals/s |"
    echo "| raw insert, 1 appeal per transaction, synchronous=NORMAL | $raw_normal appeals/s |"
    echo "| raw insert, 32 appeals per transaction, synchronous=FULL | $raw_batch appeals/s |"
    echo "| intake over HTTP / raw FULL | $(awk -v a="$intake" -v b="$raw_full" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
    echo "| intake with the full-text indexer / without it | $(awk -v a="$intake" -v b="$intake_plain" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
    echo "| search p99, one client (target < 10 ms) | $(eval echo "\${P99_GET__api_v1_search_1:-?}") ms |"
    echo "| suggestion p99, one client (target < 5 ms) | $(eval echo "\${P99_GET__api_v1_suggest_1:-?}") ms |"
    echo "| intake / raw 32 per transaction (target >= 0.5) | $(awk -v a="$intake" -v b="$raw_batch" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
    echo "| intake p99 with the indexer (target < 100 ms) | $(eval echo "\${P99_POST__api_v1_appeals_$CONNS:-?}") ms |"
    echo "| mixed writes / intake (target >= 0.5) | $(awk -v a="$(eval echo "\${RPS_mixed_writes__intake_accept_note_resolve_rate_:-0}")" -v b="$intake" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
    echo "| appeal detail / ceiling (target >= 0.3) | $(awk -v a="$(eval echo "\${RPS_GET__api_v1_appeals__id_:-0}")" -v b="$ceiling" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
    echo "| appeals in the database | $appeals |"
    echo "| knowledge-base answers in the database | $answers |"
    echo "| database size per million appeals | $(awk -v b="$db_bytes" -v n="$appeals" 'BEGIN { printf "%.0f MB", b / 1048576 / (n / 1e6) }') |"
    echo "| demo build of the database (sanqu demo --appeals $N) | $(awk -v m="$demo_ms" 'BEGIN { printf "%.1f s", m / 1000 }') |"
    echo "| full-text indexing of the demo appeals (server's kb indexer, once per cache) | $(awk -v m="$index_ms" 'BEGIN { printf "%.1f s", m / 1000 }') |"
    echo "| cold start to first /healthz 200 | ${cold_ms} ms |"
    echo "| server peak RSS (VmHWM) | ${peak} MB |"
} >"$OUT"
echo
cat "$OUT"
[ -n "${BENCH_KEEP:-}" ] || rm -f "$WORK" "$WORK-wal" "$WORK-shm"
