#!/usr/bin/env bash
# Whole-process batch timings on 100 documents (50 copies of each example):
# the no-op rebuild (nothing changed: nothing parsed, nothing written, the
# outputs known intact by their settled file records), by default formats
# and Markdown only, and a full PDF batch on 1 and 2 jobs.
# Needs hyperfine. Usage: scripts/bench-batch.sh [ZONGJIE_BINARY ...]
# (several binaries are compared side by side; default target/release/zongjie).
set -euo pipefail
cd "$(dirname "$0")/.."
bins=("$@")
[ ${#bins[@]} -gt 0 ] || { cargo build --release --locked --bin zongjie; bins=(target/release/zongjie); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data"
for i in $(seq -w 0 49); do
  for e in lishui-2022 wenzhou-2023-tasks; do cp "data/$e.yaml" "$tmp/data/$e-$i.yaml"; done
done
n=0
for bin in "${bins[@]}"; do
  n=$((n + 1))
  bin=$(realpath "$bin")
  out="$tmp/out$n"
  "$bin" build "$tmp/data" --ignore-system-fonts --out "$out" 2>/dev/null || true
  "$bin" build "$tmp/data" --format md --out "$out-md" 2>/dev/null || true
  # Outputs are trusted by their file records once those have settled
  # (3 s after the write); one no-op after that renews them.
  sleep 3.5
  "$bin" build "$tmp/data" --ignore-system-fonts --out "$out" 2>/dev/null || true
  "$bin" build "$tmp/data" --format md --out "$out-md" 2>/dev/null || true
  hyperfine -N --warmup 3 --runs 30 \
    -n "no-op rebuild, md,html,pdf,docx ($bin)" "$bin build $tmp/data --ignore-system-fonts --out $out" \
    -n "no-op rebuild, md ($bin)" "$bin build $tmp/data --format md --out $out-md"
done
if [ "${FULL:-1}" = 1 ]; then
  bin=$(realpath "${bins[-1]}")
  hyperfine -N --warmup 1 --runs 3 \
    -n "100 PDFs, 1 job" "$bin build $tmp/data --format pdf --ignore-system-fonts --force --jobs 1 --out $tmp/p1" \
    -n "100 PDFs, 2 jobs" "$bin build $tmp/data --format pdf --ignore-system-fonts --force --jobs 2 --out $tmp/p2"
fi
