#!/bin/sh
# Installs the Debian packages sanqu needs to build, run and test, if missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
# The binary links libpq (libpq-dev) for the PostgreSQL engine, but serving
# SQLite needs no PostgreSQL server; the `test` set adds one (postgresql) for
# the throwaway cluster of make check-pg (scripts/pg-cluster.sh).
set -e
PKGS="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
libsodium-dev libcmocka-dev libcurl4-openssl-dev libpwquality-dev cracklib-runtime libpq-dev \
nodejs npm sqlite3 curl"
case "$1" in
test) PKGS="$PKGS chromium fonts-wqy-zenhei clang libclang-rt-14-dev clang-format-14 git postgresql" ;;
bench) PKGS="$PKGS wrk" ;;
valgrind) PKGS="$PKGS valgrind" ;;
esac
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        # nodejs/npm may come from elsewhere (nodesource, nvm): accept working commands
        case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "sanqu needs these Debian packages:$missing" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
