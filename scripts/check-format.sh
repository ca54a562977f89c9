#!/bin/sh
# Fails when a C file of the tree is not as clang-format 14 (the version
# Debian 12 ships; scripts/install-deps.sh test installs clang-format-14)
# would write it. `make fmt` formats them all.
set -e
cd "$(dirname "$0")/.."
CF=clang-format-14
if ! command -v $CF >/dev/null 2>&1; then
    echo "check-format: $CF not found (scripts/install-deps.sh test installs it)" >&2
    exit 1
fi
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 2>/dev/null ||
        find src tests bench -name '*.[ch]')
bad=$($CF --dry-run $files 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning:.*/\1/p' | sort -u)
if [ -n "$bad" ]; then
    echo "check-format: not formatted (run make fmt):" >&2
    echo "$bad" | sed 's/^/  /' >&2
    exit 1
fi
echo "check-format: $(echo $files | wc -w) C files formatted ($($CF --version | sed 's/.*version //'))"
