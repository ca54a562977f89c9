#!/bin/sh
# A throwaway PostgreSQL cluster for the tests (make check-pg).
#
#   scripts/pg-cluster.sh start DIR   initdb into DIR and start the server
#   scripts/pg-cluster.sh env DIR     print SANQU_TEST_PG=<uri> for the caller
#   scripts/pg-cluster.sh stop DIR    stop the server and remove DIR
#   scripts/pg-cluster.sh run CMD...  a cluster in a new temporary directory,
#                                     CMD run with SANQU_TEST_PG set, the
#                                     cluster stopped and removed however CMD
#                                     ends; exits with CMD's status
#
# The cluster listens on a Unix socket in DIR only (listen_addresses = ''),
# so several clusters can run at once; the port number (which names the
# socket) comes from this script's PID. Superuser `sanqu`, trust
# authentication (nobody else can reach the socket directory). Durability is
# off (fsync, synchronous_commit, full_page_writes): a crash of the test
# machine loses the test databases, which are thrown away anyway; tests that
# are about durability run on SQLite (docs/testing.md).
#
# PostgreSQL refuses to run as root: as root, initdb and the server run as
# `nobody`, who owns DIR (its parents must be searchable by nobody). A DIR
# left by a killed run (a server still running, a postmaster.pid) is stopped
# and removed by `start` and `stop`; `run` also removes the temporary
# clusters of earlier `run`s whose owner process has gone.
set -e

pgbin() {
    # the newest installed major version (Debian: /usr/lib/postgresql/N/bin)
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    echo "pg-cluster: no PostgreSQL server found in /usr/lib/postgresql/*/bin" >&2
    echo "install it with: scripts/install-deps.sh test" >&2
    return 1
}

# Runs a command as the cluster's owner (nobody when we are root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- "$@"
    else
        "$@"
    fi
}

# Stops whatever server DIR still has (a stale cluster) and removes DIR.
wipe() {
    dir=$1
    [ -e "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        (cd / && as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
        pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
            grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
            sleep 1
        fi
    fi
    rm -rf "$dir"
}

start() {
    dir=$1
    wipe "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # the socket path must fit in sun_path (107 bytes)
    if [ ${#dir} -gt 80 ]; then
        echo "pg-cluster: $dir is too long for a socket path" >&2
        return 1
    fi
    port=$((20000 + $$ % 40000))
    echo "$port" >"$dir/port"
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir"
    if ! (cd / && as_owner "$BIN/initdb" -D "$dir/data" -U sanqu --auth=trust -E UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1); then
        echo "pg-cluster: initdb failed:" >&2
        cat "$dir/initdb.log" >&2
        return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF
# scripts/pg-cluster.sh: a throwaway test cluster
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
max_connections = 300
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_locks_per_transaction = 256
log_min_messages = warning
log_min_error_statement = panic
EOF
    if ! (cd / && as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        start >/dev/null); then
        echo "pg-cluster: the server did not start:" >&2
        cat "$dir/server.log" >&2
        return 1
    fi
}

stop() {
    dir=$1
    [ -e "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        (cd / && as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1) || true
    fi
    wipe "$dir"
}

uri() {
    dir=$(cd "$1" && pwd)
    [ -f "$dir/port" ] || {
        echo "pg-cluster: no cluster in $dir" >&2
        return 1
    }
    echo "postgresql://sanqu@/postgres?host=$dir&port=$(cat "$dir/port")"
}

# Temporary clusters of earlier `run`s whose owner process has gone.
reap() {
    for d in "${TMPDIR:-/tmp}"/sanqu-pg.*; do
        [ -f "$d/owner" ] || continue
        owner=$(cat "$d/owner" 2>/dev/null || true)
        [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null && continue
        echo "pg-cluster: removing the stale cluster $d" >&2
        wipe "$d"
    done
}

cmd=$1
[ $# -gt 0 ] && shift
BIN=$(pgbin)
case "$cmd" in
start)
    [ $# -eq 1 ] || { echo "usage: $0 start DIR" >&2; exit 2; }
    start "$1"
    ;;
stop)
    [ $# -eq 1 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
    stop "$1"
    ;;
env)
    [ $# -eq 1 ] || { echo "usage: $0 env DIR" >&2; exit 2; }
    echo "SANQU_TEST_PG=$(uri "$1")"
    ;;
run)
    [ $# -ge 1 ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
    reap
    dir=$(mktemp -d "${TMPDIR:-/tmp}/sanqu-pg.XXXXXX")
    trap 'stop "$dir"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start "$dir"
    echo $$ >"$dir/owner"
    SANQU_TEST_PG=$(uri "$dir")
    export SANQU_TEST_PG
    echo "pg-cluster: PostgreSQL $("$BIN/postgres" --version | sed "s/^[^0-9]*\([0-9.]*\).*/\1/") at $SANQU_TEST_PG"
    set +e
    "$@"
    rc=$?
    set -e
    exit $rc
    ;;
*)
    echo "usage: $0 start|stop|env DIR, or $0 run CMD..." >&2
    exit 2
    ;;
esac
