#!/usr/bin/env bash
# The long run of generated plans (issue 13): COUNT plans (default 1,000,000) from the generator
# the test command's short run uses (tests/common/generate.rs), each held to every invariant of
# tests/common/check.rs. Prints the count, valid and refused plans, panics caught, invariant
# breaks (the first few of each kind with their input) and the time taken; exits non-zero when
# any panic or invariant break was seen.
#
#   bash scripts/long-run.sh [COUNT] [SEED] [THREADS]    e.g. nice -n 10 bash scripts/long-run.sh 1000000 13 2
#
# THREADS (default 1) shares the count out, thread k drawing from seed SEED + k.
#
# A native release build with panics that unwind (the release profile aborts on panic, and a panic
# must be counted with its input, not end the run), optimised for speed rather than size, in its
# own target directory so it never invalidates the app's or the benchmark's release builds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
COUNT="${1:-1000000}"
SEED="${2:-13}"
THREADS="${3:-1}"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/long-run}" \
  CARGO_PROFILE_RELEASE_PANIC=unwind \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
  CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo run --quiet --release --example generated_plans -- "$COUNT" "$SEED" "$THREADS"
