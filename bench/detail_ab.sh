#!/bin/sh
# bench/detail_ab.sh BIN DB [SECONDS] - the /healthz ceiling and the appeal
# detail (GET /api/v1/appeals/{id}, random ids, as admin: bench/wrk/detail.lua)
# on one server, 64 connections, and their ratio. For A/B runs of two
# binaries on the same demo database (copied for each run, so runs start
# equal), e.g. ./sanqu demo --db /tmp/x.db --appeals 200000 first.
set -eu
cd "$(dirname "$0")/.."
BIN=$1 DB=$2 DUR=${3:-10}
TMP=$(mktemp -d)
W=$TMP/work.db
cp "$DB" "$W"
"$BIN" serve --db "$W" --listen 127.0.0.1:0 --port_file "$TMP/port" --quiet true >"$TMP/server.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
while ! { [ -s "$TMP/port" ] && curl -fs -o /dev/null "http://127.0.0.1:$(cat "$TMP/port")/healthz"; }; do
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
    sleep 0.05
done
URL="http://127.0.0.1:$(cat "$TMP/port")"
TOKEN_ADMIN=$(curl -fs -H 'Content-Type: application/json' \
    -d '{"login":"admin","password":"sanqu-demo"}' "$URL/api/v1/auth/login" |
    sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
MAX_ID=$(sqlite3 "$W" "SELECT max(id) FROM appeals")
export TOKEN_ADMIN MAX_ID
h=$(wrk -t2 -c64 -d"${DUR}s" --timeout 5s -s bench/wrk/healthz.lua "$URL/healthz" | sed -n 's/^RESULT //p')
sleep 2
d=$(wrk -t2 -c64 -d"${DUR}s" --timeout 5s -s bench/wrk/detail.lua "$URL/api/v1/appeals/1" |
    sed -n 's/^RESULT //p')
echo "$h $d" | awk -v bin="$BIN" '{ printf "%s: healthz %.0f req/s, detail %.0f req/s (p50 %.2f ms, p99 %.2f ms), detail/ceiling %.3f\n", bin, $1, $7, $8, $9, $7 / $1 }'
