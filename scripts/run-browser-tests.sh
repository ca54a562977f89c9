#!/bin/sh
# Browser tests (playwright-core + Debian chromium) when the UI has them.
if [ ! -d tests/browser ] || ! ls tests/browser/*.test.mjs >/dev/null 2>&1; then
    echo "browser tests: none yet"
    exit 0
fi
exec node tests/browser/run.mjs
