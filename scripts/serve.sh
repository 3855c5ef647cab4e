#!/usr/bin/env bash
# Sets up whatever is missing (scripts/setup.sh), then builds and serves the app with trunk on
# http://127.0.0.1:8080 (rebuilding on change). Extra arguments go to `trunk serve`, e.g.
#   bash scripts/serve.sh --release --port 9000
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
echo "itdose: serving on http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve "$@"
