#!/usr/bin/env bash
# Prints the CSF solver benchmark figures: natively (release build) and in headless Chromium.
# Figures to read, not tests. Sets up whatever is missing first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
cargo run --quiet --release --example pk_bench
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown --test pk_bench_browser -- --nocapture 2>&1 | grep -E "browser|test result"
