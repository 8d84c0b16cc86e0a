#!/usr/bin/env bash
# Renders a report.html to a PNG screenshot with headless Chromium, to check by eye (or in a
# test) that the page and its charts show.
#
# Usage: .ci/render-report.sh REPORT.html OUT.png
#
# Needs /usr/bin/chromium (Debian's `chromium` package); without it, prints the command that
# installs it and exits 2. Exit 1 on a usage error or when Chromium writes no screenshot.
#
# The page loads nothing from the network (its Content Security Policy forbids it), and the
# flags below keep Chromium itself off the network too (no updates, sync, QUIC or background
# requests), in a throwaway profile that is removed afterwards. --no-sandbox is needed when
# running as root (CI containers); the page has no script to sandbox.
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: $0 REPORT.html OUT.png" >&2
    exit 1
fi
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    echo "chromium not found at $chromium; install it with: apt-get install -y chromium" >&2
    exit 2
fi
report=$(realpath -- "$1")
out=$(realpath -m -- "$2")
if [ ! -f "$report" ]; then
    echo "$0: no such file: $1" >&2
    exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf -- "$profile"' EXIT
rm -f -- "$out"
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1400,2000 --hide-scrollbars \
    --screenshot="$out" "file://$report" >"$profile/chromium.log" 2>&1 || true
if [ ! -s "$out" ]; then
    echo "$0: chromium wrote no screenshot to $out; it said:" >&2
    cat "$profile/chromium.log" >&2
    exit 1
fi
echo "$out"
