#!/usr/bin/env bash
# How much of the app's download is the engine itself: builds the engine and its report, without the
# app (no Leptos, no charts, no browser bindings), to wasm with the app's release settings, and prints
# its size next to the app's. The engine is reached through the `itdose` command's code (`src/cli.rs`:
# plan and record loading and migration, evaluation, the report as JSON and as text, the CSF series,
# the opioid conversion, drug libraries), fed with the example files at run time so that nothing is
# folded away. A figure to read, not a test.
#
# Usage: bash scripts/size-floor.sh   (after `trunk build --release` for the app's figure)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
DIR="$ROOT/target/size-floor"
mkdir -p "$DIR/src"
cat > "$DIR/Cargo.toml" <<'TOML'
[package]
name = "itdose-size-floor"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"

[dependencies]
itdose = { path = "../.." }

# The app's release settings (Cargo.toml).
[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"

[workspace]
TOML
cat > "$DIR/src/lib.rs" <<'RUST'
//! Every command of `itdose`, on inputs the optimiser cannot see (black_box).
use std::hint::black_box;

const PLAN: &str = include_str!("../../../docs/example-schedule-plan.json");
const ZICONOTIDE: &str = include_str!("../../../docs/example-ziconotide-refill.json");
const RECORD: &str = include_str!("../../../docs/record-example.json");

#[unsafe(no_mangle)]
pub extern "C" fn floor(which: u32) -> u32 {
    let args: &[&str] = match black_box(which) {
        0 => &["report", "plan"],
        1 => &["report", "plan", "--text"],
        2 => &["report", "record"],
        3 => &["concentration", "zico", "--scenario", "all"],
        4 => &["report", "plan", "--library", "library"],
        _ => &["convert", "--ratio", "100", "--text", "oxycodone=40"],
    };
    let args: Vec<String> = args.iter().map(|a| black_box(*a).to_owned()).collect();
    let (code, out, err) = itdose::cli::run(&args, |path| {
        Ok(black_box(match path {
            "plan" => PLAN,
            "zico" => ZICONOTIDE,
            "record" => RECORD,
            _ => "{}",
        })
        .to_owned())
    });
    u32::from(code) + out.len() as u32 + err.len() as u32
}
RUST
cp Cargo.lock "$DIR/Cargo.lock"
# The app's wasm build sets --cfg erase_components (.cargo/config.toml); it does not touch the engine.
(cd "$DIR" && cargo build --quiet --offline --release --target wasm32-unknown-unknown)
raw="$DIR/target/wasm32-unknown-unknown/release/itdose_size_floor.wasm"
# As trunk does for the app: wasm-bindgen (it removes its own descriptors), then wasm-opt -Oz.
wasm-bindgen --target web --no-typescript --out-dir "$DIR/bindgen" "$raw"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$DIR/bindgen/itdose_size_floor_bg.wasm" -o "$DIR/floor.wasm"
gz() { gzip -9c "$1" | wc -c; }
printf 'size-floor: the engine and its report, no app (wasm-opt -Oz)  raw %8d B  gzip %8d B\n' "$(stat -c %s "$DIR/floor.wasm")" "$(gz "$DIR/floor.wasm")"
app=$(ls "$ROOT"/dist/*.wasm 2>/dev/null | head -1 || true)
if [ -n "$app" ]; then
  printf 'size-floor: the app (dist/, trunk build --release)           raw %8d B  gzip %8d B\n' "$(stat -c %s "$app")" "$(gz "$app")"
fi
