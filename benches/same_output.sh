#!/usr/bin/env bash
# Compares the output of two qbo-run binaries byte for byte against one emulator (started as a
# process of its own, its clock stopped at the start so both runs see the same company; each run
# with a fresh copy of the logged-in home, so no incremental state carries over): every shipped read
# request in JSON, JSON Lines and CSV (its columns, or flattened), and the invoices request for
# $INVOICES (default 100000) invoices in each format.
#
#   benches/same_output.sh BEFORE_BINARY AFTER_BINARY
#
# Exit status 0 only when every output is the same.
set -euo pipefail
before=$1
after=$2
invoices=${INVOICES:-100000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$after" emulator --port 0 --invoices "$invoices" --requests-per-minute 0 \
    --now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" -q 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 300); do
    grep -q 'http://' "$work/emulator.log" 2>/dev/null && break
    sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/emulator.log" | head -1)
printf 'environment: emulator\nbase_url: %s\nlimits:\n  requests_per_minute: 1000000\n' "$url" >"$work/conn.yaml"
QBO_RUN_HOME="$work/home" "$after" auth login "$work/conn.yaml" >/dev/null 2>&1
sed '/^output:/,$d' "$repo/requests/invoices.yaml" >"$work/invoices_flat.yaml"

failed=0
compare() {
    local name=$1
    shift
    local binary
    for binary in before after; do
        rm -rf "$work/home-$binary"
        cp -r "$work/home" "$work/home-$binary"
    done
    QBO_RUN_HOME="$work/home-before" "$before" "$@" --connection "$work/conn.yaml" \
        --output "$work/before" 2>"$work/before.err" || true
    QBO_RUN_HOME="$work/home-after" "$after" "$@" --connection "$work/conn.yaml" \
        --output "$work/after" 2>"$work/after.err" || true
    if [ ! -e "$work/before" ] && [ ! -e "$work/after" ] && cmp -s "$work/before.err" "$work/after.err"; then
        echo "same      $name (both fail alike: $(head -1 "$work/after.err"))"
    elif cmp -s "$work/before" "$work/after" 2>/dev/null; then
        echo "same      $name ($(wc -c <"$work/after") bytes)"
    else
        echo "DIFFERENT $name"
        failed=1
    fi
    rm -f "$work/before" "$work/after"
}

for request in "$repo"/requests/*.yaml; do
    grep -q '^method: GET' "$request" || continue
    for format in json jsonl csv; do
        compare "$(basename "$request") $format" "$request" --format "$format"
    done
done
for format in json jsonl csv; do
    compare "invoices x$invoices $format" "$repo/requests/invoices.yaml" --format "$format"
done
compare "invoices x$invoices flattened csv" "$work/invoices_flat.yaml" --format csv
exit $failed
