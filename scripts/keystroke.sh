#!/usr/bin/env bash
# Prints keystroke latency figures of the release build in headless Chromium (see
# scripts/keystroke.mjs). Figures to read, not a test: it never fails on time. Sets up whatever is
# missing and builds the release site first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
trunk build --release >/dev/null 2>&1 || trunk build --release
node scripts/keystroke.mjs
