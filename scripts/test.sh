#!/usr/bin/env bash
# Sets up whatever is missing (scripts/setup.sh), then runs every test, in order:
#   1. lints: rustfmt, clippy (native and wasm32), no function in src/ over 100 lines
#   2. native engine tests (cargo test: unit, integration, property, chart-to-SVG and doc tests)
#   3. browser tests: wasm-bindgen-test in headless Chromium
#   4. release build of the site with trunk (wasm-opt -Oz)
#   5. end-to-end tests: Playwright (playwright-core) against the release build served on 127.0.0.1
# Every stage runs even if an earlier one failed (except e2e, which needs the build); the last line
# is "itdose: N passed, N failed" over the stages, and the exit code is non-zero if any failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh || { echo "itdose: 0 passed, 1 failed (setup)"; exit 1; }
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

passed=0
failed=0
failures=()
stage() { # stage <name> <command...>
  local name="$1"
  shift
  printf '\n===== %s =====\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf -- '----- %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf -- '----- %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
    return 1
  fi
}

stage "rustfmt" cargo fmt --all -- --check
stage "clippy (native)" cargo clippy --all-targets --quiet -- -D warnings
stage "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
stage "function lengths (at most 100 lines)" python3 scripts/function-lengths.py 100
stage "native engine tests" cargo test --quiet
stage "browser tests (wasm-bindgen-test, headless Chromium)" \
  env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=300 \
  cargo test --target wasm32-unknown-unknown
if stage "release build (trunk)" trunk build --release; then
  bash scripts/bundle-size.sh
  stage "end-to-end tests (Playwright, release build)" node e2e/run.mjs
else
  failed=$((failed + 1))
  failures+=("end-to-end tests (not run: no release build)")
fi

echo
if [ "$failed" -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "itdose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
