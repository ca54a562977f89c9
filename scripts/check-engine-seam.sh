#!/bin/sh
# The storage seam (docs/storage.md): outside the engine layer (core/db*)
# and the SQLite search module, no file under src/ includes sqlite3.h or
# core/db_sqlite.h or calls sqlite3_*, and no file that is not a store or
# engine file holds an SQL statement. Files not converted yet are listed in
# scripts/engine-seam-allowlist.txt; an entry that is no longer needed fails
# too, so the list only shrinks. Prints the count of sqlite3_ calls outside
# the engine.
cd "$(dirname "$0")/.." || exit 2
allow=scripts/engine-seam-allowlist.txt
engine='^src/core/db(_sqlite)?\.[ch]$|^src/kb/search_sqlite[a-z_]*\.[ch]$|^src/kb/cjk_tokenizer\.[ch]$'
store='^src/[a-z0-9_]+/store[a-z0-9_]*\.c$'
allowed() { [ -f "$allow" ] && grep -qx "$1" "$allow"; }
bad=0
calls=0
for f in $(find src -name '*.[ch]' | sort); do
    echo "$f" | grep -Eq "$engine" && continue
    n=$(grep -c 'sqlite3_' "$f")
    calls=$((calls + n))
    why=""
    if grep -Eq '#include[[:space:]]*[<"](sqlite3\.h|core/db_sqlite\.h)[>"]' "$f" || [ "$n" -gt 0 ]; then
        why="uses the SQLite engine directly (include sqlite3.h / db_sqlite.h or sqlite3_ calls)"
    elif ! echo "$f" | grep -Eq "$store" &&
        grep -Eq '"[[:space:]]*(SELECT [^"]*FROM|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|BEGIN IMMEDIATE|ORDER BY|[a-z_.]+ DESC[,"])' "$f"; then
        why="holds SQL outside a store file"
    elif echo "$f" | grep -Eq '^src/[a-z0-9_]+/api[a-z0-9_]*\.c$' && grep -q 'sq_db_begin' "$f"; then
        why="opens a transaction in an api file (a store function does)"
    fi
    if [ -n "$why" ]; then
        if allowed "$f"; then
            continue
        fi
        echo "check-engine-seam: $f $why" >&2
        bad=1
    elif allowed "$f"; then
        echo "check-engine-seam: $f is converted: remove it from $allow" >&2
        bad=1
    fi
done
left=0
[ -f "$allow" ] && left=$(grep -c . "$allow")
echo "check-engine-seam: $calls sqlite3_ calls outside the engine, $left files still to convert"
exit $bad
