#!/usr/bin/env bash
# Install factcard into .venv (a real install, built as a wheel, not a link to this checkout)
# and serve the demo fact-checks on the embedded SQLite store (factcard.db here).
# Extra arguments go to `factcard serve`, e.g. `bash scripts/serve-demo.sh --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
# The share images' text layout (Pillow's raqm) loads FriBidi from the system.
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libfribidi0 >/dev/null 2>&1; then
  echo "serve-demo: installing libfribidi0 for the share images' text layout" >&2
  _as_root apt-get update -qq && _as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends libfribidi0 >/dev/null \
    || echo "serve-demo: could not install libfribidi0; share images will answer 503" >&2
fi
"$VENV_PYTHON" -m pip install --quiet .
exec "$(dirname "$VENV_PYTHON")/factcard" serve --demo "$@"
