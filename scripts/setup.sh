#!/usr/bin/env bash
# Installs what itdose needs to build, serve and test, at pinned versions, and skips whatever is
# already installed at the right version. Sourced by scripts/serve.sh and scripts/test.sh; can be run alone.
#
# Pins and why (see also the README, "The two commands"):
#   trunk 0.21.14         - trunk 0.22 needs a newer rustc than this machine's 1.95
#   wasm-bindgen-cli      - must equal the wasm-bindgen in Cargo.lock, else trunk tries to download one;
#                           installed WITHOUT --locked (its own lock file pins a yanked crate)
#   wasm-opt (binaryen)   - npm's binaryen 132; Debian's wasm-opt 108 silently produces a broken app
#   chromium + driver     - Debian packages, for wasm-bindgen-test and Playwright
#   playwright-core       - npm, from the committed package-lock.json; never downloads a browser
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
# The wasm-bindgen version is read from Cargo.lock so the CLI can never drift from the library.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")"

say() { printf '[setup] %s\n' "$*"; }
have_version() { # have_version <command> <expected substring>
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  say "chromium and chromedriver: present"
else
  say "installing chromium and chromium-driver from apt"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if have_version trunk "trunk $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install trunk --locked --version "$TRUNK_VERSION"
fi

if have_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" \
  && have_version wasm-bindgen-test-runner "$WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm ci is skipped when node_modules already matches the committed lock file.
if [ -x "$ROOT/node_modules/.bin/wasm-opt" ] && [ -d "$ROOT/node_modules/playwright-core" ] && [ -d "$ROOT/node_modules/@axe-core/playwright" ] \
  && cmp -s "$ROOT/package-lock.json" "$ROOT/node_modules/.itdose-lock"; then
  say "npm tools (binaryen, playwright-core, @axe-core/playwright): present"
else
  say "installing npm tools from package-lock.json"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$ROOT/package-lock.json" "$ROOT/node_modules/.itdose-lock"
fi

if ! wasm-opt --version | grep -q "version 132"; then
  echo "[setup] wasm-opt on PATH is not binaryen 132: $(command -v wasm-opt)" >&2
  exit 1
fi

(cd "$ROOT" && cargo fetch --quiet)
say "ready"
