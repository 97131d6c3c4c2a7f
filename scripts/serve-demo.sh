#!/usr/bin/env bash
# Install factcard into .venv (a real install, built as a wheel, not a link to this checkout)
# and serve the demo fact-checks on the embedded SQLite store (factcard.db here).
# Extra arguments go to `factcard serve`, e.g. `bash scripts/serve-demo.sh --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
"$VENV_PYTHON" -m pip install --quiet .
exec "$(dirname "$VENV_PYTHON")/factcard" serve --demo "$@"
