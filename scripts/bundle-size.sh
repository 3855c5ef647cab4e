#!/usr/bin/env bash
# Prints the release bundle sizes (raw and gzip -9) of what `trunk build --release` put in dist/.
# A figure to watch, not a test: it never fails on size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
total_raw=0
total_gz=0
for f in "$ROOT"/dist/*.wasm "$ROOT"/dist/*.js "$ROOT"/dist/*.css "$ROOT"/dist/index.html; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf 'bundle: %-12s raw %8d B  gzip %8d B  (%s)\n' "${f##*.}" "$raw" "$gz" "$(basename "$f")"
done
printf 'bundle: %-12s raw %8d B  gzip %8d B\n' "total" "$total_raw" "$total_gz"
