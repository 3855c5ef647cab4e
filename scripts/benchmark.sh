#!/usr/bin/env bash
# The benchmark command: prints one table of itdose's speed and size figures against the budgets of
# docs/performance.md, and writes the same table there (between its "figures" markers). Figures to
# read, never a test: nothing here fails on a figure. Sets up whatever is missing first (the tools
# of scripts/setup.sh, and numpy in .venv-bench for the comparison).
#
#   bash scripts/benchmark.sh            # everything, the generated-plan run at 1,000,000 plans
#   PLANS=100000 bash scripts/benchmark.sh   # a shorter generated-plan run
#
# What runs, in order: the CSF solver natively (examples/pk_bench.rs) and numpy's closed form of
# the same series (scripts/pk_numpy.py) in the same run, compared point by point; the solver in
# headless Chromium (tests/pk_bench_browser.rs, release); the release build and its sizes
# (scripts/bundle-size.sh) and the engine's own size without the app (scripts/size-floor.sh);
# first render and keystrokes in headless Chromium (scripts/perf.mjs); the generated-plan long run
# (scripts/long-run.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
PLANS="${PLANS:-1000000}"
NUMPY_VERSION="2.4.6"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if ! .venv-bench/bin/python -c "import numpy; assert numpy.__version__ == '$NUMPY_VERSION'" 2>/dev/null; then
  echo "[benchmark] installing numpy $NUMPY_VERSION into .venv-bench"
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install --quiet "numpy==$NUMPY_VERSION"
fi

echo "[benchmark] CSF solver, natively, and numpy's closed form of the same series"
cargo run --quiet --release --example pk_bench -- "$OUT" | tee "$OUT/native.txt"
.venv-bench/bin/python scripts/pk_numpy.py "$OUT" 20 | tee "$OUT/numpy.txt"

echo "[benchmark] CSF solver in headless Chromium (release)"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown --test pk_bench_browser -- --nocapture 2>&1 \
  | grep -E "^browser" | tee "$OUT/browser.txt"

echo "[benchmark] release build, sizes"
trunk build --release >/dev/null 2>&1 || trunk build --release
bash scripts/bundle-size.sh | tee "$OUT/size.txt"
echo "[benchmark] the engine and its report alone, without the app"
bash scripts/size-floor.sh | tee -a "$OUT/size.txt"

echo "[benchmark] first render and keystrokes in headless Chromium"
node scripts/perf.mjs | tee "$OUT/perf.txt" | grep -v '^PERF'

echo "[benchmark] generated plans: $PLANS (2 threads)"
# The long run exits non-zero on a panic or an invariant break: a figure for the table here.
bash scripts/long-run.sh "$PLANS" 13 2 | tee "$OUT/plans.txt" || true

machine="$(nproc) cores, $(awk -F: '/model name/ {gsub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); $(rustc --version | cut -d' ' -f1-2); $(chromium --version 2>/dev/null | head -1); numpy $NUMPY_VERSION; $(date -u +%Y-%m-%d)"
python3 - "$OUT" "$machine" "$PLANS" > "$OUT/table.md" <<'PY'
import json, re, sys
out, machine, plans = sys.argv[1], sys.argv[2], sys.argv[3]
read = lambda name: open(f"{out}/{name}").read()
def ms(text, model):
    m = re.search(model + r": ([0-9.]+) ms", text)
    return float(m.group(1)) if m else float("nan")
native, numpy, browser = read("native.txt"), read("numpy.txt"), read("browser.txt")
diff = {m: re.search(m + r".*?difference from itdose ([0-9.e+-]+)", numpy) for m in ("one compartment", "two compartments")}
perf = {j["key"]: j for j in (json.loads(l[5:]) for l in read("perf.txt").splitlines() if l.startswith("PERF "))}
total = re.search(r"total\s+raw\s+\d+ B\s+gzip\s+(\d+) B", read("size.txt"))
wasm = re.search(r"wasm\s+raw\s+\d+ B\s+gzip\s+(\d+) B", read("size.txt"))
floor = re.search(r"size-floor: the engine.*?gzip\s+(\d+) B", read("size.txt"))
kb = lambda m: f"{int(m.group(1)) / 1000:.0f} KB" if m else "?"
p = lambda key, q: f"{perf[key][q]:.1f} ms" if key in perf else "?"
rows = [
    ("Everything the browser downloads (gzip)", "≤ 350 KB (aim 250 KB)", f"{kb(total)} (wasm {kb(wasm)})"),
    ("The engine and its report alone, without the app (wasm, gzip)", "—", kb(floor)),
]
for key, words in (("first_render_start", "the start screen (#/, what the address opens on)"), ("first_render", "#/plan, every input and result, with a saved plan")):
    rows.append((f"Navigation → first complete render: {words}", "≤ 300 ms", f"median {p(key, 'median')}, p95 {p(key, 'p95')} ({perf.get(key, {}).get('n', '?')} fresh loads)"))
for key, words in (("plan", "plan (every input, CSF on)"), ("change", "change the programme"), ("new_pump", "new pump"), ("refill", "refill visit"), ("mri", "MRI"), ("convert", "conversion")):
    k = f"keystroke_{key}"
    bad = perf.get(k, {}).get("unchanged", 0)
    rows.append((f"Keystroke → figures (and reservoir chart), p95 of 200 edits: {words}", "≤ 16 ms", f"p95 {p(k, 'p95')}, median {p(k, 'median')}" + (f" (NOT VALID: {bad} edits unchanged)" if bad else "")))
rows.append(("CSF model + chart after the typing pause (p95 of 20)", "—", f"p95 {p('csf_after_pause', 'p95')}, median {p('csf_after_pause', 'median')}"))
for model in ("one compartment", "two compartments"):
    n, py = ms(native, "native, " + model), ms(numpy, model)
    d = diff[model].group(1) if diff[model] else "?"
    rows.append((f"30-day 1-minute CSF series, natively vs numpy's closed form: {model}", "≥ 50 × faster, ≤ 1e-9 relative", f"{n:.2f} ms vs {py:.1f} ms: {py / n:.0f} × faster; largest difference {d} of the peak"))
for model in ("one compartment", "two compartments"):
    rows.append((f"Same series in headless Chromium: {model}", "≤ 3 ms", f"{ms(browser, model):.2f} ms"))
plan_text = read("plans.txt")
grab = lambda pattern: (re.search(pattern, plan_text) or [None, "?"])[1]
count, valid, refused = grab(r"generated plans: (\d+)"), grab(r"valid \(evaluated\): (\d+)"), grab(r"refused \(every error at its field\): (\d+)")
panics, breaks, took = grab(r"panics caught: (\d+)"), grab(r"invariant breaks: (\d+)"), grab(r"; ([0-9.]+ s \(\d+ plans/s\))")
rows.append(("Generated plans in the long run", "≥ 1,000,000, 0 panics, 0 invariant breaks",
    f"{count} plans ({valid} valid, {refused} refused): {panics} panics, {breaks} invariant breaks; {took}"))
print(f"Measured by `bash scripts/benchmark.sh` (PLANS={plans}) on {machine}.\n")
print("| Figure | Budget | Measured |")
print("|---|---|---|")
for r in rows:
    print("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
PY
echo
cat "$OUT/table.md"
python3 - "$OUT/table.md" docs/performance.md <<'PY'
import sys
table, doc = open(sys.argv[1]).read(), open(sys.argv[2]).read()
start, end = "<!-- figures:start (written by scripts/benchmark.sh) -->", "<!-- figures:end -->"
head, rest = doc.split(start, 1)
_, tail = rest.split(end, 1)
open(sys.argv[2], "w").write(head + start + "\n" + table + end + tail)
PY
echo "[benchmark] the table is written into docs/performance.md"
